#include "sim/oracles/no_self_inflicted_reuse.h"

namespace credsim::sim {

void NoSelfInflictedReuse::OnRefresh(const RefreshObserved& r) {
  if (!r.reference || !r.reached_server || !r.counted_as_reuse) return;
  if (r.replay_after_lost_response) return;
  // The live pair sat only in a store that does not parse, or the token was spent before the run
  // and no store in reach held a live one: nothing in reach was live.
  if ((r.live_pair_unreadable || r.retired_before_run || r.session_already_dead) &&
      !r.presenter_had_live_token) {
    ++refused_live_pair_unreadable_;
    return;
  }
  // With tools in the world, a judged consumer is blamed only for a token it knew was spent.
  if (!reference_only_ && !r.presenter_had_live_token && !r.retired_by_judged) {
    ++refused_after_tool_rotation_;
    return;
  }
  Fire(r.consumer, r.t_ms,
       "authority counted reuse of " + r.presented_label + " (" + r.outcome + ")");
}

}  // namespace credsim::sim
