#include "sim/oracles/no_lockout.h"

#include <algorithm>

namespace credsim::sim {

void NoLockout::FaultUntil(int64_t heal_ms) { quiet_from_ms_ = std::max(quiet_from_ms_, heal_ms); }

void NoLockout::OnDemand(const DemandObserved& d) {
  if (!d.reference || d.served || !d.usable_credential_existed) return;
  if (d.t_ms < quiet_from_ms_ + bound_ms_) return;
  Fire(d.consumer, d.t_ms,
       "no usable token (" + d.status + ") although a store it reads holds the live refresh token");
}

}  // namespace credsim::sim
