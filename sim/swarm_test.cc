// Swarm smoke test: reference-only random worlds (faults, skews, restarts, kills, keychain locks
// drawn per seed) must show zero violations.
#include "sim/swarm.h"

#include <gtest/gtest.h>

#include "sim/run.h"

namespace credsim::sim {
namespace {

TEST(Swarm, TwoHundredReferenceWorldsHoldEveryOracle) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const SwarmOptions options{.minutes = 6 * 60, .store_write_faults = true};
    RunResult r = RunWorld(SwarmWorld(seed, options), {});
    ASSERT_TRUE(r.ok()) << "seed " << seed << ":\n"
                        << DescribeWorld(SwarmWorld(seed, options))
                        << FormatViolation(r.violations.front(), true);
    ASSERT_FALSE(r.summary.limit_hit);
  }
}

}  // namespace
}  // namespace credsim::sim
