#include "sim/oracles/no_self_inflicted_reuse.h"

namespace credsim::sim {

void NoSelfInflictedReuse::OnRefresh(const RefreshObserved& r) {
  if (!reference_only_ || !r.reached_server || !r.counted_as_reuse) return;
  if (r.replay_after_lost_response) return;
  Fire(r.consumer, r.t_ms,
       "authority counted reuse of " + r.presented_label + " (" + r.outcome + ")");
}

}  // namespace credsim::sim
