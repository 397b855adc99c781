// credsim: run and check scenarios, swarm random worlds, replay, shrink and explore them, hunt
// mutants, list policies, and run real processes (live, fuzz-store). Exit codes: 0 all held, 1 an
// oracle or expectation failed, 2 bad input or usage.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/json_string.h"
#include "live/fuzz_store_main.h"
#include "live/live_main.h"
#include "sim/cli/explore.h"
#include "sim/cli/files.h"
#include "sim/cli/mutants.h"
#include "sim/cli/probe_table.h"
#include "sim/cli/replay.h"
#include "sim/cli/shrink.h"
#include "sim/policies/registry.h"
#include "sim/report/html.h"
#include "sim/report/junit.h"
#include "sim/report/verdict.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/swarm.h"

namespace {

using namespace credsim::sim;

constexpr const char* kUsage =
    "usage:\n"
    "  credsim run FILE|DIR... [--policy NAME] [--seed N] [--trace out.jsonl] [--json]\n"
    "              [--junit FILE] [--html DIR] [--verbose]\n"
    "  credsim check FILE|DIR...\n"
    "  credsim swarm [--seeds N] [--shard I/N] [--minutes M] [--policy NAME] [--no-tools]\n"
    "                [--language-events] [--breadth] [--probes] [--require-probes]\n"
    "                [--shrink-dir DIR [--shrink-seconds S]]\n"
    "  credsim mutants [--seeds N] [--minutes M] [--policy NAME]... (credsim mutants --help)\n"
    "  credsim replay SEED|TRACE.jsonl|--tape FILE [--minutes M] [--policy NAME] [--no-tools]\n"
    "                [--language-events] [--breadth] [--trace out.jsonl] [--verbose]\n"
    "  credsim shrink SEED [--minutes M] [--policy NAME] [--no-tools] [--language-events]\n"
    "                [--breadth] [--out FILE.json] [--runs N] [--tape-out FILE]\n"
    "  credsim explore SCENARIO [--preemptions K] [--window MS] [--pct RUNS] (credsim explore "
    "--help)\n"
    "  credsim live --consumer NAME=TEMPLATE [...] (credsim live --help)\n"
    "  credsim fuzz-store --store claude|agent|codex --cmd TEMPLATE [...] (--help)\n"
    "  credsim policies\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "credsim: %s\n%s", why.c_str(), kUsage);
  return 2;
}

struct Args {
  std::vector<std::string> positional;
  std::string policy, trace, shard, junit, html, shrink_dir;
  int64_t shrink_seconds = 300;
  std::optional<uint64_t> seed;
  int64_t seeds = 100, minutes = 24 * 60;
  bool json = false, verbose = false, no_tools = false, language_events = false;
  bool probes = false, require_probes = false, breadth = false;
};

std::optional<Args> ParseArgs(int argc, char** argv, int from, std::string* why) {
  Args a;
  for (int i = from; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    uint64_t n = 0;
    if (arg == "--json") {
      a.json = true;
    } else if (arg == "--no-tools") {
      a.no_tools = true;
    } else if (arg == "--language-events") {
      a.language_events = true;
    } else if (arg == "--breadth") {
      a.breadth = true;
    } else if (arg == "--probes") {
      a.probes = true;
    } else if (arg == "--require-probes") {
      a.require_probes = true;
    } else if (arg == "--verbose") {
      a.verbose = true;
    } else if (arg == "--policy" && value(&a.policy)) {
      if (!FindPolicy(a.policy)) return *why = "unknown policy " + a.policy, std::nullopt;
    } else if (arg == "--trace" && value(&a.trace)) {
    } else if (arg == "--junit" && value(&a.junit)) {
    } else if (arg == "--html" && value(&a.html)) {
    } else if (arg == "--shard" && value(&a.shard)) {
    } else if (arg == "--shrink-dir" && value(&a.shrink_dir)) {
    } else if (arg == "--shrink-seconds" && value(&v) && ParseU64(v, &n) && n > 0 && n <= 86'400) {
      a.shrink_seconds = static_cast<int64_t>(n);
    } else if (arg == "--seed" && value(&v) && ParseU64(v, &n)) {
      a.seed = n;
    } else if (arg == "--seeds" && value(&v) && ParseU64(v, &n) && n > 0 && n <= 100'000'000) {
      a.seeds = static_cast<int64_t>(n);
    } else if (arg == "--minutes" && value(&v) && ParseU64(v, &n) && n > 0 && n <= 576'000) {
      a.minutes = static_cast<int64_t>(n);
    } else if (arg.starts_with("--")) {
      *why = "bad option " + arg;
      return std::nullopt;
    } else {
      a.positional.push_back(arg);
    }
  }
  return a;
}

struct TraceFile {
  std::FILE* f = nullptr;
  explicit TraceFile(const std::string& path) {
    if (!path.empty()) f = std::fopen(path.c_str(), "wb");
  }
  ~TraceFile() {
    if (f) std::fclose(f);
  }
};

// --- run / check -----------------------------------------------------------------------------

// Scenario files named on the command line; directories contribute their *.json files, sorted
// (directory order is not deterministic).
std::vector<std::string> ScenarioFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(p, ec)) {
      files.push_back(p);
      continue;
    }
    std::vector<std::string> in_dir;
    for (const auto& entry : std::filesystem::directory_iterator(p, ec)) {
      if (entry.path().extension() == ".json" &&
          entry.path().filename().string().find(".schema.") == std::string::npos) {
        in_dir.push_back(entry.path().string());
      }
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  return files;
}

int Check(const Args& a) {
  const std::vector<std::string> files = ScenarioFiles(a.positional);
  if (files.empty()) return Usage("check: no scenario files");
  int bad = 0;
  for (const std::string& file : files) {
    std::string error;
    if (auto s = LoadScenarioFile(file, &error)) {
      std::printf("ok     %s (%s, %zu policies)\n", file.c_str(), s->name.c_str(),
                  s->expectations.size());
    } else {
      std::fprintf(stderr, "error  %s\n", error.c_str());
      ++bad;
    }
  }
  return bad == 0 ? 0 : 2;
}

void PrintRow(const PolicyRun& r, bool verbose) {
  std::printf("%-38s %-32s %-44s %-40s %s\n", r.scenario.c_str(), r.expect.policy.c_str(),
              r.verdict.expected.c_str(), r.verdict.observed.c_str(),
              r.verdict.ok ? "PASS" : "FAIL");
  if (r.verdict.ok) return;
  std::printf("    %s\n", r.verdict.why.c_str());
  for (const Violation& v : r.result.violations) {
    std::printf("    %s\n", FormatViolation(v, verbose).c_str());
  }
}

// Every file parsed, or the first error (printed).
std::optional<std::vector<std::pair<std::string, Scenario>>> LoadScenarios(
    const std::vector<std::string>& files) {
  std::vector<std::pair<std::string, Scenario>> scenarios;
  for (const std::string& file : files) {
    std::string error;
    auto s = LoadScenarioFile(file, &error);
    if (!s) {
      std::fprintf(stderr, "credsim: %s\n", error.c_str());
      return std::nullopt;
    }
    scenarios.emplace_back(file, std::move(*s));
  }
  return scenarios;
}

void PrintRunsAsJson(const std::vector<PolicyRun>& runs) {
  std::printf("[");
  for (size_t i = 0; i < runs.size(); ++i) {
    const PolicyRun& r = runs[i];
    std::string scenario;
    credsim::base::AppendJsonString(scenario, r.scenario);
    std::printf(
        "%s\n{\"scenario\":%s,\"policy\":\"%s\",\"seed\":%llu,\"ok\":%s,"
        "\"violations\":%zu}",
        i ? "," : "", scenario.c_str(), r.expect.policy.c_str(), (unsigned long long)r.seed,
        r.verdict.ok ? "true" : "false", r.result.violations.size());
  }
  std::printf("\n]\n");
}

int Run(const Args& a) {
  const std::vector<std::string> files = ScenarioFiles(a.positional);
  if (files.empty()) return Usage("run: no scenario files");
  const auto loaded = LoadScenarios(files);
  if (!loaded) return 2;
  const std::vector<std::pair<std::string, Scenario>>& scenarios = *loaded;
  size_t selected = 0;
  for (const auto& [file, scenario] : scenarios) {
    for (const Expectation& e : scenario.expectations) {
      selected += a.policy.empty() || e.policy == a.policy ? 1 : 0;
    }
  }
  if (!a.trace.empty() && selected != 1) {
    return Usage("--trace records one run (it selects " + std::to_string(selected) +
                 "): name one scenario file and --policy");
  }
  TraceFile trace(a.trace);
  if (!a.trace.empty() && !trace.f) return Usage("cannot write " + a.trace);
  const RunSettings settings{.seed = a.seed, .timeline = !a.html.empty(), .trace_out = trace.f};
  std::vector<PolicyRun> runs;
  if (!a.json) {
    std::printf("%-38s %-32s %-44s %-40s %s\n", "SCENARIO", "POLICY", "EXPECTED", "OBSERVED",
                "VERDICT");
  }
  for (const auto& [file, scenario] : scenarios) {
    for (const Expectation& e : scenario.expectations) {
      if (!a.policy.empty() && e.policy != a.policy) continue;
      if (trace.f) {
        const uint64_t seed = a.seed ? *a.seed : scenario.world.seed;
        std::fprintf(trace.f, "%s\n", ScenarioTraceHeader(file, e.policy, seed).c_str());
      }
      runs.push_back(RunPolicy(scenario, file, e, settings));
      if (trace.f) {
        const RunSummary& summary = runs.back().result.summary;
        std::fprintf(trace.f, "%s\n",
                     TraceTrailer(summary.trace_lines, summary.trace_hash).c_str());
      }
      if (!a.json) PrintRow(runs.back(), a.verbose);
    }
  }
  size_t failed = 0;
  for (const PolicyRun& r : runs) failed += r.verdict.ok ? 0 : 1;
  if (a.json) {
    PrintRunsAsJson(runs);
  } else {
    std::printf("%zu runs, %zu failed\n", runs.size(), failed);
  }
  if (!a.junit.empty() && !WriteFileBytes(a.junit, JUnitXml(runs))) {
    return Usage("cannot write " + a.junit);
  }
  if (!a.html.empty()) {
    std::string error;
    if (!WriteHtmlReport(a.html, runs, &error)) return Usage(error);
    std::fprintf(stderr, "HTML report: %s/index.html\n", a.html.c_str());
  }
  return failed == 0 ? 0 : 1;
}

// --- swarm / replay --------------------------------------------------------------------------

std::string ReplayCommand(uint64_t seed, const Args& a) {
  std::string cmd =
      "credsim replay " + std::to_string(seed) + " --minutes " + std::to_string(a.minutes);
  if (!a.policy.empty()) cmd += " --policy " + a.policy;
  if (a.no_tools) cmd += " --no-tools";
  if (a.language_events) cmd += " --language-events";
  if (a.breadth) cmd += " --breadth";
  return cmd;
}

// --shrink-dir: each failing world shrunk (within --shrink-seconds) into DIR/swarm-SEED.json.
void ShrinkInto(const Args& a, const SwarmOptions& options, uint64_t seed) {
  std::error_code ec;
  std::filesystem::create_directories(a.shrink_dir, ec);
  const std::string path =
      (std::filesystem::path(a.shrink_dir) / ("swarm-" + std::to_string(seed) + ".json")).string();
  const ShrinkReport r =
      ShrinkSwarmFailure(seed, options, 400, path, static_cast<double>(a.shrink_seconds));
  if (!r.error.empty()) {
    std::printf("  shrink: %s\n", r.error.c_str());
    return;
  }
  std::printf("  shrunk: %llu -> %llu events, %zu -> %zu consumers: credsim run %s --policy %s\n",
              (unsigned long long)r.events_before, (unsigned long long)r.events_after,
              r.consumers_before, r.consumers_after, r.scenario_path.c_str(),
              options.policy.c_str());
}

int Swarm(const Args& a) {
  uint64_t shard = 0, shards = 1;
  if (!a.shard.empty()) {
    const size_t slash = a.shard.find('/');
    if (slash == std::string::npos || !ParseU64(a.shard.substr(0, slash), &shard) ||
        !ParseU64(a.shard.substr(slash + 1), &shards) || shards == 0 || shard >= shards) {
      return Usage("--shard wants I/N with 0 <= I < N");
    }
  }
  const SwarmOptions options{.minutes = a.minutes,
                             .policy = a.policy.empty() ? "reference" : a.policy,
                             .tools = !a.no_tools,
                             .language_events = a.language_events,
                             .breadth = a.breadth};
  const bool tty = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();  // progress display only
  std::map<std::string, int64_t> hits;
  ProbeTally probes;
  int64_t failures = 0;
  uint64_t refreshes = 0, refused_after_tool = 0, refused_out_of_reach = 0;
  const uint64_t first = 1 + shard * static_cast<uint64_t>(a.seeds);
  for (int64_t i = 0; i < a.seeds; ++i) {
    const uint64_t seed = first + static_cast<uint64_t>(i);
    probes.BeforeWorld();
    RunResult r = RunWorld(SwarmWorld(seed, options), {});
    probes.AfterWorld();
    for (const Violation& v : r.violations) ++hits[v.oracle];
    refreshes += r.summary.refreshes;
    refused_after_tool += r.refused_after_tool_rotation;
    refused_out_of_reach += r.refused_nothing_live_in_reach;
    if (!r.ok()) {
      ++failures;
      if (tty) std::fprintf(stderr, "\r\033[K");
      std::printf("FAIL seed=%llu %s\n  replay: %s\n", (unsigned long long)seed,
                  FormatViolation(r.violations.front(), false).c_str(),
                  ReplayCommand(seed, a).c_str());
      if (!a.shrink_dir.empty()) ShrinkInto(a, options, seed);
    }
    if (tty && (i % 16 == 0 || i + 1 == a.seeds)) {
      std::fprintf(stderr, "\r[%lld/%lld] failures=%lld", (long long)(i + 1), (long long)a.seeds,
                   (long long)failures);
    }
  }
  if (tty) std::fprintf(stderr, "\n");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("swarm: %lld seeds (%llu..%llu), %lld minutes each, policy %s%s: %lld failed\n",
              (long long)a.seeds, (unsigned long long)first,
              (unsigned long long)(first + a.seeds - 1), (long long)a.minutes,
              options.policy.c_str(), a.no_tools ? ", no tools" : "", (long long)failures);
  for (const auto& [oracle, n] : hits) std::printf("  %-26s %lld\n", oracle.c_str(), (long long)n);
  // Not a failure, but each is a reuse signal to a strict server: the number to keep small.
  std::printf(
      "swarm: %llu refreshes granted; %llu judged refreshes refused because a tool had "
      "already rotated the token, %llu because no live token was within reach\n",
      (unsigned long long)refreshes, (unsigned long long)refused_after_tool,
      (unsigned long long)refused_out_of_reach);
  std::fprintf(stderr, "swarm: %.1f s wall, %.0f seeds/min\n", seconds,
               seconds > 0 ? 60.0 * a.seeds / seconds : 0.0);
  if (a.probes || a.require_probes) probes.Print(stdout);
  const std::vector<std::string> unreached = probes.Unreached();
  if (a.require_probes && !unreached.empty()) {
    std::string names;
    for (const std::string& n : unreached) names += " " + n;
    std::printf("swarm: --require-probes: %zu probes never reached:%s\n", unreached.size(),
                names.c_str());
    return 1;
  }
  return failures == 0 ? 0 : 1;
}

// `credsim --help`, `credsim help`, and `--help`/`-h` after any command: the usage on stdout, exit
// 0 (asking for help is not an error).
bool AsksForHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h" || (i == 1 && arg == "help")) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // Whole lines on stdout, in program order with stderr: a pipe would otherwise buffer stdout
  // and let a progress or timing line on stderr land inside a result table, even mid-line.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  // Its own options and help (live/live_main.h).
  if (argc >= 2 && std::string(argv[1]) == "live") return credsim::sim::LiveMain(argc, argv, 2);
  if (argc >= 2 && std::string(argv[1]) == "fuzz-store") {
    return credsim::sim::FuzzStoreMain(argc, argv, 2);
  }
  if (AsksForHelp(argc, argv)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (argc < 2) return Usage("missing command");
  const std::string command = argv[1];
  if (command == "replay") return ReplayMain(argc, argv, 2);  // its own options (cli/replay.h)
  if (command == "shrink") return ShrinkMain(argc, argv, 2);
  if (command == "explore") return ExploreMain(argc, argv, 2);
  if (command == "mutants") return MutantsMain(argc, argv, 2);
  std::string why;
  auto args = ParseArgs(argc, argv, 2, &why);
  if (!args) return Usage(why);
  if (command == "run") return Run(*args);
  if (command == "check") return Check(*args);
  if (command == "swarm") return Swarm(*args);
  if (command == "policies") {
    for (const PolicyInfo& p : AllPolicies()) {
      std::printf("%-32s %s\n", p.name.c_str(), p.bug.c_str());
    }
    return 0;
  }
  return Usage("unknown command " + command);
}
