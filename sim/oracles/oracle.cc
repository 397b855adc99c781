#include "sim/oracles/oracle.h"

namespace credsim::sim {

void Oracle::Fire(std::string consumer, int64_t t_ms, std::string message) {
  if (violations_.size() >= kMaxViolations) return;
  Violation v{name(), std::move(consumer), t_ms, std::move(message), {}};
  if (trace_ != nullptr) v.recent_events = trace_->Recent();
  violations_.push_back(std::move(v));
}

}  // namespace credsim::sim
