#include "sim/cli/shrink.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "base/assert.h"
#include "sim/cli/files.h"
#include "sim/cli/replay.h"
#include "sim/policies/registry.h"
#include "sim/run.h"
#include "sim/scenario_writer.h"
#include "sim/shrink.h"
#include "sim/shrink_world.h"

namespace credsim::sim {
namespace {

constexpr const char* kUsage =
    "usage: credsim shrink SEED [--minutes M] [--policy NAME] [--no-tools] [--language-events]\n"
    "                      [--breadth] [--out FILE.json] [--runs N] [--tape-out FILE]\n";

std::string TracePathFor(const std::string& scenario_path) {
  const std::string stem = scenario_path.ends_with(".json")
                               ? scenario_path.substr(0, scenario_path.size() - 5)
                               : scenario_path;
  return stem + ".trace.jsonl";
}

// What `credsim run` must see: the same oracle, for the same consumer, at the same moment (the
// run is deterministic, so the window is one instant).
ScenarioHeader HeaderFor(uint64_t seed, const SwarmOptions& options, const Violation& v) {
  ScenarioHeader h;
  h.name = "swarm-seed-" + std::to_string(seed) + "-shrunk";
  h.source = "credsim shrink " + std::to_string(seed) + " (policy " + options.policy + ")";
  h.summary = "A swarm world shrunk while " + v.oracle + " still fires: " + v.message;
  h.known = "Found by the swarm; the world is what the shrinker kept of seed " +
            std::to_string(seed) + ".";
  h.assumed = "Nothing beyond the world below.";
  h.policy_under_test = options.policy;
  if (IsReferencePolicy(options.policy)) {
    // A finding against the reference engine: the file says what must hold, so `credsim run`
    // fails on it until the engine is fixed, and guards the fix from then on.
    h.summary = "A swarm world the reference engine fails (" + v.oracle + ": " + v.message +
                "); the file expects what must hold.";
    h.expectations = {Expectation{.policy = options.policy}};
    return h;
  }
  h.expectations = {Expectation{.policy = options.policy,
                                .all_hold = false,
                                .oracle = v.oracle,
                                .consumer = v.consumer,
                                .from_ms = v.t_ms,
                                .to_ms = v.t_ms}};
  return h;
}

bool WriteTrace(const WorldConfig& world, const std::string& scenario_path,
                const std::string& policy, const std::string& trace_path) {
  std::FILE* f = std::fopen(trace_path.c_str(), "wb");
  if (!f) return false;
  std::fprintf(f, "%s\n", ScenarioTraceHeader(scenario_path, policy, world.seed).c_str());
  WorldConfig traced = world;
  traced.trace_io = true;  // as `credsim run --trace` and `credsim replay TRACE` run it
  const RunResult r = RunWorld(traced, {.trace_out = f});
  std::fprintf(f, "%s\n", TraceTrailer(r.summary.trace_lines, r.summary.trace_hash).c_str());
  return std::fclose(f) == 0;
}

// The tape of the original world, shrunk by zeroing words (sim/shrink.h).
bool ShrinkTapeTo(uint64_t seed, const SwarmOptions& options, const std::string& oracle,
                  int max_runs, const std::string& path) {
  const std::string tape = RecordSwarmTape(seed, options);
  if (tape.empty()) return false;
  ShrinkStats stats;
  const std::string small = ShrinkTape(
      tape,
      [&](const std::string& candidate) {
        const RunResult r = RunSwarmTape(candidate, options);
        return !r.ok() && r.violations.front().oracle == oracle;
      },
      max_runs, &stats);
  std::printf("tape: %zu non-zero words -> %zu (%d runs): %s\n", stats.words_before,
              stats.words_after, stats.runs, path.c_str());
  return WriteFileBytes(path, small);
}

}  // namespace

ShrinkReport ShrinkSwarmFailure(uint64_t seed, const SwarmOptions& options, int max_runs,
                                const std::string& scenario_path, double max_seconds) {
  const auto start = std::chrono::steady_clock::now();  // the time budget only
  auto out_of_time = [&] {
    return max_seconds > 0 &&
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >
               max_seconds;
  };
  ShrinkReport report;
  const WorldConfig world = SwarmWorld(seed, options);
  const RunResult first = RunWorld(world, {});
  if (first.ok()) return report;
  report.failed = true;
  const Violation& v = first.violations.front();
  report.oracle = v.oracle;
  report.events_before = first.summary.events;
  report.consumers_before = world.consumers.size();
  WorldShrinkStats stats;
  const WorldConfig small = ShrinkWorld(
      world, v.t_ms,
      [&, events = first.summary.events](
          const WorldConfig& candidate) mutable -> std::optional<ShrinkRun> {
        if (out_of_time()) return std::nullopt;  // keeps what it has
        const RunResult r = RunWorld(candidate, {});
        if (r.ok() || r.violations.front().oracle != v.oracle) return std::nullopt;
        // Smaller means fewer events to read, too: a plainer world that runs longer is not kept.
        const ShrinkRun run{.at_ms = r.violations.front().t_ms,
                            .no_longer = r.summary.events <= events};
        if (run.no_longer) events = r.summary.events;  // ShrinkWorld keeps every such candidate
        return run;
      },
      max_runs, &stats);
  const RunResult last = RunWorld(small, {});
  CREDSIM_ASSERT(!last.ok() && last.violations.front().oracle == v.oracle,
                 "the shrinker keeps only worlds that still fail the same way");
  report.events_after = last.summary.events;
  report.consumers_after = small.consumers.size();
  report.runs = stats.runs;
  std::string why;
  const std::optional<std::string> json =
      WriteScenario(small, HeaderFor(seed, options, last.violations.front()), &why);
  if (!json) {
    report.error = "the shrunk world has no scenario spelling: " + why;
    return report;
  }
  if (!WriteFileBytes(scenario_path, *json)) {
    report.error = "cannot write " + scenario_path;
    return report;
  }
  report.scenario_path = scenario_path;
  const std::string trace_path = TracePathFor(scenario_path);
  if (WriteTrace(small, scenario_path, options.policy, trace_path)) {
    report.trace_path = trace_path;
  } else {
    report.error = "cannot write " + trace_path;
  }
  return report;
}

int ShrinkMain(int argc, char** argv, int from) {
  SwarmOptions options;
  std::optional<uint64_t> seed;
  std::string out, tape_out;
  int runs = 400;
  for (int i = from; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    uint64_t n = 0;
    if (arg == "--help" || arg == "-h") return std::fputs(kUsage, stdout), 0;
    if (arg == "--no-tools") {
      options.tools = false;
    } else if (arg == "--language-events") {
      options.language_events = true;
    } else if (arg == "--breadth") {
      options.breadth = true;
    } else if (arg == "--out" && has_value) {
      out = argv[++i];
    } else if (arg == "--tape-out" && has_value) {
      tape_out = argv[++i];
    } else if (arg == "--runs" && has_value && ParseU64(argv[i + 1], &n) && n <= 100'000) {
      runs = static_cast<int>(n), ++i;
    } else if (arg == "--minutes" && has_value && ParseU64(argv[i + 1], &n) && n > 0 &&
               n <= 576'000) {
      options.minutes = static_cast<int64_t>(n), ++i;
    } else if (arg == "--policy" && has_value && FindPolicy(argv[i + 1])) {
      options.policy = argv[++i];
    } else if (!arg.starts_with("--") && !seed && ParseU64(arg, &n)) {
      seed = n;
    } else {
      return std::fprintf(stderr, "credsim shrink: bad argument %s\n%s", arg.c_str(), kUsage), 2;
    }
  }
  if (!seed) return std::fprintf(stderr, "credsim shrink: wants a SEED\n%s", kUsage), 2;
  if (out.empty()) out = "shrunk-" + std::to_string(*seed) + ".json";
  const ShrinkReport r = ShrinkSwarmFailure(*seed, options, runs, out);
  if (!r.failed) {
    std::printf("seed %llu: all oracles held; nothing to shrink\n", (unsigned long long)*seed);
    return 0;
  }
  std::printf(
      "seed %llu: %s\n  before: %zu consumers, %llu events\n"
      "  after:  %zu consumers, %llu events (%d runs)\n",
      (unsigned long long)*seed, r.oracle.c_str(), r.consumers_before,
      (unsigned long long)r.events_before, r.consumers_after, (unsigned long long)r.events_after,
      r.runs);
  if (!r.error.empty()) return std::fprintf(stderr, "credsim shrink: %s\n", r.error.c_str()), 2;
  std::printf("scenario: %s (credsim run %s --policy %s)\ntrace:    %s\n", r.scenario_path.c_str(),
              r.scenario_path.c_str(), options.policy.c_str(), r.trace_path.c_str());
  if (!tape_out.empty() && !ShrinkTapeTo(*seed, options, r.oracle, runs, tape_out)) {
    return std::fprintf(stderr, "credsim shrink: cannot write %s\n", tape_out.c_str()), 2;
  }
  return 1;  // the shrunk world still fails, by construction
}

}  // namespace credsim::sim
