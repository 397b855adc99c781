#include "sim/cli/mutants.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/assert.h"
#include "sim/cli/replay.h"
#include "sim/cli/shrink.h"
#include "sim/policies/registry.h"
#include "sim/run.h"
#include "sim/swarm.h"

namespace credsim::sim {
namespace {

constexpr const char* kUsage =
    "usage: credsim mutants [--seeds N] [--minutes M] [--policy NAME]... [--no-tools]\n"
    "                       [--no-language-events] [--no-breadth] [--shrink-dir DIR]\n"
    "  Runs swarm seeds 1..N against each mutant (every legacy policy and the canary, or the\n"
    "  --policy ones) until an oracle fires on a seed where the reference holds.\n"
    "  Exit 0: all caught and the canary caught on >= 1% of seeds; 1: not; 2: usage.\n";

// The canary must be caught on at least this share of seeds: a search that finds a gross defect
// less often than this is as good as blind.
constexpr uint64_t kCanaryMinPerMille = 10;
constexpr int kShrinkRuns = 400;  // world runs per shrink, as `credsim shrink` spends by default

struct MutantsArgs {
  uint64_t seeds = 1000;
  int64_t minutes = 24 * 60;
  std::vector<std::string> policies;
  // The whole generator: the scenario language's disturbances and the breadth draws too (one
  // mutant, Unbounded401Retry, shows only when the API refuses tokens: a language event).
  bool tools = true, language_events = true, breadth = true;
  std::string shrink_dir;  // when set: every first detection is shrunk into a scenario file here
};

std::optional<MutantsArgs> Parse(int argc, char** argv, int from, std::string* why) {
  MutantsArgs a;
  for (int i = from; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    uint64_t n = 0;
    if (arg == "--no-tools") {
      a.tools = false;
    } else if (arg == "--no-language-events") {
      a.language_events = false;
    } else if (arg == "--no-breadth") {
      a.breadth = false;
    } else if (arg == "--shrink-dir" && has_value) {
      a.shrink_dir = argv[++i];
    } else if (arg == "--seeds" && has_value && ParseU64(argv[++i], &n) && n > 0 &&
               n <= 10'000'000) {
      a.seeds = n;
    } else if (arg == "--minutes" && has_value && ParseU64(argv[++i], &n) && n > 0 &&
               n <= 576'000) {
      a.minutes = static_cast<int64_t>(n);
    } else if (arg == "--policy" && has_value) {
      const PolicyInfo* p = FindPolicy(argv[++i]);
      if (!p || (p->kind != PolicyKind::kLegacy && p->kind != PolicyKind::kCanary)) {
        *why = std::string("not a mutant (a legacy or canary policy): ") + argv[i];
        return std::nullopt;
      }
      a.policies.push_back(p->name);
    } else {
      *why = "bad option " + arg;
      return std::nullopt;
    }
  }
  if (a.policies.empty()) {
    for (const PolicyInfo& p : AllPolicies()) {
      if (p.kind == PolicyKind::kLegacy || p.kind == PolicyKind::kCanary)
        a.policies.push_back(p.name);
    }
  }
  return a;
}

struct Detection {
  uint64_t first_seed = 0;  // 0: never caught
  uint64_t seeds_run = 0;
  uint64_t caught = 0;          // seeds caught (all seeds are run for the canary only)
  uint64_t reference_also = 0;  // seeds where the reference failed too: not counted
  double wall_s = 0;            // until the first detection (or the end)
  std::string oracle;
};

SwarmOptions OptionsFor(const MutantsArgs& a, const std::string& policy) {
  return SwarmOptions{.minutes = a.minutes,
                      .policy = policy,
                      .tools = a.tools,
                      .language_events = a.language_events,
                      .breadth = a.breadth};
}

// A benchmark: wall time is part of its output, never an input of a world.
double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Seeds 1..N until the first detection; the canary runs every seed, for its detection rate.
Detection Hunt(const MutantsArgs& a, const std::string& policy, bool whole_range) {
  const auto start = std::chrono::steady_clock::now();
  Detection d;
  for (uint64_t seed = 1; seed <= a.seeds; ++seed) {
    ++d.seeds_run;
    const RunResult mutant = RunWorld(SwarmWorld(seed, OptionsFor(a, policy)), {});
    if (mutant.ok()) continue;
    if (!RunWorld(SwarmWorld(seed, OptionsFor(a, "reference")), {}).ok()) {
      ++d.reference_also;
      continue;
    }
    ++d.caught;
    if (d.first_seed == 0) {
      d.first_seed = seed;
      d.wall_s = SecondsSince(start);
      d.oracle = mutant.violations.front().oracle;
    }
    if (!whole_range) break;
  }
  if (d.first_seed == 0) d.wall_s = SecondsSince(start);
  CREDSIM_ASSERT(d.caught <= d.seeds_run && d.seeds_run <= a.seeds);
  return d;
}

// Shrinks a first detection into DIR/<policy>.json; the note says how far, and how long it took.
struct ShrinkTally {
  int shrunk = 0, small = 0;  // shrunk detections, and those down to <= 10% of their events
};
std::string ShrinkDetection(const MutantsArgs& a, const std::string& policy, uint64_t seed,
                            ShrinkTally& tally) {
  const auto start = std::chrono::steady_clock::now();
  const ShrinkReport r = ShrinkSwarmFailure(seed, OptionsFor(a, policy), kShrinkRuns,
                                            a.shrink_dir + "/" + policy + ".json");
  const double share = 100.0 * static_cast<double>(r.events_after) /
                       static_cast<double>(std::max<uint64_t>(r.events_before, 1));
  ++tally.shrunk;
  tally.small += share <= 10.0 ? 1 : 0;
  char line[160];
  std::snprintf(line, sizeof line, " (shrunk: %llu -> %llu events, %.1f%%, %.1f s%s)",
                (unsigned long long)r.events_before, (unsigned long long)r.events_after, share,
                SecondsSince(start), r.error.empty() ? "" : ", not written");
  return line;
}

}  // namespace

int MutantsMain(int argc, char** argv, int from) {
  for (int i = from; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return std::fputs(kUsage, stdout), 0;
  }
  std::string why;
  const std::optional<MutantsArgs> a = Parse(argc, argv, from, &why);
  if (!a) return std::fprintf(stderr, "credsim mutants: %s\n%s", why.c_str(), kUsage), 2;
  std::printf("mutants: swarm seeds 1..%llu, %lld minutes each%s%s%s\n",
              (unsigned long long)a->seeds, (long long)a->minutes, a->tools ? "" : ", no tools",
              a->language_events ? ", language events" : "", a->breadth ? ", breadth" : "");
  std::printf("  %-32s %10s %9s  %s\n", "mutant", "first seed", "wall s", "oracle");
  std::vector<std::string> missed;
  bool canary_ok = true;
  ShrinkTally tally;
  for (const std::string& policy : a->policies) {
    const bool canary = FindPolicy(policy)->kind == PolicyKind::kCanary;
    const Detection d = Hunt(*a, policy, canary);
    std::string note;
    if (canary) {
      const uint64_t per_mille = d.caught * 1000 / d.seeds_run;
      canary_ok = canary_ok && per_mille >= kCanaryMinPerMille;
      note = " (canary: caught on " + std::to_string(d.caught) + " of " +
             std::to_string(d.seeds_run) + " seeds)";
    }
    if (d.reference_also > 0) {
      note += " (" + std::to_string(d.reference_also) + " seeds failed under the reference too)";
    }
    if (d.first_seed == 0) missed.push_back(policy);
    if (d.first_seed != 0 && !a->shrink_dir.empty()) {
      note += ShrinkDetection(*a, policy, d.first_seed, tally);
    }
    std::printf("  %-32s %10s %9.2f  %s%s\n", policy.c_str(),
                d.first_seed ? std::to_string(d.first_seed).c_str() : "never", d.wall_s,
                d.first_seed ? d.oracle.c_str() : "-", note.c_str());
    std::fflush(stdout);
  }
  std::string names;
  for (const std::string& m : missed) names += " " + m;
  std::printf("mutants: %zu of %zu caught within %llu seeds%s%s\n",
              a->policies.size() - missed.size(), a->policies.size(), (unsigned long long)a->seeds,
              missed.empty() ? "" : "; never caught:", names.c_str());
  if (tally.shrunk > 0) {
    std::printf("mutants: %d of %d detections shrunk to <= 10%% of their events\n", tally.small,
                tally.shrunk);
  }
  if (!canary_ok) std::printf("mutants: the canary was caught on fewer than 1%% of seeds\n");
  return missed.empty() && canary_ok ? 0 : 1;
}

}  // namespace credsim::sim
