// RandomFaults: the world's random faults (WorldConfig::faults), each draw named after what it
// does to the request or write in hand. They are active before WorldConfig::faults_until_ms only;
// an inactive fault draws nothing, so a world's choice tape holds exactly the draws that could
// have fired (and a seed's world stays the same when faults end early). The scripted faults are
// Disturbances (disturbances.h); the ones of one consumer stay on that consumer.
#pragma once

#include <cstdint>

#include "base/assert.h"
#include "sim/choice.h"
#include "sim/world_config.h"

namespace credsim::sim {

class RandomFaults {
 public:
  RandomFaults(const NetworkFaults& rates, int64_t until_ms, ChoiceSource& choices)
      : rates_(rates), until_ms_(until_ms), choices_(choices) {
    CREDSIM_ASSERT(until_ms >= 0 && rates.retry_after_ms >= 0);
  }

  bool active(int64_t now_ms) const { return now_ms < until_ms_; }

  // The connection resets before the request leaves: the server never sees it.
  bool DropBeforeSending(int64_t now_ms) { return Draw(now_ms, rates_.drop_before_per_million); }
  // The provider's API layer answers 503 before the authority decides.
  bool ServerError(int64_t now_ms) { return Draw(now_ms, rates_.error_5xx_per_million); }
  // A 429 with Retry-After retry_after_ms().
  bool RateLimit(int64_t now_ms) { return Draw(now_ms, rates_.rate_limit_per_million); }
  // The server acted (a rotation committed) and its answer is lost on the way back.
  bool DropAnswer(int64_t now_ms) { return Draw(now_ms, rates_.drop_after_per_million); }
  // A store write fails as on a full disk.
  bool WriteFails(int64_t now_ms) { return Draw(now_ms, rates_.store_write_fail_per_million); }

  int64_t retry_after_ms() const { return rates_.retry_after_ms; }

 private:
  bool Draw(int64_t now_ms, uint32_t per_million) {
    return active(now_ms) && choices_.Chance(per_million);
  }

  const NetworkFaults rates_;
  const int64_t until_ms_;
  ChoiceSource& choices_;
};

}  // namespace credsim::sim
