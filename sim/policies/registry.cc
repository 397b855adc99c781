#include "sim/policies/registry.h"

#include "sim/policies/legacy_io.h"
#include "sim/policies/legacy_rename.h"
#include "sim/sim_io.h"

namespace credsim::sim {

const std::vector<PolicyInfo>& AllPolicies() {
  static const std::vector<PolicyInfo> kPolicies = {
      {"reference", PolicyKind::kReference, ""},
      {"RefreshOutsideLock", PolicyKind::kLegacy, "two processes refresh without the lock (#11)"},
      {"WriteBackDropsScopes", PolicyKind::kLegacy, "write-back drops scopes (#2)"},
      {"WriteBackDropsSubscriptionType", PolicyKind::kLegacy,
       "write-back drops subscriptionType (#3)"},
      {"KeychainFirstRead", PolicyKind::kLegacy, "expired keychain copy hides a fresh file (#5)"},
      {"KeychainNotWritten", PolicyKind::kLegacy, "refresh written to the file only (#3, #6)"},
      {"ProfileNotWrittenThrough", PolicyKind::kLegacy, "profile refresh strands root (#12)"},
      {"WriteBackErrorSwallowed", PolicyKind::kLegacy, "write error swallowed after rotation (#7)"},
      {"WrongEndpoint", PolicyKind::kLegacy,
       "refresh sent to a legacy endpoint that answers 500 (unconfirmed)"},
      // One reported bug each, see legacy_{pool,writeback,reads,refresh,rename}.cc (numbers:
      // docs/REPORTS.md).
      {"PoolNotSyncedFromFile", PolicyKind::kLegacy, "pool never syncs from the CC file (#1)"},
      {"ReadsProvidersBlockOnly", PolicyKind::kLegacy,
       "auth add wrote the pool only (unconfirmed)"},
      {"ExhaustedFlagSticky", PolicyKind::kLegacy, "exhausted flag outlives recovery (#16, #19)"},
      {"CooldownBlocksRefresh", PolicyKind::kLegacy, "no refresh during a cooldown (#19)"},
      {"SoleCredentialBenchedOnRateLimit", PolicyKind::kLegacy, "one 429 benches 1 h (#16)"},
      {"SingletonRefreshNotMirrored", PolicyKind::kLegacy, "rotation not mirrored to pool (#10)"},
      {"WriteBackFileOnlyMinimal", PolicyKind::kLegacy, "4-field file-only write-back (#3)"},
      {"WriteThroughOnlyFirstSave", PolicyKind::kLegacy, "write-through regression (#13)"},
      {"CorruptStoreReplacedByEmpty", PolicyKind::kLegacy, "corrupt auth.json emptied (#30)"},
      {"FailedRefreshBlanksStore", PolicyKind::kLegacy, "failed refresh blanks the file (#31)"},
      {"NoReReadUnderLock", PolicyKind::kLegacy, "lock waiter keeps its stale token (#20)"},
      {"NoReReadCachedCredential", PolicyKind::kLegacy, "live session never re-reads (#31)"},
      {"StaticTokenProfile", PolicyKind::kLegacy, "token profile without refresh (#30)"},
      {"ObserverSpendsRefreshTokens", PolicyKind::kLegacy, "health check POSTs each RT (#9)"},
      {"KeychainNeverRead", PolicyKind::kLegacy, "reads the file only, never the keychain (#4)"},
      {"RefreshesEveryUse", PolicyKind::kLegacy, "every use rotates the session (#22)"},
      {"Unbounded401Retry", PolicyKind::kLegacy, "a 401 forces rotations in a loop (#17)"},
      {"LostRaceDeletesStore", PolicyKind::kLegacy, "a lost refresh race deletes the file (#31)"},
      {"WritesByRename", PolicyKind::kLegacy,
       "writes by rename: a symlinked store becomes a private file (derived)"},
      {"CodexHomeNotWrittenBack", PolicyKind::kLegacy,
       "imported Codex session not written back (#15)"},
      {"CanaryNeverWritesBack", PolicyKind::kCanary,
       "canary: every store write is skipped yet reported done (no report; proves the search "
       "sees)"},
      {"health-check", PolicyKind::kToolModel, "a cron that POSTs the refresh token (#9)"},
      {"claude-code-cli", PolicyKind::kToolModel, "Claude Code CLI 2.1.197 (docs/REAL_CLIENTS.md)"},
      {"claude-code-cli-keychain", PolicyKind::kToolModel,
       "Claude Code with the keychain, sometimes one store only (#4, #5)"},
      {"claude-code-ide", PolicyKind::kToolModel, "Claude Code IDE extension: file only (#6)"},
      {"claude-code-macos", PolicyKind::kToolModel, "Claude Code >= 2.1.114: keychain only (#4)"},
      {"agent-gateway", PolicyKind::kToolModel, "Hermes-shaped gateway profile, agent flock only"},
      {"codex-cli", PolicyKind::kToolModel, "Codex CLI 0.169.0 (docs/REAL_CLIENTS.md, #26)"},
  };
  return kPolicies;
}

const PolicyInfo* FindPolicy(const std::string& name) {
  for (const PolicyInfo& p : AllPolicies()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool IsReferencePolicy(const std::string& name) { return name == "reference"; }

bool IsJudgedPolicy(const std::string& name) {
  const PolicyInfo* p = FindPolicy(name);
  return p && p->kind != PolicyKind::kToolModel;
}

std::unique_ptr<engine::Io> MakePolicyIo(const std::string& policy, SimIo& base) {
  if (policy == "WritesByRename") return MakeWritesByRenameIo(base);
  return MakeLegacyIo(policy, base);
}

engine::SessionConfig SessionFor(engine::Provider provider, const ConsumerSpec& spec) {
  engine::SessionConfig session = engine::DefaultSession(provider, spec.profile);
  // The reference engine leaves Codex CLI the first four minutes of its refresh window
  // (engine/session.cc); the tools the legacy policies stand for refresh in the plain 5-minute
  // window, as the reports describe, so each policy keeps exactly its one documented deviation.
  if (!IsReferencePolicy(spec.policy)) session.refresh_leeway_ms = 5 * 60 * 1000;
  return session;
}

}  // namespace credsim::sim
