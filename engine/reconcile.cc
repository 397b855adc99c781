#include "engine/reconcile.h"

#include <tuple>

#include "base/assert.h"

namespace credsim::engine {

const char* FreshnessName(Freshness freshness) {
  switch (freshness) {
    case Freshness::kEmpty:
      return "empty";
    case Freshness::kExpired:
      return "expired";
    case Freshness::kUnknown:
      return "unknown-expiry";
    case Freshness::kValid:
      return "valid";
  }
  return "unknown";
}

Freshness Classify(const Credential& credential, int64_t now_ms, int64_t leeway_ms) {
  CREDSIM_ASSERT(leeway_ms >= 0);
  if (credential.empty()) return Freshness::kEmpty;
  if (credential.access_token.empty()) return Freshness::kExpired;  // refresh token only
  if (credential.expires_at_ms == 0) return Freshness::kUnknown;
  return credential.expires_at_ms > now_ms + leeway_ms ? Freshness::kValid : Freshness::kExpired;
}

Freshness ClassifyFor(const Credential& credential, const PickOptions& options) {
  Freshness f = Classify(credential, options.now_ms, options.leeway_ms);
  if (f != Freshness::kEmpty && !options.rejected_access_token.empty() &&
      credential.access_token == options.rejected_access_token) {
    return Freshness::kExpired;
  }
  return f;
}

std::optional<size_t> PickBest(const std::vector<Candidate>& candidates,
                               const PickOptions& options) {
  std::optional<size_t> best;
  std::tuple<Freshness, int64_t> best_key{Freshness::kEmpty, 0};
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Credential& c = candidates[i].credential;
    const Freshness f = ClassifyFor(c, options);
    if (f == Freshness::kEmpty) continue;
    const bool refresh_dead = options.dead_refresh_tokens.count(c.refresh_token) > 0;
    if (refresh_dead && f != Freshness::kValid) continue;
    if (f != Freshness::kValid && c.refresh_token.empty() && f == Freshness::kExpired) continue;
    const std::tuple<Freshness, int64_t> key{f, c.expires_at_ms};
    if (!best || key > best_key) {  // strict: the earlier candidate keeps a tie
      best = i;
      best_key = key;
    }
  }
  CREDSIM_ASSERT(!best || *best < candidates.size());
  return best;
}

}  // namespace credsim::engine
