// Tape shrinking: a failing world, given as the byte tape that drew it (its shape, then its run;
// TapeChoices), made smaller while it still fails the same way. Choices are the high word of
// value * bound (ChoiceSource::BelowU64), so smaller words mean smaller choices and a run of zero
// words the smallest (a lone zero word is rejected for most bounds, and the draw takes the next
// word): fewer consumers, shorter skews, the first option. The shrinker zeroes ever smaller runs
// of 8-byte words, keeping each change under which the predicate still holds, within a budget of
// runs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "sim/run.h"
#include "sim/swarm.h"

namespace credsim::sim {

struct ShrinkStats {
  int runs = 0;             // predicate evaluations
  size_t words_before = 0;  // non-zero 8-byte words
  size_t words_after = 0;
};

// `still_fails(tape)`: true when the tape still shows the failure being shrunk. Returns the
// smallest failing tape found (trailing zero words trimmed); `tape` itself must fail.
std::string ShrinkTape(std::string tape, const std::function<bool(const std::string&)>& still_fails,
                       int max_runs, ShrinkStats* stats);

// The tape that draws exactly SwarmWorld(seed, options) and its RunWorld: the shape's draws, then
// the run's, recorded from the same generators.
std::string RecordSwarmTape(uint64_t seed, const SwarmOptions& options);
// The world a tape draws, run: its shape from the first bytes, its run from the rest (past the
// end: zeros), as `credsim replay --tape` and the world_choices fuzz target build it.
RunResult RunSwarmTape(std::string tape, const SwarmOptions& options);

}  // namespace credsim::sim
