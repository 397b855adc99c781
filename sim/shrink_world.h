// World shrinking: a failing world made smaller as a world, not as a tape, so that what is left
// reads as a scenario (sim/scenario_writer.h): fewer consumers, scripted events, stores and
// faults, a shorter run, then plainer values (no skew, no drift, default latencies, plain store
// contents), and a failure that comes late moved sooner (the run's start or end cut, faults ended
// and scripted events moved earlier, the whole timeline at double speed with tokens living half
// as long). Each candidate is kept only if the predicate says it still fails the same way.
// Greedy and deterministic: passes over the candidates repeat under the world's seed until one
// keeps nothing; then each candidate is tried under a few seeds never tried before (a race or a
// lost answer needs lucky draws, which almost any edit changes), and the same-seed passes resume
// after one is kept. It ends when a few fresh-seed passes in a row keep nothing or the budget of
// runs is spent. The run of a candidate draws from its seed as any world does, so a kept
// candidate is exactly the world its scenario file replays (seed included).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "sim/world_config.h"

namespace credsim::sim {

struct WorldShrinkStats {
  int runs = 0;             // predicate evaluations
  int kept = 0;             // candidates that still failed
  int passes = 0;           // rounds over every candidate
  int fresh_seed_runs = 0;  // of `runs`, those under a seed other than the world's
};

// What a candidate's run showed: the failure being shrunk (the same oracle first) at `at_ms`, and
// whether the run is no longer than that of the world kept so far (counted in events). Only such
// a candidate is kept; one whose failure shows in a longer run (an event moved sooner, say, and
// the run going on long after it) is cut a minute after its failure and run again.
struct ShrinkRun {
  int64_t at_ms = 0;
  bool no_longer = true;
};

// `fails_at(world)`: what the world's run showed, or nullopt when it does not show the failure;
// `world` itself must show it, at `fail_at_ms`. Every candidate it reports `no_longer` is kept.
// The run is cut a minute after the failure, again whenever a kept candidate makes it show
// earlier.
using FailsAt = std::function<std::optional<ShrinkRun>(const WorldConfig&)>;
WorldConfig ShrinkWorld(WorldConfig world, int64_t fail_at_ms, const FailsAt& fails_at,
                        int max_runs, WorldShrinkStats* stats);

}  // namespace credsim::sim
