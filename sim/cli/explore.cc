#include "sim/cli/explore.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/assert.h"
#include "base/probe.h"
#include "sim/cli/files.h"
#include "sim/cli/probe_table.h"
#include "sim/cli/replay.h"
#include "sim/explore.h"
#include "sim/policies/registry.h"
#include "sim/run.h"
#include "sim/scenario.h"

namespace credsim::sim {
namespace {

constexpr const char* kUsage =
    "usage: credsim explore SCENARIO [--policy NAME] [--preemptions K] [--window MS]\n"
    "                       [--no-state-cache] [--max-schedules N] [--probes]\n"
    "                       [--require-probe NAME]...\n"
    "                       [--pct RUNS [--depth D] [--seed S]] [--out PREFIX]\n"
    "       credsim explore SCENARIO --schedule FILE [--policy NAME] [--trace OUT.jsonl]\n"
    "Runs the scenario's world under every order of the steps due within MS (default 0: at the\n"
    "same instant) of each other, with at most K (default 3) choices other than the natural\n"
    "order; --pct samples RUNS random orders instead (PCT, depth D, default 3). The first order\n"
    "that breaks an oracle is written to PREFIX.schedule.json and PREFIX.trace.jsonl.\n"
    "--probes prints how many explored runs reached each coverage probe; --require-probe NAME\n"
    "fails (exit 1) when no explored run reached that probe.\n";

bool KnownProbe(std::string_view name) {
  for (const base::Probe* p : base::SortedProbes()) {
    if (p->name() == name) return true;
  }
  return false;
}

constexpr size_t kMaxScheduleBytes = size_t{16} << 20;

struct ExploreArgs {
  std::string scenario, policy = "reference", out, schedule, trace;
  bool probes = false;
  std::vector<std::string> required_probes;
  ExploreOptions options;
};

int Bad(const std::string& why) {
  std::fprintf(stderr, "credsim explore: %s\n%s", why.c_str(), kUsage);
  return 2;
}

// Returns nullopt and sets *exit_code on --help (0) or a usage error (2).
std::optional<ExploreArgs> Parse(int argc, char** argv, int from, int* exit_code) {
  ExploreArgs a;
  for (int i = from; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    uint64_t n = 0;
    auto number = [&](uint64_t max) {
      return has_value && ParseU64(argv[i + 1], &n) && n <= max ? (++i, true) : false;
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      *exit_code = 0;
      return std::nullopt;
    }
    if (arg == "--policy" && has_value && FindPolicy(argv[i + 1])) {
      a.policy = argv[++i];
    } else if (arg == "--preemptions" && number(16)) {
      a.options.preemptions = static_cast<int>(n);
    } else if (arg == "--window" && number(3'600'000)) {
      a.options.window_ms = static_cast<int64_t>(n);
    } else if (arg == "--probes") {
      a.probes = true;
    } else if (arg == "--require-probe" && has_value) {
      if (!KnownProbe(argv[i + 1])) {
        *exit_code = Bad(std::string("unknown probe ") + argv[i + 1] +
                         " (credsim swarm --probes lists them)");
        return std::nullopt;
      }
      a.required_probes.push_back(argv[++i]);
    } else if (arg == "--no-state-cache") {
      a.options.state_cache = false;
    } else if (arg == "--max-schedules" && number(uint64_t{1} << 40) && n > 0) {
      a.options.max_schedules = n;
    } else if (arg == "--pct" && number(uint64_t{1} << 32) && n > 0) {
      a.options.pct_runs = n;
    } else if (arg == "--depth" && number(16) && n > 0) {
      a.options.pct_depth = static_cast<int>(n);
    } else if (arg == "--seed" && number(UINT64_MAX)) {
      a.options.pct_seed = n;
    } else if ((arg == "--out" || arg == "--schedule" || arg == "--trace") && has_value) {
      (arg == "--out" ? a.out : arg == "--schedule" ? a.schedule : a.trace) = argv[++i];
    } else if (!arg.starts_with("--") && a.scenario.empty()) {
      a.scenario = arg;
    } else {
      *exit_code = Bad("bad argument " + arg);
      return std::nullopt;
    }
  }
  if (a.scenario.empty()) {
    *exit_code = Bad("wants a SCENARIO file");
    return std::nullopt;
  }
  return a;
}

void PrintViolations(const RunResult& r) {
  for (const Violation& v : r.violations) std::printf("  %s\n", FormatViolation(v, true).c_str());
}

// Writes PREFIX.schedule.json and PREFIX.trace.jsonl for a failing order.
bool WriteFailure(const WorldConfig& world, const ExploreArgs& a, const ExploreResult& r) {
  const std::string schedule_path = a.out + ".schedule.json";
  const std::string trace_path = a.out + ".trace.jsonl";
  if (!WriteFileBytes(schedule_path,
                      ScheduleToJson(*r.failing, a.options.window_ms, r.failing_points))) {
    return false;
  }
  std::FILE* t = std::fopen(trace_path.c_str(), "wb");  // streamed: a trace can be large
  if (t == nullptr) return false;
  RunSchedule(world, *r.failing, a.options.window_ms, {.trace_out = t});
  const bool ok = std::fclose(t) == 0;
  if (ok) {
    std::printf(
        "schedule: %s\ntrace:    %s\nreplay:   credsim explore %s --policy %s --schedule %s\n",
        schedule_path.c_str(), trace_path.c_str(), a.scenario.c_str(), a.policy.c_str(),
        schedule_path.c_str());
  }
  return ok;
}

int ReplaySchedule(const WorldConfig& world, const ExploreArgs& a) {
  const std::optional<std::string> json = ReadFileBytes(a.schedule, kMaxScheduleBytes);
  if (!json) return Bad(a.schedule + ": cannot read (or over 16 MiB)");
  std::string why;
  int64_t window_ms = 0;
  const std::optional<Schedule> schedule = ScheduleFromJson(*json, &window_ms, &why);
  if (!schedule) return Bad(a.schedule + ": " + why);
  std::FILE* t = nullptr;
  if (!a.trace.empty() && (t = std::fopen(a.trace.c_str(), "wb")) == nullptr) {
    return Bad(a.trace + ": cannot write");
  }
  const RunResult r = RunSchedule(world, *schedule, window_ms, {.trace_out = t});
  if (t != nullptr && std::fclose(t) != 0) return Bad(a.trace + ": cannot write");
  std::printf("%s: schedule %s (%zu deviations): %s\n", a.scenario.c_str(), a.schedule.c_str(),
              schedule->size(), r.ok() ? "every oracle held" : "FAILED");
  PrintViolations(r);
  return r.ok() ? 0 : 1;
}

// "SCENARIO (policy P): N schedules in S s, " and the search's own figures.
void PrintSearch(const ExploreArgs& a, const ExploreResult& r, double seconds) {
  std::printf("%s (policy %s): %llu schedules in %.1f s, ", a.scenario.c_str(), a.policy.c_str(),
              (unsigned long long)r.schedules, seconds);
  if (a.options.pct_runs > 0) {
    std::printf("PCT depth %d, up to %llu pick points per run\n", a.options.pct_depth,
                (unsigned long long)r.pick_points_max);
    return;
  }
  std::printf(
      "at most %d preemptions, window %lld ms, up to %llu pick points per run, "
      "%llu states, %llu merged\n",
      a.options.preemptions, (long long)a.options.window_ms, (unsigned long long)r.pick_points_max,
      (unsigned long long)r.states, (unsigned long long)r.merged);
}

// Every oracle held, so each outage had a cause no consumer could avoid; still shown, and with
// --out the first one's schedule is written.
void PrintOutages(const ExploreArgs& a, const ExploreResult& r, bool out_given) {
  CREDSIM_ASSERT(r.first_outage.has_value());
  std::printf("outages: %llu of %llu orders left a judged consumer out; the first: %s\n",
              (unsigned long long)r.with_outage, (unsigned long long)r.schedules,
              r.first_outage_text.c_str());
  if (!out_given) {
    std::printf("  (--out PREFIX writes its schedule to PREFIX.outage.schedule.json)\n");
    return;
  }
  const std::string path = a.out + ".outage.schedule.json";
  if (WriteFileBytes(path, ScheduleToJson(*r.first_outage, a.options.window_ms, {}))) {
    std::printf("outage schedule: %s\n", path.c_str());
  }
}

}  // namespace

int ExploreMain(int argc, char** argv, int from) {
  int exit_code = 2;
  const std::optional<ExploreArgs> parsed = Parse(argc, argv, from, &exit_code);
  if (!parsed) return exit_code;
  ExploreArgs a = *parsed;
  std::string why;
  const std::optional<Scenario> scenario = LoadScenarioFile(a.scenario, &why);
  if (!scenario) return Bad(why);
  const WorldConfig world = WorldForPolicy(*scenario, a.policy);
  if (!a.schedule.empty()) return ReplaySchedule(world, a);
  const bool out_given = !a.out.empty();
  if (!out_given) a.out = "explore-" + scenario->name;

  ProbeTally probes;
  if (a.probes || !a.required_probes.empty()) {
    a.options.before_run = [&] { probes.BeforeWorld(); };
    a.options.after_run = [&] { probes.AfterWorld(); };
  }
  const auto start = std::chrono::steady_clock::now();
  const ExploreResult r = Explore(world, a.options);
  if (a.probes) probes.Print(stdout);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PrintSearch(a, r, seconds);
  if (r.failing) {
    std::printf("FAILED: schedule #%llu (%zu choices off the natural order)\n",
                (unsigned long long)r.schedules, r.failing->size());
    PrintViolations(r.failing_result);
    if (!WriteFailure(world, a, r)) return Bad("cannot write " + a.out + ".*");
    return 1;
  }
  if (r.with_outage > 0) PrintOutages(a, r, out_given);
  const std::vector<std::string> unreached = probes.Unreached();
  for (const std::string& name : a.required_probes) {
    if (std::find(unreached.begin(), unreached.end(), name) == unreached.end()) continue;
    std::printf("--require-probe: no explored run reached %s\n", name.c_str());
    return 1;
  }
  CREDSIM_ASSERT(!r.failing && r.schedules > 0);
  if (a.options.pct_runs > 0 || !r.complete) {
    std::printf("every oracle held in every order run (not exhaustive: %s)\n",
                a.options.pct_runs > 0 ? "PCT samples" : "--max-schedules reached");
  } else {
    std::printf("every oracle held in every order within the bound (exhaustive)\n");
  }
  return 0;
}

}  // namespace credsim::sim
