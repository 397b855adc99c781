#include "fake_oauth_server/faults.h"

#include <algorithm>

#include "base/assert.h"

namespace credsim::oauth {

std::string_view ToString(FaultAction action) {
  switch (action) {
    case FaultAction::kStatus:
      return "status";
    case FaultAction::kRateLimit:
      return "rate_limit";
    case FaultAction::kLatency:
      return "latency";
    case FaultAction::kDropBeforeCommit:
      return "drop_before_commit";
    case FaultAction::kDropAfterCommit:
      return "drop_after_commit";
    case FaultAction::kDelayGrant:
      return "delay_grant";
  }
  return "status";
}

std::optional<FaultAction> ParseFaultAction(std::string_view text) {
  for (FaultAction a :
       {FaultAction::kStatus, FaultAction::kRateLimit, FaultAction::kLatency,
        FaultAction::kDropBeforeCommit, FaultAction::kDropAfterCommit, FaultAction::kDelayGrant}) {
    if (text == ToString(a)) return a;
  }
  return std::nullopt;
}

std::optional<uint32_t> FaultPlan::Add(FaultRule rule, std::string* why) {
  const auto reject = [&](const char* reason) -> std::optional<uint32_t> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
  if (rules_.size() >= kMaxRules) return reject("at most 64 fault rules");
  static constexpr std::string_view kEndpoints[] = {"*", "token", "authorize", "device",
                                                    "resource"};
  if (std::find(std::begin(kEndpoints), std::end(kEndpoints), rule.endpoint) ==
      std::end(kEndpoints)) {
    return reject("endpoint must be one of *, token, authorize, device, resource");
  }
  static constexpr std::string_view kGrants[] = {"*", "refresh_token", "authorization_code",
                                                 "device_code"};
  if (std::find(std::begin(kGrants), std::end(kGrants), rule.grant) == std::end(kGrants)) {
    return reject("grant must be one of *, refresh_token, authorization_code, device_code");
  }
  if (rule.action == FaultAction::kStatus && (rule.status < 400 || rule.status > 599)) {
    return reject("status must be 400..599");
  }
  if (rule.action == FaultAction::kRateLimit) rule.status = 429;
  if (rule.retry_after_s < 0 || rule.retry_after_s > 86400) return reject("retry_after_s 0..86400");
  if (rule.latency_ms < 0 || rule.latency_ms > kMaxLatencyMs) return reject("latency_ms 0..60000");
  if (rule.action == FaultAction::kDelayGrant && rule.latency_ms == 0) {
    return reject("delay_grant needs latency_ms > 0");
  }
  if (rule.action == FaultAction::kDelayGrant && rule.endpoint != "token" && rule.endpoint != "*") {
    return reject("delay_grant applies to the token endpoint only");
  }
  if (rule.probability_ppm == 0 || rule.probability_ppm > 1'000'000) {
    return reject("probability must be in (0, 1]");
  }
  rule.id = next_id_++;
  rule.fired = 0;
  rules_.push_back(std::move(rule));
  return rules_.back().id;
}

bool FaultPlan::Remove(uint32_t id) {
  const auto it = std::find_if(rules_.begin(), rules_.end(), [&](auto& r) { return r.id == id; });
  if (it == rules_.end()) return false;
  rules_.erase(it);
  return true;
}

FaultDecision FaultPlan::Decide(std::string_view endpoint, std::string_view grant) {
  FaultDecision d;
  for (FaultRule& r : rules_) {  // bounded: kMaxRules
    if (r.endpoint != "*" && r.endpoint != endpoint) continue;
    if (r.grant != "*" && r.grant != grant) continue;
    if (r.limit != 0 && r.fired >= r.limit) continue;
    // Draw only for probabilistic rules, so a plan of certain rules consumes no randomness.
    if (r.probability_ppm < 1'000'000 && rng_.Below(1'000'000) >= r.probability_ppm) continue;
    ++r.fired;
    if (r.action == FaultAction::kLatency) {
      d.latency_ms = std::min(kMaxLatencyMs, d.latency_ms + r.latency_ms);
      continue;
    }
    d.action = r.action;
    d.status = r.status;
    d.retry_after_s = r.retry_after_s;
    if (r.action == FaultAction::kDelayGrant) d.grant_delay_ms = r.latency_ms;
    d.rule_id = r.id;
    break;
  }
  CREDSIM_ASSERT(!d.action || *d.action != FaultAction::kLatency);
  return d;
}

}  // namespace credsim::oauth
