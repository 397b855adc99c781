// Model of Claude Code (CLI 2.1.197 as measured in docs/REAL_CLIENTS.md; each fact below cites
// its section) and of its IDE extension. Not the reference engine: an actor written against the
// World, so that it does exactly what the real tool was measured to do, including what the
// reference must survive.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/task.h"

namespace credsim::sim {

class World;

struct ClaudeCodeFlavor {
  // Reads the keychain item first and falls back to the file (Claude Code >= 2.1.114 on macOS
  // stores there: docs/REPORTS.md 4). NOT measured: the measurements ran on a sandbox home.
  bool keychain_first = false;
  bool writes_keychain = false;
  bool writes_file = true;
  // Chance that a refresh lands in only one of the two stores (docs/REPORTS.md 5: Claude Code
  // refreshed one store only). Not measured.
  uint32_t one_store_per_million = 0;
};

// claude-code-cli: file only (what was measured). claude-code-macos: the keychain item only
// (reads and writes it, never the file; docs/REPORTS.md 4). claude-code-cli-keychain: keychain
// first, writes both, sometimes one. claude-code-ide: the IDE extension's refresh path, which reads
// like the keychain build but writes only the file; an assumption, not measured (docs/REPORTS.md 6
// shows the split between the stores that results).
ClaudeCodeFlavor ClaudeCodeFlavorFor(const char* policy);

Task<void> RunClaudeCode(World& world, size_t index, ClaudeCodeFlavor flavor);

}  // namespace credsim::sim
