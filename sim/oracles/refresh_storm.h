// refresh_storm: a judged consumer sends at most `max_requests` token requests that reach the
// server within any window of one access-token lifetime. A correct engine rotates about once per
// lifetime for the whole session; a few more for a login, a lost answer or a 401. More than the
// bound is a storm: every needless rotation revokes siblings' tokens on some servers (report 22,
// claude-code #58066) and a refresh loop around a 401 can run several times a second (report 17,
// hermes #70401).
//
// Deliberately NOT verified: requests answered by a down or rate-limiting server (they never
// reach the authority, and the engine's backoff bounds them), and tool models (part of the world;
// their storms show up as other consumers' outages).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "sim/oracles/oracle.h"

namespace credsim::sim {

class RefreshStorm final : public Oracle {
 public:
  static constexpr uint32_t kDefaultMaxRequests = 6;
  RefreshStorm(int64_t window_ms, uint32_t max_requests);
  const char* name() const override { return "refresh_storm"; }
  void OnRefresh(const RefreshObserved& r) override;

 private:
  static constexpr size_t kMaxConsumers = 256;
  int64_t window_ms_;
  uint32_t max_requests_;
  std::map<std::string, std::deque<int64_t>> recent_;  // per consumer, inside the window
  std::map<std::string, bool> fired_;                  // one firing per consumer is enough
};

}  // namespace credsim::sim
