// clock: every expiry decision a consumer reports agrees with true time, within how far that
// consumer's clock may be off (its skew plus drift so far) plus a 1 ms rounding tolerance. A
// decision "still valid" fires when, in true time, less than the leeway minus that slack was left;
// a decision "refresh now" fires when more than the leeway plus that slack was left (the seconds-
// vs-milliseconds family of bugs shows up as one or the other).
//
// Deliberately NOT verified: decisions nobody reports (the reference engine's "refresh now"
// decisions are internal; the engine consumer reports only its "still valid" ones, the tool models
// report both), whether the stored expiry itself was right (the authority's expiry vs. the stored
// expiresAt is no_lockout's business), and access tokens with no known expiry.
#pragma once

#include <cstdint>

#include "sim/oracles/oracle.h"

namespace credsim::sim {

class Clock final : public Oracle {
 public:
  static constexpr int64_t kToleranceMs = 1;
  const char* name() const override { return "clock"; }
  void OnExpiryDecision(const ExpiryDecision& d) override;
  uint64_t decisions() const { return decisions_; }

 private:
  uint64_t decisions_ = 0;
};

}  // namespace credsim::sim
