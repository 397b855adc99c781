// Doctor: start-up warnings about a session's stores that predict a lockout. Pure over a Snapshot.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace credsim::engine {

struct Finding {
  enum class Severity : uint8_t { kInfo, kWarning, kError };
  Severity severity = Severity::kWarning;
  std::string store;  // store name, or "" for the session as a whole
  std::string code;   // stable identifier, e.g. "missing-scopes"
  std::string message;
};
const char* SeverityName(Finding::Severity severity);

// Checks: corrupt store; unreadable (locked, permission denied) store; static OAuth token with no
// refresh token; Claude slot without `scopes` or without user:inference; copies that disagree
// (keychain/file split, pool vs file); a pool entry marked exhausted/dead that a fresher copy
// contradicts; a symlinked credentials file; a file readable by group or others; a store whose
// timestamps needed a unit guess; no credential at all.
std::vector<Finding> Diagnose(const SessionConfig& config, const Snapshot& snapshot,
                              int64_t now_ms);

}  // namespace credsim::engine
