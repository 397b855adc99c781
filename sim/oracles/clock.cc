#include "sim/oracles/clock.h"

#include <string>

#include "base/assert.h"

namespace credsim::sim {
namespace {
std::string Ms(int64_t ms) { return std::to_string(ms) + " ms"; }
}  // namespace

void Clock::OnExpiryDecision(const ExpiryDecision& d) {
  CREDSIM_ASSERT(d.leeway_ms >= 0 && d.skew_bound_ms >= 0);
  CREDSIM_ASSERT(d.expires_at_ms >= 0);
  ++decisions_;
  const int64_t left_true_ms = d.expires_at_ms - d.true_now_ms;
  const int64_t slack_ms = d.skew_bound_ms + kToleranceMs;
  const bool kept_too_long = !d.decided_expiring && left_true_ms < d.leeway_ms - slack_ms;
  const bool refreshed_early = d.decided_expiring && left_true_ms > d.leeway_ms + slack_ms;
  if (!kept_too_long && !refreshed_early) return;  // the common case: build no message
  const std::string facts = Ms(left_true_ms) + " left in true time, leeway " + Ms(d.leeway_ms) +
                            ", clock off by at most " + Ms(d.skew_bound_ms);
  Fire(d.consumer, d.t_ms,
       (kept_too_long ? "kept a token as valid with " : "refreshed a token early with ") + facts);
}

void Clock::OnWrite(const StoreWritten& w) {
  CREDSIM_ASSERT(w.expiry_overstated_after_ms >= 0 && w.expiry_allowance_ms >= 0);
  if (!w.reference || w.expiry_copied) return;
  if (w.expiry_overstated_after_ms <= w.expiry_overstated_before_ms) return;
  if (w.expiry_overstated_after_ms <= w.expiry_allowance_ms + kToleranceMs) return;
  Fire(w.consumer, w.t_ms,
       "wrote an expiry into " + w.store + " " + Ms(w.expiry_overstated_after_ms) +
           " past the server's (allowed: " + Ms(w.expiry_allowance_ms) +
           " of clock error and wire time)");
}

}  // namespace credsim::sim
