// Oracle: one property checked over a run. Each oracle lives in its own file, which opens by
// saying what it verifies and what it deliberately does not.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/observation.h"
#include "sim/trace.h"

namespace credsim::sim {

struct WorldFacts;  // see world.h: static facts about the run (reference-only? last fault heal?)

class Oracle : public TraceListener {
 public:
  virtual ~Oracle() = default;
  virtual const char* name() const = 0;
  virtual void OnRefresh(const RefreshObserved&) {}
  virtual void OnWrite(const StoreWritten&) {}
  virtual void OnDemand(const DemandObserved&) {}
  virtual void OnExpiryDecision(const ExpiryDecision&) {}
  void OnTraceLine(std::string_view) override {}
  // Called once, after the last event; for end-of-run properties.
  virtual void Finish(int64_t) {}

  const std::vector<Violation>& violations() const { return violations_; }

 protected:
  // Records a violation (at most kMaxViolations per oracle: the first ones are the useful ones).
  void Fire(std::string consumer, int64_t t_ms, std::string message);

 private:
  static constexpr size_t kMaxViolations = 8;
  std::vector<Violation> violations_;
  friend class World;
  const Trace* trace_ = nullptr;  // set by World::AddOracle: a violation quotes its last lines
};

}  // namespace credsim::sim
