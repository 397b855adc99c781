// The world's coverage probes (base/probe.h): situations a swarm must draw for its verdicts to
// cover the reported failure modes. Most are hit by ProbeWatcher from the same observations the
// oracles get; the rest by the world itself where no observation carries the fact (sim/world_*.cc).
// The engine's own decisions are engine/probes.h.
#pragma once

#include "base/probe.h"
#include "sim/oracles/oracle.h"

namespace credsim::sim {

namespace probes {
// Hit by the world (sim/world_*.cc).
extern base::Probe stores_disagree_at_read;
extern base::Probe keychain_locked_read;
extern base::Probe killed_mid_refresh;
extern base::Probe died_after_grant;
extern base::Probe store_write_failed;
}  // namespace probes

// Not an oracle: it never fires. It watches what the oracles watch and hits the probes those
// observations show (an answer lost after a rotation, a reuse answer, a skewed expiry decision, an
// outage and its cause, a write that kept another tool's sections, ...).
class ProbeWatcher final : public Oracle {
 public:
  const char* name() const override { return "probe_watcher"; }
  void OnRefresh(const RefreshObserved& refresh) override;
  void OnWrite(const StoreWritten& write) override;
  void OnDemand(const DemandObserved& demand) override;
  void OnExpiryDecision(const ExpiryDecision& decision) override;
};

}  // namespace credsim::sim
