// The engine's coverage probes (base/probe.h): the decisions of engine.cc that a search must
// reach for its verdicts to mean anything. A probe with zero hits over a swarm means no world
// drew that situation, so no oracle ever judged the engine's handling of it. Decisions no world
// can reach by design have no probe (a token endpoint that refuses the request itself: a
// misconfigured client, covered by engine_test).
#pragma once

#include "base/probe.h"

namespace credsim::engine::probes {

extern base::Probe valid_copy_served;
extern base::Probe lagging_store_spread;
extern base::Probe dead_session_not_asked_again;
extern base::Probe dead_session_reprobed;
extern base::Probe refused_access_token_waits_for_rotation;
extern base::Probe lock_busy;
extern base::Probe foreign_rotation_landed;
extern base::Probe refused_pair_access_token_served;
extern base::Probe rotation_adopted_under_lock;
extern base::Probe parked_pair_restored;
extern base::Probe unauthorized_rotation_too_soon;
extern base::Probe refused_token_not_presented_again;
extern base::Probe rotation_granted;
extern base::Probe rotation_not_saved_everywhere;
extern base::Probe rotation_parked;
extern base::Probe rotation_park_failed;
extern base::Probe transient_served_valid_token;
extern base::Probe transient_failure;
extern base::Probe copy_adopted_after_reuse_answer;
extern base::Probe copy_adopted_after_lost_answer;
extern base::Probe other_refresh_token_tried;
extern base::Probe stale_pending_pair_dropped;
extern base::Probe lost_answer_retried;
extern base::Probe lost_answer_twice;
extern base::Probe refresh_token_refused;
extern base::Probe scope_refused_retried;
extern base::Probe retry_after_honoured;
extern base::Probe retry_after_beyond_bound;
extern base::Probe write_conflict_merged;
extern base::Probe corrupt_store_left_untouched;
extern base::Probe commit_retried;
extern base::Probe pending_pair_committed;
extern base::Probe torn_write_waited_out;
extern base::Probe login_written;
extern base::Probe locks_kept_for_unsaved_pair;
extern base::Probe pending_pair_superseded_by_parked;

}  // namespace credsim::engine::probes
