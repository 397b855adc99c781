// Reconcile: which of the copies of a session to use. Pure.
//
// A usable copy beats an empty one; a valid copy (expires after now + leeway) beats one of unknown
// expiry, which beats an expired one; among equals the later expiry wins; remaining ties go to the
// earlier candidate (store order, then slot order), so the choice is deterministic. Pool status
// flags (exhausted/dead) are deliberately ignored: they are verdicts about an older pair, and
// trusting them is the 24 h lockout of hermes PR #4765.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/credential.h"

namespace credsim::engine {

enum class Freshness : uint8_t { kEmpty, kExpired, kUnknown, kValid };
const char* FreshnessName(Freshness freshness);

Freshness Classify(const Credential& credential, int64_t now_ms, int64_t leeway_ms);

struct PickOptions {
  int64_t now_ms = 0;
  int64_t leeway_ms = 0;
  std::string rejected_access_token;  // a token the API just refused counts as expired
  // Refused by the token endpoint (in this call, or earlier by this engine): not worth presenting.
  std::set<std::string> dead_refresh_tokens;
};

// Freshness with the options applied (a rejected access token counts as expired).
Freshness ClassifyFor(const Credential& credential, const PickOptions& options);

// Index of the best candidate, or nullopt when none is usable. Candidates whose refresh token is
// dead are skipped unless their access token is still valid.
std::optional<size_t> PickBest(const std::vector<Candidate>& candidates,
                               const PickOptions& options);

}  // namespace credsim::engine
