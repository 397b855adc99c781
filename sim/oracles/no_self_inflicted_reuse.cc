#include "sim/oracles/no_self_inflicted_reuse.h"

namespace credsim::sim {

void NoSelfInflictedReuse::OnRefresh(const RefreshObserved& r) {
  if (!r.reference || !r.reached_server || !r.counted_as_reuse) return;
  if (r.replay_after_lost_response) return;
  if (NothingLiveInReach(r)) {  // see observation.h: counted, not blamed
    ++refused_nothing_live_in_reach_;
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
