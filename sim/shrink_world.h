// World shrinking: a failing world made smaller as a world, not as a tape, so that what is left
// reads as a scenario (sim/scenario_writer.h): fewer consumers, scripted events, stores and
// faults, a shorter run, then plainer values (no skew, no drift, default latencies, plain store
// contents). Each candidate is kept only if the predicate says it still fails the same way.
// Greedy and deterministic: passes over the candidates repeat until one changes nothing or the
// budget of runs is spent. The run of a candidate draws from its seed as any world does, so a
// kept candidate is exactly the world its scenario file replays.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "sim/world_config.h"

namespace credsim::sim {

struct WorldShrinkStats {
  int runs = 0;    // predicate evaluations
  int kept = 0;    // candidates that still failed
  int passes = 0;  // rounds over every candidate
};

// `fails_at(world)`: when the world shows the failure being shrunk, or nullopt when it no longer
// does; `world` itself must show it, at `fail_at_ms`. The run is cut a minute after the failure,
// again whenever a kept candidate makes it show earlier.
using FailsAt = std::function<std::optional<int64_t>(const WorldConfig&)>;
WorldConfig ShrinkWorld(WorldConfig world, int64_t fail_at_ms, const FailsAt& fails_at,
                        int max_runs, WorldShrinkStats* stats);

}  // namespace credsim::sim
