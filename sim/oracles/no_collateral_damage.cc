#include "sim/oracles/no_collateral_damage.h"

#include <utility>

#include "engine/store_id.h"
#include "sim/labels.h"

namespace credsim::sim {

void NoCollateralDamage::OnWrite(const StoreWritten& w) {
  if (!w.reference) return;
  // The engine empties its own rescue store once a parked pair is in every store: that is its
  // protocol (StoreKind::kEngineRescue), not a store going back.
  if (w.kind == engine::StoreKind::kEngineRescue && w.family_after == 0 && w.readable_after) return;
  if (w.unparsable_before) {
    // The engine reports a store it cannot parse and never rewrites it: whatever the document
    // held (other providers, fields the engine cannot see) would be gone.
    Fire(w.consumer, w.t_ms, w.store + " did not parse and was overwritten");
  } else if (w.readable_before && !w.readable_after) {
    Fire(w.consumer, w.t_ms, w.store + " left unreadable");
  } else if (w.scopes_before && !w.scopes_after) {
    Fire(w.consumer, w.t_ms, w.store + " lost its scopes");
  } else if (w.plan_before && !w.plan_after) {
    Fire(w.consumer, w.t_ms, w.store + " lost its subscriptionType");
  } else if (w.symlink_before && !w.symlink_after) {
    Fire(w.consumer, w.t_ms, w.store + " was a symlink and is now a regular file");
  } else if (w.markers_before && !w.markers_after) {
    Fire(w.consumer, w.t_ms, w.store + " lost unknown fields");
  } else if (w.readable_before && w.readable_after && w.foreign_before != w.foreign_after) {
    Fire(w.consumer, w.t_ms, w.store + " changed a section another tool owns");
  } else if (std::pair(w.family_after, w.generation_after) <
             std::pair(w.family_before, w.generation_before)) {
    Fire(w.consumer, w.t_ms,
         w.store + " went back from " + RefreshLabel(w.family_before, w.generation_before) +
             " to " + RefreshLabel(w.family_after, w.generation_after));
  }
}

}  // namespace credsim::sim
