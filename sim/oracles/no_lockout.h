// no_lockout (liveness): a judged consumer (the reference engine or a legacy delta of it) that
// needs a token while a store it reads holds the family's live refresh token gets a token the API
// accepts, once the world has been quiet for the bound: no random fault active, no scripted fault
// (keychain locked, server down) for `bound_ms`. Default bound: the engine's max backoff plus its
// lock timeout plus two round trips at the world's maximum latency (the lock timeout is in it
// because a waiter may legitimately wait that long behind a refresher).
//
// Deliberately NOT verified: demands when no store holds a live refresh token (the session is dead:
// a re-login is required and nothing can recover without the user; an AT-only store is ignored),
// demands during faults or within the bound after one heals, and tool models.
#pragma once

#include <cstdint>

#include "sim/oracles/oracle.h"

namespace credsim::sim {

class NoLockout final : public Oracle {
 public:
  NoLockout(int64_t bound_ms, int64_t quiet_from_ms)
      : bound_ms_(bound_ms), quiet_from_ms_(quiet_from_ms) {}
  const char* name() const override { return "no_lockout"; }
  void OnDemand(const DemandObserved& d) override;
  // A scripted fault started or healed at t (the quiet period restarts at its end).
  void FaultUntil(int64_t heal_ms);

 private:
  int64_t bound_ms_;
  int64_t quiet_from_ms_;
};

}  // namespace credsim::sim
