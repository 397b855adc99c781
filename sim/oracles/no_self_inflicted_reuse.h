// no_self_inflicted_reuse: in a world where every consumer runs the reference policy, the
// authority never counts a refresh-token reuse (a retired token presented again, or a race loser
// under the strict race policy).
//
// Deliberately NOT verified: reuse in worlds with any non-reference consumer (a legacy policy or a
// tool model may cause reuse that the reference cannot prevent; lineage classifies those), and a
// replay of a token whose rotating answer was lost on the wire (the client never saw the successor;
// no client can avoid that one, and lineage reports it as such), or died with a process killed
// before any store held the successor (World::KillConsumer classifies that as the same loss).
#pragma once

#include "sim/oracles/oracle.h"

namespace credsim::sim {

class NoSelfInflictedReuse final : public Oracle {
 public:
  explicit NoSelfInflictedReuse(bool reference_only) : reference_only_(reference_only) {}
  const char* name() const override { return "no_self_inflicted_reuse"; }
  void OnRefresh(const RefreshObserved& r) override;

 private:
  bool reference_only_;
};

}  // namespace credsim::sim
