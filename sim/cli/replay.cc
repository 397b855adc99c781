#include "sim/cli/replay.h"

#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/json_string.h"
#include "engine/formats/json_tree.h"
#include "sim/cli/files.h"
#include "sim/policies/registry.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/swarm.h"

namespace credsim::sim {
namespace {

constexpr const char* kUsage =
    "usage: credsim replay SEED|TRACE.jsonl|--tape FILE [--minutes M] [--policy NAME] "
    "[--no-tools] [--language-events] [--breadth] [--trace out.jsonl] [--verbose]\n";
constexpr size_t kMaxTapeBytes = size_t{64} << 20;
constexpr size_t kMaxTraceLines = size_t{1} << 26;

int Usage(const std::string& why) {
  std::fprintf(stderr, "credsim replay: %s\n%s", why.c_str(), kUsage);
  return 2;
}

// Where a world comes from: everything needed to build it again.
struct Source {
  std::optional<uint64_t> seed;
  std::string tape_path;
  std::string scenario_path;  // a `credsim run` trace: this scenario file under `policy`
  int64_t minutes = 24 * 60;
  std::string policy = "reference";
  bool tools = true;
  bool language_events = false;  // SwarmOptions::language_events
  bool breadth = false;          // SwarmOptions::breadth
};

struct Options {
  Source source;
  std::string positional, trace_out;
  bool verbose = false;
};

std::optional<Options> ParseOptions(int argc, char** argv, int from, std::string* why) {
  Options o;
  for (int i = from; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    uint64_t n = 0;
    if (arg == "--verbose") {
      o.verbose = true;
    } else if (arg == "--no-tools") {
      o.source.tools = false;
    } else if (arg == "--language-events") {
      o.source.language_events = true;
    } else if (arg == "--breadth") {
      o.source.breadth = true;
    } else if (arg == "--tape" && has_value) {
      o.source.tape_path = argv[++i];
    } else if (arg == "--trace" && has_value) {
      o.trace_out = argv[++i];
    } else if (arg == "--policy" && has_value) {
      o.source.policy = argv[++i];
      if (!FindPolicy(o.source.policy)) return *why = "unknown policy", std::nullopt;
    } else if (arg == "--minutes" && has_value && ParseU64(argv[i + 1], &n) && n > 0 &&
               n <= 576'000) {
      o.source.minutes = static_cast<int64_t>(n);
      ++i;
    } else if (arg.starts_with("--") || !o.positional.empty()) {
      *why = "bad argument " + arg;
      return std::nullopt;
    } else {
      o.positional = arg;
    }
  }
  return o;
}

std::string Hex(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string HeaderLine(const Source& s) {
  std::string line = "{\"credsim_trace\":1";
  if (s.seed) line += ",\"seed\":" + std::to_string(*s.seed);
  if (!s.tape_path.empty()) {
    line += ",\"tape\":";
    base::AppendJsonString(line, s.tape_path);
  }
  line += ",\"minutes\":" + std::to_string(s.minutes) + ",\"policy\":";
  base::AppendJsonString(line, s.policy);
  line += std::string(",\"tools\":") + (s.tools ? "true" : "false");
  if (s.language_events) line += ",\"language_events\":true";
  if (s.breadth) line += ",\"breadth\":true";
  line += "}";
  return line;
}

}  // namespace

std::string ScenarioTraceHeader(const std::string& scenario_path, const std::string& policy,
                                uint64_t seed) {
  std::string line = "{\"credsim_trace\":1,\"scenario\":";
  base::AppendJsonString(line, scenario_path);
  line += ",\"policy\":";
  base::AppendJsonString(line, policy);
  return line + ",\"seed\":" + std::to_string(seed) + "}";
}

std::string TraceTrailer(uint64_t lines, uint64_t trace_hash) {
  return "{\"credsim_trace_end\":1,\"lines\":" + std::to_string(lines) + ",\"trace_hash\":\"" +
         Hex(trace_hash) + "\"}";
}

namespace {

std::optional<Source> ParseHeader(const std::string& line, std::string* why) {
  formats::Result<formats::JsonValue> tree = formats::ParseJsonTree(line);
  if (!tree.ok() || !tree.value().Find("credsim_trace")) {
    *why = "the first line is not a credsim trace header (write one with run or replay --trace)";
    return std::nullopt;
  }
  const formats::JsonValue& h = tree.value();
  Source s;
  if (const auto* v = h.Find("seed"); v && v->kind == formats::JsonKind::kInt64) {
    s.seed = static_cast<uint64_t>(v->int64);
  } else if (v && v->kind == formats::JsonKind::kUint64) {
    s.seed = v->uint64;
  }
  if (const auto* v = h.Find("scenario"); v && v->kind == formats::JsonKind::kString) {
    const auto* policy = h.Find("policy");
    if (!policy || policy->kind != formats::JsonKind::kString || !FindPolicy(policy->string) ||
        !s.seed) {
      *why = "the scenario trace header lacks policy or seed";
      return std::nullopt;
    }
    s.scenario_path = v->string;
    s.policy = policy->string;
    return s;
  }
  if (const auto* v = h.Find("tape"); v && v->kind == formats::JsonKind::kString) {
    s.tape_path = v->string;
  }
  const auto* minutes = h.Find("minutes");
  const auto* policy = h.Find("policy");
  const auto* tools = h.Find("tools");
  if (!minutes || minutes->kind != formats::JsonKind::kInt64 || minutes->int64 <= 0 || !policy ||
      policy->kind != formats::JsonKind::kString || !FindPolicy(policy->string) || !tools ||
      tools->kind != formats::JsonKind::kBool || (!s.seed && s.tape_path.empty())) {
    *why = "the trace header lacks seed/tape, minutes, policy or tools";
    return std::nullopt;
  }
  s.minutes = minutes->int64;
  s.policy = policy->string;
  s.tools = tools->boolean;
  if (const auto* v = h.Find("language_events"); v && v->kind == formats::JsonKind::kBool) {
    s.language_events = v->boolean;
  }
  if (const auto* v = h.Find("breadth"); v && v->kind == formats::JsonKind::kBool) {
    s.breadth = v->boolean;
  }
  return s;
}

struct Outcome {
  RunResult result;
  WorldConfig world;
};

// Builds the world the source names and runs it; nullopt (and *why) if the tape or scenario is
// unreadable.
std::optional<Outcome> RunSource(const Source& s, const RunOptions& run, std::string* why) {
  const SwarmOptions options{.minutes = s.minutes,
                             .policy = s.policy,
                             .tools = s.tools,
                             .language_events = s.language_events,
                             .breadth = s.breadth};
  Outcome out;
  if (!s.scenario_path.empty()) {
    std::optional<Scenario> scenario = LoadScenarioFile(s.scenario_path, why);
    if (!scenario) return std::nullopt;
    out.world = WorldForPolicy(*scenario, s.policy);
    out.world.seed = *s.seed;
    out.world.trace_io = true;
    out.result = RunWorld(out.world, run);
  } else if (!s.tape_path.empty()) {
    std::optional<std::string> tape = ReadFileBytes(s.tape_path, kMaxTapeBytes);
    if (!tape) return *why = "cannot read tape " + s.tape_path, std::nullopt;
    // One tape drives both: the world's shape from its first bytes, the run from the rest.
    TapeChoices choices(std::move(*tape));
    out.world = SwarmWorldFrom(choices, 0, options);
    out.world.trace_io = run.trace_out != nullptr || run.keep_index;
    out.result = RunWorld(out.world, choices, run);
  } else {
    out.world = SwarmWorld(*s.seed, options);
    out.world.trace_io = run.trace_out != nullptr || run.keep_index;
    out.result = RunWorld(out.world, run);
  }
  return out;
}

void PrintResult(const Outcome& o) {
  const RunSummary& s = o.result.summary;
  std::printf(
      "events=%llu trace_lines=%llu trace_hash=%s refreshes=%llu demands=%llu failed=%llu\n",
      (unsigned long long)s.events, (unsigned long long)s.trace_lines, Hex(s.trace_hash).c_str(),
      (unsigned long long)s.refreshes, (unsigned long long)s.demands,
      (unsigned long long)s.demands_failed);
  for (const Violation& v : o.result.violations) {
    std::printf("%s\n", FormatViolation(v, true).c_str());
  }
  std::printf("%s\n", o.result.ok() ? "all oracles held" : "oracle violated");
}

// Replays a trace file: header -> world; the file's own lines are re-hashed (a damaged file is
// bad input), the rerun's lines are compared one by one.
int ReplayTrace(const std::string& path, bool verbose) {
  std::optional<std::string> text = ReadFileBytes(path, size_t{1} << 30);
  if (!text) return Usage("cannot read " + path);
  std::vector<std::string> lines;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line) && lines.size() < kMaxTraceLines;) {
    lines.push_back(std::move(line));
  }
  std::string why;
  if (lines.size() < 2) return Usage(path + ": too short for a credsim trace");
  std::optional<Source> source = ParseHeader(lines.front(), &why);
  if (!source) return Usage(path + ": " + why);
  formats::Result<formats::JsonValue> end = formats::ParseJsonTree(lines.back());
  const formats::JsonValue* recorded =
      end.ok() ? end.value().Find("trace_hash") : static_cast<const formats::JsonValue*>(nullptr);
  if (!recorded || recorded->kind != formats::JsonKind::kString) {
    return Usage(path + ": no trailer with trace_hash (the run did not finish writing?)");
  }
  uint64_t file_hash = Trace::kInitialHash;
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    file_hash = Trace::Mix(file_hash, Trace::LineHash(lines[i]), i - 1);
  }
  if (Hex(file_hash) != recorded->string) {
    return Usage(path + ": its lines do not match its trailer's hash (edited or truncated)");
  }
  std::optional<Outcome> rerun = RunSource(*source, {.keep_index = true}, &why);
  if (!rerun) return Usage(why);
  std::printf("replaying %s\n%s", path.c_str(), DescribeWorld(rerun->world).c_str());
  if (verbose) PrintResult(*rerun);
  const std::vector<Trace::IndexEntry>& index = rerun->result.index;
  const size_t recorded_lines = lines.size() - 2;
  for (size_t i = 0; i < std::min(index.size(), recorded_lines); ++i) {
    if (index[i].line_hash != Trace::LineHash(lines[i + 1])) {
      std::printf("DIVERGED at line %zu (t=%s, event %s); the trace had:\n  %s\n", i + 2,
                  FormatDuration(index[i].t_ms).c_str(), index[i].event.c_str(),
                  lines[i + 1].c_str());
      return 1;
    }
  }
  if (index.size() != recorded_lines) {
    std::printf("DIVERGED: the trace has %zu lines, the rerun %zu\n", recorded_lines, index.size());
    return 1;
  }
  std::printf("identical: %zu lines, trace_hash=%s; %s\n", recorded_lines,
              Hex(rerun->result.summary.trace_hash).c_str(),
              rerun->result.ok() ? "all oracles held" : "oracle violated (as recorded)");
  return rerun->result.ok() ? 0 : 1;
}

}  // namespace

int ReplayMain(int argc, char** argv, int from) {
  std::string why;
  std::optional<Options> o = ParseOptions(argc, argv, from, &why);
  if (!o) return Usage(why);
  uint64_t seed = 0;
  if (o->source.tape_path.empty()) {
    if (o->positional.empty()) return Usage("wants a SEED, a TRACE file or --tape FILE");
    if (!ParseU64(o->positional, &seed)) return ReplayTrace(o->positional, o->verbose);
    o->source.seed = seed;
  } else if (!o->positional.empty()) {
    return Usage("--tape and a SEED/TRACE are exclusive");
  }
  std::FILE* trace = o->trace_out.empty() ? nullptr : std::fopen(o->trace_out.c_str(), "wb");
  if (!o->trace_out.empty() && !trace) return Usage("cannot write " + o->trace_out);
  if (trace) std::fprintf(trace, "%s\n", HeaderLine(o->source).c_str());
  std::FILE* out = trace ? trace : (o->verbose ? stdout : nullptr);
  std::optional<Outcome> run = RunSource(o->source, {.trace_out = out}, &why);
  if (!run) {
    if (trace) std::fclose(trace);
    return Usage(why);
  }
  if (trace) {
    std::fprintf(
        trace, "%s\n",
        TraceTrailer(run->result.summary.trace_lines, run->result.summary.trace_hash).c_str());
    std::fclose(trace);
  }
  std::printf("world drawn from %s:\n%s",
              o->source.tape_path.empty() ? ("seed " + std::to_string(seed)).c_str()
                                          : ("tape " + o->source.tape_path).c_str(),
              DescribeWorld(run->world).c_str());
  PrintResult(*run);
  return run->result.ok() ? 0 : 1;
}

}  // namespace credsim::sim
