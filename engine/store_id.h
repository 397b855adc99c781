// Names of the stores that may hold one shared OAuth session, and of the locks that guard them.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace credsim::engine {

enum class StoreKind : uint8_t {
  kClaudeKeychain,  // OS keychain item, service "Claude Code-credentials" (same JSON as the file)
  kClaudeFile,      // ~/.claude/.credentials.json
  kAgentAuth,  // an agent's auth.json (Hermes-shaped): root store, or a profile's (profile != "")
  kCodexAuth,  // ~/.codex/auth.json
  // ~/.credsim/pending-<provider>.json (profile = the provider's name): a rotated pair that no
  // session store could take yet, parked for sibling processes of the engine. Read and written
  // only while every lock of the session is held; never one of SessionConfig::stores.
  kEngineRescue,
};

// The keychain item and the file: Claude Code's two stores, one JSON format.
inline bool IsClaudeKind(StoreKind kind) {
  return kind == StoreKind::kClaudeFile || kind == StoreKind::kClaudeKeychain;
}

struct StoreId {
  StoreKind kind = StoreKind::kClaudeFile;
  std::string profile;  // kAgentAuth: "" is the root store; kEngineRescue: the provider

  friend auto operator<=>(const StoreId&, const StoreId&) = default;
  friend bool operator==(const StoreId&, const StoreId&) = default;
  // Stable, token-free name for logs and traces: "claude-keychain", "agent:work", ...
  std::string Name() const;
};

// One lock per tool home. The engine takes the locks of every store it will write, always in this
// enum's order (so two engines can never deadlock), and releases them in reverse.
enum class LockId : uint8_t {
  kClaudeHome,  // Claude Code's own protocol: mkdir ~/.claude/.oauth_refresh.lock, stale after 10 s
  kAgentHome,   // flock on <agent home>/auth.lock
  kCodexHome,   // Codex CLI's own protocol: flock on $CODEX_HOME/auth.lock
};
const char* LockName(LockId lock);
LockId LockFor(StoreKind kind);

}  // namespace credsim::engine
