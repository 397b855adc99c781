// One scenario run under one policy, and its verdict against the scenario's expectation. What
// `credsim run`, the JUnit and HTML writers and the scenario regression test all share, so a
// reproduction is judged one way everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/report/timeline.h"
#include "sim/run.h"
#include "sim/scenario.h"

namespace credsim::sim {

struct Verdict {
  bool ok = false;
  std::string expected;  // "all hold" or "no_lockout agent in [55m, 1h05m]"
  std::string observed;  // "all held" or the matching / first violation "oracle consumer @t"
  std::string why;       // empty when ok; else what went wrong ("the reproduction broke: ...")
};

struct PolicyRun {
  std::string file;  // the scenario file (for messages and the JUnit classname)
  std::string scenario, source, summary;
  Expectation expect;
  uint64_t seed = 0;
  int64_t duration_ms = 0;
  RunResult result;
  Verdict verdict;
  std::optional<Timeline> timeline;  // when asked for (the HTML report)
};

struct RunSettings {
  std::optional<uint64_t> seed;  // overrides the scenario's
  bool timeline = false;         // capture the trace and build the timeline (slower)
  std::FILE* trace_out = nullptr;
};

// Judges a run: see Expectation. A legacy run whose oracle fires for another consumer, outside
// the window, or not at all is not ok: the reproduction broke.
Verdict Judge(const Expectation& e, const RunResult& r);
PolicyRun RunPolicy(const Scenario& s, const std::string& file, const Expectation& e,
                    const RunSettings& settings);

// Compact durations for tables: "55m", "1h05m", "2d3h", "0s", "12.5s".
std::string ShortDuration(int64_t ms);

}  // namespace credsim::sim
