#include "engine/doctor.h"

#include <algorithm>

#include "engine/reconcile.h"

namespace credsim::engine {
namespace {

void CheckFile(const StoreView& store, std::vector<Finding>& out) {
  using S = Finding::Severity;
  const std::string name = store.id.Name();
  if (store.corrupt) {
    out.push_back({S::kError, name, "corrupt-store",
                   "cannot be parsed (" + *store.corrupt + "); it is skipped and never rewritten"});
  }
  if (store.status == IoStatus::kLocked || store.status == IoStatus::kPermissionDenied ||
      store.status == IoStatus::kIoError) {
    out.push_back({S::kWarning, name, "unreadable-store",
                   std::string("cannot be read (") + IoStatusName(store.status) +
                       "): copies there go stale"});
  }
  if (store.status != IoStatus::kOk) return;
  if (store.facts.is_symlink) {
    out.push_back(
        {S::kInfo, name, "symlinked-file",
         store.facts.path + " is a symlink; it is updated through the link, which is kept"});
  }
  if ((store.facts.mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", store.facts.mode & 0777);
    out.push_back({S::kWarning, name, "loose-permissions",
                   store.facts.path + " has mode " + mode + "; credentials should be 0600"});
  }
  for (const auto& note : store.notes) out.push_back({S::kInfo, name, "unit-assumed", note});
}

void CheckSlot(const Candidate& c, int64_t now_ms, std::vector<Finding>& out) {
  using S = Finding::Severity;
  const std::string name = c.store.Name();
  const Credential& cred = c.credential;
  if (cred.empty()) {
    out.push_back({S::kWarning, name, "empty-slot",
                   "holds no tokens (wiped after invalid_grant?); the next refresh repairs it"});
    return;
  }
  if (cred.refresh_token.empty()) {
    out.push_back({S::kWarning, name, "static-token",
                   "an OAuth access token with no refresh token: it stops working at expiry"});
  }
  if (IsClaudeKind(c.store.kind)) {
    if (!cred.scopes) {
      out.push_back({S::kError, name, "missing-scopes",
                     "no `scopes`: Claude Code >= 2.1.81 reports \"Not logged in\""});
    } else if (std::find(cred.scopes->begin(), cred.scopes->end(), "user:inference") ==
               cred.scopes->end()) {
      out.push_back({S::kError, name, "missing-inference-scope",
                     "`scopes` lacks user:inference: Claude Code refuses the session"});
    }
    if (!cred.subscription_type) {
      out.push_back({S::kWarning, name, "missing-subscription-type",
                     "no `subscriptionType`: Claude Code may fall back to API-key mode"});
    }
  }
  if (cred.expires_at_ms != 0 && cred.expires_at_ms <= now_ms && !cred.refresh_token.empty()) {
    out.push_back({S::kInfo, name, "expired", "access token expired; the next call refreshes"});
  }
}

void CheckAgreement(const std::vector<Candidate>& slots, int64_t now_ms,
                    std::vector<Finding>& out) {
  using S = Finding::Severity;
  const auto best = PickBest(slots, PickOptions{.now_ms = now_ms});
  if (!best) return;
  const Credential& fresh = slots[*best].credential;
  for (size_t i = 0; i < slots.size(); ++i) {
    const Candidate& c = slots[i];
    if (i == *best || c.credential.empty()) continue;
    if (c.credential.refresh_token != fresh.refresh_token) {
      out.push_back({S::kWarning, c.store.Name(), "split-session",
                     "holds an older refresh token (" +
                         RedactedLabel("rt", c.credential.refresh_token) + ") than " +
                         slots[*best].store.Name() + " (" +
                         RedactedLabel("rt", fresh.refresh_token) +
                         "); the next refresh writes the fresh pair here"});
    }
    if (c.pool_status == formats::PoolStatus::kExhausted ||
        c.pool_status == formats::PoolStatus::kDead) {
      out.push_back({S::kInfo, c.store.Name(), "stale-pool-status",
                     std::string("pool entry ") + c.slot.pool_entry_id + " is marked " +
                         formats::PoolStatusName(c.pool_status) +
                         "; ignored: it is re-probed whenever a store changes"});
    }
  }
}

}  // namespace

const char* SeverityName(Finding::Severity severity) {
  switch (severity) {
    case Finding::Severity::kInfo:
      return "info";
    case Finding::Severity::kWarning:
      return "warning";
    case Finding::Severity::kError:
      return "error";
  }
  return "unknown";
}

std::vector<Finding> Diagnose(const SessionConfig& config, const Snapshot& snapshot,
                              int64_t now_ms) {
  std::vector<Finding> out;
  for (const auto& store : snapshot.stores) CheckFile(*store, out);
  const auto& slots = snapshot.Candidates();
  for (const auto& slot : slots) CheckSlot(slot, now_ms, out);
  CheckAgreement(slots, now_ms, out);
  if (!PickBest(slots, PickOptions{.now_ms = now_ms})) {
    out.push_back({Finding::Severity::kError, "", "no-credential",
                   std::string("no store holds a usable ") + ProviderName(config.provider) +
                       " credential: log in"});
  }
  return out;
}

}  // namespace credsim::engine
