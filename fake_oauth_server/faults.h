// Fault rules as pure data: which requests a fault hits and how often. The HTTP front asks
// Decide() once per request and applies the answer (sleep, answer an error, or drop the connection
// before or after the authority commits). The simulator draws its own network's faults
// (sim/random_faults.h) and does not use this plan.
//
// Rules are matched in the order they were added. Latency rules add up; the first matching rule of
// any other action decides the request, and later rules are not consulted. A rule fires at most
// `limit` times (0: no limit), each time with probability probability_ppm / 10^6 drawn from the
// plan's own seeded generator. Limit: 64 rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake_oauth_server/rng.h"

namespace credsim::oauth {

enum class FaultAction : uint8_t {
  kStatus,            // answer `status` (500, 503, ...) with an OAuth server_error body
  kRateLimit,         // answer 429 with Retry-After: retry_after_s
  kLatency,           // wait latency_ms, then go on
  kDropBeforeCommit,  // close the connection without answering; the authority never sees it
  kDropAfterCommit,   // let the authority commit (rotate), then close without answering
  // Let the authority commit, then hold a *granted* answer (200) back latency_ms before sending
  // it; refusals go out at once. A slow token endpoint as racing clients see it: the losers'
  // errors arrive before the winner has written the new pair (docs/REAL_CLIENTS.md#fake-server-
  // the-codex-race-needs-a-late-answer). Plain `latency` delays everyone before the decision.
  kDelayGrant,
};
std::string_view ToString(FaultAction action);
std::optional<FaultAction> ParseFaultAction(std::string_view text);

struct FaultRule {
  std::string endpoint = "*";  // "token", "authorize", "device", "resource", or "*"
  std::string grant = "*";     // "refresh_token", "authorization_code", "device_code", or "*"
  FaultAction action = FaultAction::kStatus;
  int status = 500;
  int64_t retry_after_s = 1;
  int64_t latency_ms = 0;
  uint32_t limit = 0;                    // 0: unlimited
  uint32_t probability_ppm = 1'000'000;  // 1..10^6
  // Filled in by the plan.
  uint32_t id = 0;
  uint64_t fired = 0;
};

struct FaultDecision {
  int64_t latency_ms = 0;
  std::optional<FaultAction> action;  // never kLatency
  int status = 0;
  int64_t retry_after_s = 0;
  int64_t grant_delay_ms = 0;  // kDelayGrant: how long to hold a 200 back after the commit
  uint32_t rule_id = 0;        // the rule that set `action`
};

class FaultPlan {
 public:
  static constexpr size_t kMaxRules = 64;
  static constexpr int64_t kMaxLatencyMs = 60'000;

  explicit FaultPlan(uint64_t seed) : rng_(seed) {}
  // Validates and stores the rule; nullopt (with a reason) if it is invalid or the plan is full.
  std::optional<uint32_t> Add(FaultRule rule, std::string* why);
  bool Remove(uint32_t id);
  void Clear() { rules_.clear(); }
  // `grant` is the short name ("refresh_token", "device_code", ...) or "" for non-token endpoints.
  FaultDecision Decide(std::string_view endpoint, std::string_view grant);
  const std::vector<FaultRule>& rules() const { return rules_; }

 private:
  Xoshiro256 rng_;
  std::vector<FaultRule> rules_;
  uint32_t next_id_ = 1;
};

}  // namespace credsim::oauth
