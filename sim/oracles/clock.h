// clock: every expiry decision a consumer reports agrees with true time, within how far that
// consumer's clock may be off (its skew plus drift so far) plus a 1 ms rounding tolerance. A
// decision "still valid" fires when, in true time, less than the leeway minus that slack was left;
// a decision "refresh now" fires when more than the leeway plus that slack was left (the seconds-
// vs-milliseconds family of bugs shows up as one or the other).
//
// It also judges every expiry a judged consumer writes against the server's truth: the expiry the
// authority sealed into that access token. A write whose stored expiry claims more life than the
// truth by more than the writer's own clock error (skew plus drift so far) plus the time the grant
// spent on the wire fires: the inflated expiresAt that makes every reader keep a dead token (units
// confusion, an expiry computed twice, the refresh token's lifetime stored as the access token's).
//
// Deliberately NOT verified: decisions nobody reports (the reference engine's "refresh now"
// decisions are internal; the engine consumer reports only its "still valid" ones, the tool models
// report both), expiries written by tool models (the world, not the subject), a stored expiry a
// judged writer copied from another store (it spreads a pair as read; the expiry's author is the
// one judged), an expiry that
// understates the truth (it costs an early refresh, not a lockout), and access tokens with no
// known expiry.
#pragma once

#include <cstdint>

#include "sim/oracles/oracle.h"

namespace credsim::sim {

class Clock final : public Oracle {
 public:
  static constexpr int64_t kToleranceMs = 1;
  const char* name() const override { return "clock"; }
  void OnExpiryDecision(const ExpiryDecision& d) override;
  void OnWrite(const StoreWritten& w) override;
  uint64_t decisions() const { return decisions_; }

 private:
  uint64_t decisions_ = 0;
};

}  // namespace credsim::sim
