#include "sim/oracles/refresh_storm.h"

#include "base/assert.h"
#include "sim/run.h"

namespace credsim::sim {

RefreshStorm::RefreshStorm(int64_t window_ms, uint32_t max_requests)
    : window_ms_(window_ms), max_requests_(max_requests) {
  CREDSIM_ASSERT(window_ms > 0);
  CREDSIM_ASSERT(max_requests > 0);
}

void RefreshStorm::OnRefresh(const RefreshObserved& r) {
  if (!r.reference || !r.reached_server || fired_[r.consumer]) return;
  CREDSIM_ASSERT(recent_.size() <= kMaxConsumers);
  std::deque<int64_t>& times = recent_[r.consumer];
  CREDSIM_ASSERT(times.empty() || times.back() <= r.t_ms, "observations come in time order");
  while (!times.empty() && times.front() <= r.t_ms - window_ms_) times.pop_front();
  times.push_back(r.t_ms);
  if (times.size() <= max_requests_) return;
  fired_[r.consumer] = true;
  Fire(r.consumer, r.t_ms,
       std::to_string(times.size()) + " token requests within " + FormatDuration(window_ms_) +
           " (one access-token lifetime; bound " + std::to_string(max_requests_) + "), the first " +
           FormatDuration(r.t_ms - times.front()) + " before this one");
}

}  // namespace credsim::sim
