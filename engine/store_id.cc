#include "engine/store_id.h"

#include "base/assert.h"

namespace credsim::engine {

std::string StoreId::Name() const {
  switch (kind) {
    case StoreKind::kClaudeKeychain:
      return "claude-keychain";
    case StoreKind::kClaudeFile:
      return "claude-file";
    case StoreKind::kAgentAuth:
      return profile.empty() ? "agent" : "agent:" + profile;
    case StoreKind::kCodexAuth:
      return "codex-file";
    case StoreKind::kEngineRescue:
      return "credsim-rescue";
  }
  CREDSIM_ASSERT(false, "unknown StoreKind");
  return "unknown";
}

const char* LockName(LockId lock) {
  switch (lock) {
    case LockId::kClaudeHome:
      return "claude-home";
    case LockId::kAgentHome:
      return "agent-home";
    case LockId::kCodexHome:
      return "codex-home";
  }
  return "unknown";
}

LockId LockFor(StoreKind kind) {
  switch (kind) {
    case StoreKind::kClaudeKeychain:
    case StoreKind::kClaudeFile:
      return LockId::kClaudeHome;
    case StoreKind::kAgentAuth:
      return LockId::kAgentHome;
    case StoreKind::kCodexAuth:
      return LockId::kCodexHome;
    case StoreKind::kEngineRescue:
      // Never asked by the engine (the rescue store is touched only while every lock of its
      // session is held); the agent home's flock is credsim's own kind of lock.
      return LockId::kAgentHome;
  }
  CREDSIM_ASSERT(false, "unknown StoreKind");
  return LockId::kAgentHome;
}

}  // namespace credsim::engine
