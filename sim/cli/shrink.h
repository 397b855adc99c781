// `credsim shrink`: a failing swarm world made small enough to read, written as a scenario file
// that `credsim run` replays (expecting the same oracle, consumer and moment) and its trace.
//
//   credsim shrink SEED [--minutes M] [--policy NAME] [--no-tools] [--language-events]
//                  [--breadth] [--out FILE.json] [--runs N] [--tape-out FILE]
//
// The world is shrunk as a world (sim/shrink_world.h); --tape-out also shrinks the byte tape that
// draws the original world (sim/shrink.h), for `credsim replay --tape`.
// Exit codes: 1 the shrunk world fails (as it must), 0 the seed's world holds, 2 usage or I/O.
#pragma once

#include <cstdint>
#include <string>

#include "sim/swarm.h"

namespace credsim::sim {

struct ShrinkReport {
  bool failed = false;  // the seed's world failed at all (nothing to shrink otherwise)
  std::string oracle;
  uint64_t events_before = 0, events_after = 0;
  size_t consumers_before = 0, consumers_after = 0;
  int runs = 0;
  std::string scenario_path, trace_path;  // written (empty: could not be)
  std::string error;                      // why a file could not be written
};

// Shrinks swarm world `seed` with at most `max_runs` runs and writes `scenario_path` and, beside
// it, the trace (".trace.jsonl" for ".json"). With max_seconds > 0 the shrinker stops taking
// smaller worlds once that much wall time has passed (what it has by then is written).
ShrinkReport ShrinkSwarmFailure(uint64_t seed, const SwarmOptions& options, int max_runs,
                                const std::string& scenario_path, double max_seconds = 0);

int ShrinkMain(int argc, char** argv, int from);

}  // namespace credsim::sim
