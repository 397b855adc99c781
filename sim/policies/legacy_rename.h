// A legacy policy that needs the world's file semantics, not just engine::Io: the write lands by
// renaming a temp file over the path (what Claude Code and Codex do,
// docs/REAL_CLIENTS.md#claude-code-write-back), so a symlinked store becomes a private file.
#pragma once

#include <memory>

#include "engine/io.h"

namespace credsim::sim {

class SimIo;

// WritesByRename: the reference engine whose every store write replaces the path by a rename
// (still only if the bytes are unchanged). With a store linked into another home, the first
// write forks the chain: this home's copy moves on, every other home keeps the spent token.
std::unique_ptr<engine::Io> MakeWritesByRenameIo(SimIo& base);

}  // namespace credsim::sim
