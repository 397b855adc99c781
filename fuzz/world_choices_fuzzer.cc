// The simulator's choices as the fuzzer's input: the bytes are the choice tape of a world, so
// coverage guidance steers the world's shape (consumers, tools, stores, faults) and every
// interleaving and fault timing of its hour. Every oracle must hold under the reference engine.
// A failing input replays with `credsim replay --tape FILE --minutes 60` (the same tape drives the
// world's shape from its first bytes and the run from the rest, as here).
#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz/fuzz_check.h"
#include "sim/run.h"
#include "sim/shrink.h"
#include "sim/swarm.h"

using namespace credsim::sim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;
  const RunResult result = RunSwarmTape(std::string(reinterpret_cast<const char*>(data), size),
                                        SwarmOptions{.minutes = 60});
  CREDSIM_FUZZ_CHECK(!result.summary.limit_hit, "an hour-long world ends within its event limit");
  if (!result.ok()) {
    const Violation& v = result.violations.front();
    std::fprintf(stderr, "oracle %s fired for %s: %s\n", v.oracle.c_str(), v.consumer.c_str(),
                 v.message.c_str());
  }
  CREDSIM_FUZZ_CHECK(result.ok(), "every oracle holds in a world the tape describes");
  return 0;
}
