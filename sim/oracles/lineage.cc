#include "sim/oracles/lineage.h"

namespace credsim::sim {

void Lineage::OnRefresh(const RefreshObserved& r) {
  if (!r.reached_server || r.family_id == 0) return;
  if (r.outcome == "issued") {
    auto [it, fresh] = last_accepted_.try_emplace(r.family_id, r.presented_generation);
    if (!fresh) {
      if (r.presented_generation <= it->second) {
        Fire(r.consumer, r.t_ms, r.presented_label + " accepted a second time");
      }
      it->second = r.presented_generation;
    }
    return;
  }
  if (!r.counted_as_reuse) return;
  if (r.replay_after_lost_response) {
    ++lost_replays_;
    return;
  }
  ++real_reuses_;
  if (NothingLiveInReach(r)) return;  // see observation.h: not blamed
  if (r.reference && (real_reuse_fires_ || r.presenter_had_live_token || r.retired_by_judged)) {
    Fire(r.consumer, r.t_ms, "real reuse of " + r.presented_label + " (" + r.outcome + ")");
  }
}

}  // namespace credsim::sim
