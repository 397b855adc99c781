// Observations: the facts the world hands to oracles, all from ground truth (the authority's
// replies and the world's own store contents), never from what a consumer believes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/store_id.h"

namespace credsim::sim {

// One token-endpoint request that reached the authority (or was dropped before it).
struct RefreshObserved {
  int64_t t_ms = 0;
  std::string consumer;
  bool reference = false;  // judged: the engine, or a legacy delta of it (IsJudgedPolicy)
  bool reached_server = false;
  bool response_lost = false;  // the server acted, the client never saw the answer
  std::string outcome;         // the authority's outcome name ("issued", "reused_retired", ...)
  bool counted_as_reuse = false;
  uint32_t family_id = 0;
  uint32_t presented_generation = 0;
  uint32_t generation = 0;  // family generation after the call
  std::string presented_label;
  // The presented refresh token is one whose rotating response was lost earlier: a replay the
  // client could not have avoided, told apart from a real reuse.
  bool replay_after_lost_response = false;
  // The presenting consumer's own latest reads of its stores showed a refresh token that is still
  // live (ground truth), other than the one it presented: it had a working credential in hand and
  // presented a spent one anyway. How the reuse oracles attribute a reuse in worlds with tools.
  bool presenter_had_live_token = false;
  // A reuse only: the rotation that retired the presented token was made by a judged consumer
  // (they share the locks, so a judged presenter should have seen it).
  bool retired_by_judged = false;
  // A store the presenter reads holds the family's live refresh token but does not parse (torn,
  // or corrupt from the start), and none of its stores holds one readably: the live pair was out
  // of every reader's reach, as no_lockout counts it.
  bool live_pair_unreadable = false;
  // A reuse only: the presented token was spent before the run began (a store seeded with the
  // previous pair), not by any rotation in it, and no store the presenter names held a live token
  // it could read: nothing better was within its reach.
  bool retired_before_run = false;
  // A reuse only: before this request no store and no consumer's latest grant held a live refresh
  // token (its successor died with a killed process, say): the session was already dead, and any
  // token presented was a probe that could lose nothing.
  bool session_already_dead = false;
};

// A reuse no presenter could have avoided: no live token was within its reach (the three reasons
// above) and none was in its hands. The reuse oracles count it instead of blaming it.
inline bool NothingLiveInReach(const RefreshObserved& r) {
  return (r.live_pair_unreadable || r.retired_before_run || r.session_already_dead) &&
         !r.presenter_had_live_token;
}

// One completed store write.
struct StoreWritten {
  int64_t t_ms = 0;
  std::string consumer;
  bool reference = false;
  std::string store;  // StorePath::Name(): the file written (a link's target when written through)
  engine::StoreKind kind = engine::StoreKind::kClaudeFile;
  uint32_t family_before = 0, generation_before = 0;  // freshest slot before (0: none)
  uint32_t family_after = 0, generation_after = 0;    // freshest slot after
  bool unparsable_before = false;                     // existed, and its owner would not parse it
  bool readable_before = false, readable_after = false;
  bool scopes_before = false, scopes_after = false;    // every token slot carries scopes
  bool plan_before = false, plan_after = false;        // ... and its subscriptionType
  bool markers_before = false, markers_after = false;  // the world's unknown-field markers
  bool symlink_before = false, symlink_after = false;  // the path was / still is a symlink
  // StoreTruth::foreign_sections_digest: the sections other tools own, before and after.
  uint64_t foreign_before = 0, foreign_after = 0;
  // How far the store's stored access-token expiry claims more life than the authority sealed
  // into that token (StoreTruth::expiry_overstated_ms), and how much of that the writer's clock
  // error plus the grant's time on the wire explain.
  int64_t expiry_overstated_before_ms = 0, expiry_overstated_after_ms = 0;
  int64_t expiry_allowance_ms = 0;
  // The overstated expiry was already stored elsewhere for the same access token: the writer
  // copied it (spreading a pair it read), it did not compute it.
  bool expiry_copied = false;
};

// One time a consumer needed a token, and what it got.
struct DemandObserved {
  int64_t t_ms = 0;
  std::string consumer;
  bool reference = false;
  bool served = false;      // the consumer ended up with an access token the API accepts
  std::string status;       // the engine's/model's own status name
  std::string token_label;  // label of the access token it used ("-" if none)
  // A store this consumer reads held a credential that could still work (the family's live
  // refresh token, or an access token the authority still accepts) when the demand began.
  bool usable_credential_existed = false;
  // Expiry decision check (clock oracle): what the consumer's clock said vs. the truth.
  int64_t local_now_ms = 0;
  // A failed demand only: why, from ground truth at the moment it was reported (the world sets
  // it; see oracles/availability.h for the names).
  std::string outage_cause;
};

// One expiry decision: a consumer compared a stored expiry with its own clock ("refresh now" or
// "still valid"). The world adds the truth: real time and how far this consumer's clock may be off.
struct ExpiryDecision {
  int64_t t_ms = 0;
  std::string consumer;
  int64_t expires_at_ms = 0;  // epoch ms, as the consumer read it
  int64_t local_now_ms = 0;   // epoch ms, the consumer's clock
  int64_t true_now_ms = 0;    // epoch ms, the world's clock
  int64_t leeway_ms = 0;      // "refresh when less than this is left"
  int64_t skew_bound_ms = 0;  // |skew| + |drift| so far: how far local may be from true
  bool decided_expiring = false;
};

struct Violation {
  std::string oracle;
  std::string consumer;
  int64_t t_ms = 0;
  std::string message;
  std::vector<std::string> recent_events;  // the trace lines that led to it, oldest first
};

}  // namespace credsim::sim
