// no_self_inflicted_reuse: the authority never counts a refresh-token reuse (a retired token
// presented again, or a race loser under the strict race policy) presented by a judged consumer
// (the reference or a legacy delta of it). Every reuse is attributed to the consumer that
// presented the token:
//  - in a world of judged consumers only, every such reuse is self-inflicted: the judged
//    consumers share the locks, so a correct one always sees its siblings' rotations;
//  - in a world with tool models (which refresh outside the locks, or never write back), a judged
//    consumer is blamed when the token it presented was retired by another judged consumer (they
//    share the locks: RefreshObserved::retired_by_judged), or when its own latest reads showed a
//    refresh token that is still live, other than the one it presented
//    (RefreshObserved::presenter_had_live_token): it had a working credential in hand.
//
// Deliberately NOT verified: reuse presented by tool models (they are the world, not the subject),
// a judged consumer's reuse in a tool world of a token a tool retired while no live token was in
// hand (the tool spent it behind its back, or the live one exists only in a lost answer: any token
// tried is a probe no client can avoid, and the outage shows in availability), a reuse when no
// live token was within the presenter's reach (NothingLiveInReach, observation.h: the live pair
// sat only in a store that does not parse, the token was spent before the run began, or the
// session was already dead everywhere; counted), and a replay of a token whose rotating answer
// was lost on the wire or died with a killed process (lineage classifies those).
#pragma once

#include "sim/oracles/oracle.h"

namespace credsim::sim {

class NoSelfInflictedReuse final : public Oracle {
 public:
  explicit NoSelfInflictedReuse(bool reference_only) : reference_only_(reference_only) {}
  const char* name() const override { return "no_self_inflicted_reuse"; }
  void OnRefresh(const RefreshObserved& r) override;
  // Judged refreshes refused because a tool had already rotated the token, with no live token in
  // hand: not blamed, but every one is a reuse signal to a strict server, so they are counted.
  uint64_t refused_after_tool_rotation() const { return refused_after_tool_rotation_; }
  // Judged refreshes refused while no live token was within reach (NothingLiveInReach): not
  // blamed, counted.
  uint64_t refused_nothing_live_in_reach() const { return refused_nothing_live_in_reach_; }

 private:
  bool reference_only_;
  uint64_t refused_after_tool_rotation_ = 0;
  uint64_t refused_nothing_live_in_reach_ = 0;
};

}  // namespace credsim::sim
