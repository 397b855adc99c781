// credsim: run scenarios, swarm random worlds, replay a seed. Exit codes: 0 all held, 1 an oracle
// or expectation failed, 2 bad input or usage.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/replay.h"
#include "sim/policies/registry.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/swarm.h"

namespace {

using namespace credsim::sim;

constexpr const char* kUsage =
    "usage:\n"
    "  credsim run FILE|DIR... [--policy NAME] [--seed N] [--trace out.jsonl] [--json]\n"
    "  credsim swarm [--seeds N] [--shard I/N] [--minutes M] [--policy NAME]\n"
    "  credsim replay SEED|TRACE.jsonl|--tape FILE [--minutes M] [--policy NAME] [--no-tools]\n"
    "                [--trace out.jsonl] [--verbose]\n"
    "  credsim policies\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "credsim: %s\n%s", why.c_str(), kUsage);
  return 2;
}

struct Args {
  std::vector<std::string> positional;
  std::string policy, trace, shard;
  std::optional<uint64_t> seed;
  int64_t seeds = 100, minutes = 24 * 60;
  bool json = false, verbose = false;
};

bool ParseU64(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *out = std::stoull(s);
  return true;
}

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
    } else if (arg == "--verbose") {
      a.verbose = true;
    } else if (arg == "--policy" && value(&a.policy)) {
      if (!FindPolicy(a.policy)) return *why = "unknown policy " + a.policy, std::nullopt;
    } else if (arg == "--trace" && value(&a.trace)) {
    } else if (arg == "--shard" && value(&a.shard)) {
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

// --- run -------------------------------------------------------------------------------------

bool Meets(const Expectation& e, const RunResult& r, std::string* observed) {
  if (r.violations.empty()) {
    *observed = "all held";
  } else {
    const Violation& v = r.violations.front();
    *observed = v.oracle + " " + v.consumer + " @" + FormatDuration(v.t_ms);
  }
  if (e.all_hold) return r.violations.empty();
  for (const Violation& v : r.violations) {
    if (v.oracle == e.oracle && (e.consumer.empty() || v.consumer == e.consumer) &&
        v.t_ms >= e.from_ms && v.t_ms <= e.to_ms) {
      *observed = v.oracle + " " + v.consumer + " @" + FormatDuration(v.t_ms);
      return true;
    }
  }
  return false;
}

int Run(const Args& a) {
  std::vector<std::string> files;
  for (const std::string& p : a.positional) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> in_dir;
      for (const auto& entry : std::filesystem::directory_iterator(p, ec)) {
        if (entry.path().extension() == ".json") in_dir.push_back(entry.path().string());
      }
      std::sort(in_dir.begin(), in_dir.end());  // directory order is not deterministic
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.push_back(p);
    }
  }
  if (files.empty()) return Usage("run: no scenario files");
  TraceFile trace(a.trace);
  if (!a.trace.empty() && !trace.f) return Usage("cannot write " + a.trace);
  bool all_ok = true;
  if (a.json) std::printf("[");
  bool first = true;
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string error;
    auto scenario = in ? ParseScenario(buf.str(), &error) : std::nullopt;
    if (!in) error = "cannot read";
    if (!scenario) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), error.c_str());
      return 2;
    }
    for (const Expectation& e : scenario->expectations) {
      if (!a.policy.empty() && e.policy != a.policy) continue;
      WorldConfig world = WorldForPolicy(*scenario, e.policy);
      if (a.seed) world.seed = *a.seed;
      RunResult r = RunWorld(world, {.trace_out = trace.f});
      std::string observed;
      const bool ok = Meets(e, r, &observed);
      all_ok &= ok;
      const std::string expected = e.all_hold ? "all hold"
                                              : e.oracle + " " + e.consumer + " in [" +
                                                    FormatDuration(e.from_ms) + ", " +
                                                    FormatDuration(e.to_ms) + "]";
      if (a.json) {
        std::printf(
            "%s\n{\"scenario\":\"%s\",\"policy\":\"%s\",\"seed\":%llu,\"ok\":%s,"
            "\"violations\":%zu}",
            first ? "" : ",", scenario->name.c_str(), e.policy.c_str(),
            (unsigned long long)world.seed, ok ? "true" : "false", r.violations.size());
        first = false;
      } else {
        std::printf("%-6s %-32s %-26s expected: %-40s observed: %s\n", ok ? "PASS" : "FAIL",
                    scenario->name.c_str(), e.policy.c_str(), expected.c_str(), observed.c_str());
        if (!ok) {
          for (const Violation& v : r.violations) {
            std::printf("    %s\n", FormatViolation(v, a.verbose).c_str());
          }
        }
      }
    }
  }
  if (a.json) std::printf("\n]\n");
  return all_ok ? 0 : 1;
}

// --- swarm / replay --------------------------------------------------------------------------

std::string ReplayCommand(uint64_t seed, const Args& a) {
  std::string cmd =
      "credsim replay " + std::to_string(seed) + " --minutes " + std::to_string(a.minutes);
  if (!a.policy.empty()) cmd += " --policy " + a.policy;
  return cmd;
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
                             .policy = a.policy.empty() ? "reference" : a.policy};
  const bool tty = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();  // progress display only
  std::map<std::string, int64_t> hits;
  int64_t failures = 0;
  const uint64_t first = 1 + shard * static_cast<uint64_t>(a.seeds);
  for (int64_t i = 0; i < a.seeds; ++i) {
    const uint64_t seed = first + static_cast<uint64_t>(i);
    RunResult r = RunWorld(SwarmWorld(seed, options), {});
    for (const Violation& v : r.violations) ++hits[v.oracle];
    if (!r.ok()) {
      ++failures;
      if (tty) std::fprintf(stderr, "\r\033[K");
      std::printf("FAIL seed=%llu %s\n  replay: %s\n", (unsigned long long)seed,
                  FormatViolation(r.violations.front(), false).c_str(),
                  ReplayCommand(seed, a).c_str());
    }
    if (tty && (i % 16 == 0 || i + 1 == a.seeds)) {
      std::fprintf(stderr, "\r[%lld/%lld] failures=%lld", (long long)(i + 1), (long long)a.seeds,
                   (long long)failures);
    }
  }
  if (tty) std::fprintf(stderr, "\n");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("swarm: %lld seeds (%llu..%llu), %lld minutes each, policy %s: %lld failed\n",
              (long long)a.seeds, (unsigned long long)first,
              (unsigned long long)(first + a.seeds - 1), (long long)a.minutes,
              options.policy.c_str(), (long long)failures);
  for (const auto& [oracle, n] : hits) std::printf("  %-26s %lld\n", oracle.c_str(), (long long)n);
  std::fprintf(stderr, "swarm: %.1f s wall, %.0f seeds/min\n", seconds,
               seconds > 0 ? 60.0 * a.seeds / seconds : 0.0);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage("missing command");
  const std::string command = argv[1];
  if (command == "replay") return ReplayMain(argc, argv, 2);  // its own options (cli/replay.h)
  std::string why;
  auto args = ParseArgs(argc, argv, 2, &why);
  if (!args) return Usage(why);
  if (command == "run") return Run(*args);
  if (command == "swarm") return Swarm(*args);
  if (command == "policies") {
    for (const PolicyInfo& p : AllPolicies()) {
      std::printf("%-32s %s\n", p.name.c_str(), p.bug.c_str());
    }
    return 0;
  }
  return Usage("unknown command " + command);
}
