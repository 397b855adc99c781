#include "sim/oracles/availability.h"

#include "base/assert.h"
#include "sim/run.h"

namespace credsim::sim {

size_t Availability::IndexOf(const std::string& consumer) {
  for (size_t i = 0; i < consumers_.size(); ++i) {
    if (consumers_[i].consumer == consumer) return i;
  }
  CREDSIM_ASSERT(consumers_.size() < kMaxConsumers, "worlds have at most 256 consumers");
  consumers_.push_back({consumer, 0, 0});
  open_.push_back({});
  return consumers_.size() - 1;
}

void Availability::OnDemand(const DemandObserved& d) {
  const size_t i = IndexOf(d.consumer);
  ConsumerAvailability& c = consumers_[i];
  Open& open = open_[i];
  ++c.demands;
  if (d.served) {
    ++c.served;
    if (open.out && open.outage != SIZE_MAX) outages_[open.outage].to_ms = d.t_ms;
    open = Open{};
    return;
  }
  CREDSIM_ASSERT(!d.outage_cause.empty(), "the world names the cause of every failed demand");
  if (open.out) {
    if (open.outage != SIZE_MAX) ++outages_[open.outage].demands_failed;
    return;
  }
  open.out = true;
  if (outages_.size() >= kMaxOutages) {
    ++outages_dropped_;
    return;
  }
  open.outage = outages_.size();
  outages_.push_back(Outage{.consumer = d.consumer,
                            .judged = d.reference,
                            .from_ms = d.t_ms,
                            .to_ms = d.t_ms,
                            .demands_failed = 1,
                            .cause = d.outage_cause,
                            .status = d.status});
}

void Availability::Finish(int64_t end_ms) {
  for (const Open& open : open_) {
    if (!open.out || open.outage == SIZE_MAX) continue;
    Outage& o = outages_[open.outage];
    CREDSIM_ASSERT(o.from_ms <= end_ms);
    o.to_ms = end_ms;
    o.ongoing = true;
  }
}

std::string DescribeOutage(const Outage& o) {
  return o.consumer + " " + o.cause + " " + FormatDuration(o.from_ms) + "-" +
         (o.ongoing ? "end" : FormatDuration(o.to_ms)) + " (" + std::to_string(o.demands_failed) +
         " demands failed, first: " + o.status + ")";
}

}  // namespace credsim::sim
