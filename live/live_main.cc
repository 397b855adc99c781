#include "live/live_main.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "base/json_string.h"
#include "fake_oauth_server/duration.h"
#include "fake_oauth_server/outcome.h"
#include "live/files.h"
#include "live/judge.h"
#include "live/live_run.h"
#include "live/scenario_layout.h"
#include "sim/report/html.h"
#include "sim/report/junit.h"
#include "sim/report/verdict.h"
#include "sim/scenario.h"

namespace credsim::sim {
namespace {

namespace fs = std::filesystem;
using live::BesideThisBinary;
using live::LiveConfig;
using live::LiveConsumer;

constexpr const char* kLiveUsage =
    "usage: credsim live --consumer NAME=TEMPLATE [--consumer ...] [options]\n"
    "  Runs real consumer processes against fake_oauth_server on a sandbox home and judges them\n"
    "  with the simulator's oracles (docs/EXTERNAL_ENGINES.md).\n"
    "  --consumer NAME=TEMPLATE   a judged consumer: a shell command template; placeholders\n"
    "                             {home} {token_url} {base_url} {provider} {codex_home}\n"
    "                             {claude_dir} {engine} {tag}; it prints a token as its last line\n"
    "  --tool NAME=TEMPLATE       a consumer that shares the home but is not judged\n"
    "  --on-401 NAME=TEMPLATE     what NAME runs when the API refuses the token it printed\n"
    "  --copies NAME=N            N concurrent lanes of NAME (default 1, at most 16)\n"
    "  --every NAME=MIN,MAX       pause between NAME's calls (default 200ms,1500ms)\n"
    "  --at NAME=T1,T2,...        start NAME's calls at these times instead (e.g. 0s,1500ms,4s)\n"
    "  --scenario FILE            lay out the home from a scenario's initial stores and take its\n"
    "                             provider and reuse policy (what does not apply is listed)\n"
    "  --provider P               anthropic (default) or openai-codex\n"
    "  --duration D               how long consumers keep starting (default 10s)\n"
    "  --timeout D                per process (default 30s)\n"
    "  --access-ttl D             the server's access token lifetime (default 20s)\n"
    "  --reuse-policy P           the server's (default revoke-family)\n"
    "  --nemesis LIST             kill,5xx,429,delay-grant,lost-response,naive-writer,clock-jump\n"
    "  --nemesis-rounds N         times each nemesis fires (default 1)\n"
    "  --seed N                   the schedule's seed (default 1)\n"
    "  --expect ORACLE[:NAME]     the run must fail this oracle (a known bug) instead of all "
    "holding\n"
    "  --junit FILE  --html DIR   reports, as `credsim run` writes them\n"
    "  --work DIR                 keep the sandbox, outputs and server log here (default: a temp\n"
    "                             directory, removed when every oracle held)\n"
    "  --server PATH --engine PATH  binaries (default: beside this credsim)\n"
    "exit: 0 as expected, 1 an oracle or expectation failed, 2 bad usage or setup\n";

int LiveUsage(const std::string& why) {
  std::fprintf(stderr, "credsim live: %s\n%s", why.c_str(), kLiveUsage);
  return 2;
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 20) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

struct LiveArgs {
  LiveConfig config;
  std::string scenario_file;
  bool reuse_policy_given = false;
  std::string expect_oracle, expect_consumer = "*";
  std::string junit, html, work;
};

// NAME=VALUE; false when NAME is not a valid consumer name.
bool SplitNamed(const std::string& arg, std::string* name, std::string* value) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos) return false;
  *name = arg.substr(0, eq);
  *value = arg.substr(eq + 1);
  return ValidName(*name) && !value->empty();
}

bool LoadScenario(LiveArgs& a, std::string* why) {
  std::ifstream in(a.scenario_file, std::ios::binary);
  if (!in) return *why = "cannot read " + a.scenario_file, false;
  std::stringstream text;
  text << in.rdbuf();
  std::optional<Scenario> scenario = ParseScenario(text.str(), why);
  if (!scenario) return *why = a.scenario_file + ": " + *why, false;
  LiveConfig& c = a.config;
  c.name = scenario->name;
  c.provider = scenario->world.provider;
  if (!a.reuse_policy_given) c.reuse_policy = oauth::ToString(scenario->world.reuse);
  c.scenario_world = scenario->world;
  for (const std::string& line : live::NotApplicableLive(scenario->world)) {
    std::printf("credsim live: from %s, not applied: %s\n", a.scenario_file.c_str(), line.c_str());
  }
  return true;
}

// Options that name a consumer (NAME=VALUE), applied once every consumer is known.
struct PerConsumerOptions {
  std::map<std::string, std::string> on_401, copies, every, at;
};

bool ParseLiveDuration(const std::string& text, int64_t* out, std::string* why) {
  const std::optional<int64_t> ms = oauth::ParseDurationMs(text);
  if (!ms || *ms <= 0) return *why = "bad duration '" + text + "' (e.g. 500ms, 10s, 2m)", false;
  *out = *ms;
  return true;
}

// --consumer / --tool NAME=TEMPLATE
bool AddLiveConsumer(const std::string& arg, const std::string& v, LiveConfig& c,
                     std::string* why) {
  std::string name, value;
  if (!SplitNamed(v, &name, &value)) {
    return *why = arg + " wants NAME=TEMPLATE with NAME in [a-z0-9_]{1,20}", false;
  }
  for (const LiveConsumer& other : c.consumers) {
    if (other.name == name) return *why = "consumer " + name + " named twice", false;
  }
  c.consumers.push_back(
      LiveConsumer{.name = name, .command = value, .judged = arg == "--consumer"});
  return true;
}

bool ParseNemesisList(const std::string& v, LiveConfig& c, std::string* why) {
  size_t start = 0;
  while (start <= v.size()) {  // bounded: start grows by at least one each round
    const size_t comma = std::min(v.find(',', start), v.size());
    live::NemesisKind kind;
    if (!live::ParseNemesis(v.substr(start, comma - start), &kind)) {
      return *why = "unknown nemesis '" + v.substr(start, comma - start) + "'", false;
    }
    c.nemeses.push_back(kind);
    start = comma + 1;
  }
  return true;
}

// --expect ORACLE[:CONSUMER]
bool ParseExpect(const std::string& v, LiveArgs& a, std::string* why) {
  const size_t colon = v.find(':');
  a.expect_oracle = v.substr(0, colon);
  if (colon != std::string::npos) a.expect_consumer = v.substr(colon + 1);
  const auto& known = KnownOracles();
  if (std::find(known.begin(), known.end(), a.expect_oracle) == known.end()) {
    return *why = "unknown oracle " + a.expect_oracle, false;
  }
  return true;
}

// One option and its value.
bool ParseLiveOption(const std::string& arg, const std::string& v, LiveArgs& a,
                     PerConsumerOptions& per, std::string* why) {
  LiveConfig& c = a.config;
  std::string name, value;
  if (arg == "--consumer" || arg == "--tool") return AddLiveConsumer(arg, v, c, why);
  if (arg == "--on-401" || arg == "--copies" || arg == "--every" || arg == "--at") {
    if (!SplitNamed(v, &name, &value)) return *why = arg + " wants NAME=VALUE", false;
    (arg == "--on-401"   ? per.on_401
     : arg == "--copies" ? per.copies
     : arg == "--every"  ? per.every
                         : per.at)[name] = value;
    return true;
  }
  if (arg == "--provider") {
    const auto p = engine::ParseProvider(v);
    if (!p) return *why = "unknown provider " + v, false;
    c.provider = *p;
    return true;
  }
  if (arg == "--duration") return ParseLiveDuration(v, &c.duration_ms, why);
  if (arg == "--timeout") return ParseLiveDuration(v, &c.timeout_ms, why);
  if (arg == "--access-ttl") {
    int64_t ms = 0;
    c.access_ttl = v;
    return ParseLiveDuration(v, &ms, why);
  }
  if (arg == "--nemesis") return ParseNemesisList(v, c, why);
  if (arg == "--nemesis-rounds") {
    c.nemesis_rounds = std::atoi(v.c_str());
    if (c.nemesis_rounds < 1 || c.nemesis_rounds > 20)
      return *why = "--nemesis-rounds 1..20", false;
    return true;
  }
  if (arg == "--expect") return ParseExpect(v, a, why);
  if (arg == "--reuse-policy") {
    c.reuse_policy = v;
    a.reuse_policy_given = true;
    return true;
  }
  if (arg == "--seed") return c.seed = std::strtoull(v.c_str(), nullptr, 10), true;
  // Plain string options.
  const std::pair<const char*, std::string*> strings[] = {
      {"--scenario", &a.scenario_file},
      {"--junit", &a.junit},
      {"--html", &a.html},
      {"--work", &a.work},
      {"--server", &c.server_binary},
      {"--engine", &c.engine_binary},
  };
  for (const auto& [flag, target] : strings) {
    if (arg == flag) return *target = v, true;
  }
  return *why = "unknown option " + arg, false;
}

// --at NAME=T1,T2,...: ascending times from the start.
bool ParseAtTimes(const std::string& times, LiveConsumer& consumer, std::string* why) {
  size_t start = 0;
  while (start <= times.size()) {  // bounded: start grows by at least one each round
    const size_t comma = std::min(times.find(',', start), times.size());
    const std::string t = times.substr(start, comma - start);
    const std::optional<int64_t> ms =
        t == "0" ? std::optional<int64_t>(0) : oauth::ParseDurationMs(t);
    if (!ms || (!consumer.at_ms.empty() && *ms < consumer.at_ms.back()) ||
        consumer.at_ms.size() >= 1000) {
      return *why = "--at " + consumer.name + "=T1,T2,... wants ascending durations", false;
    }
    consumer.at_ms.push_back(*ms);
    start = comma + 1;
  }
  return true;
}

bool ApplyToConsumer(PerConsumerOptions& per, LiveConsumer& consumer, std::string* why) {
  if (per.on_401.count(consumer.name)) consumer.on_401 = per.on_401[consumer.name];
  if (per.copies.count(consumer.name)) {
    consumer.copies = std::atoi(per.copies[consumer.name].c_str());
    if (consumer.copies < 1 || consumer.copies > 16) {
      return *why = "--copies " + consumer.name + "=1..16", false;
    }
  }
  if (per.every.count(consumer.name)) {
    const std::string& e = per.every[consumer.name];
    const size_t comma = e.find(',');
    std::string ignored;
    if (comma == std::string::npos ||
        !ParseLiveDuration(e.substr(0, comma), &consumer.every_min_ms, &ignored) ||
        !ParseLiveDuration(e.substr(comma + 1), &consumer.every_max_ms, &ignored) ||
        consumer.every_min_ms > consumer.every_max_ms) {
      return *why = "--every NAME=MIN,MAX with MIN <= MAX", false;
    }
  }
  return !per.at.count(consumer.name) || ParseAtTimes(per.at[consumer.name], consumer, why);
}

bool ApplyPerConsumerOptions(PerConsumerOptions& per, LiveConfig& c, std::string* why) {
  for (LiveConsumer& consumer : c.consumers) {
    if (!ApplyToConsumer(per, consumer, why)) return false;
  }
  for (const auto* named : {&per.on_401, &per.copies, &per.every, &per.at}) {
    for (const auto& entry : *named) {
      // Not a structured binding: clang 14 cannot capture one in a lambda.
      const std::string& name = entry.first;
      const bool known = std::any_of(c.consumers.begin(), c.consumers.end(),
                                     [&](const LiveConsumer& x) { return x.name == name; });
      if (!known) return *why = "no consumer named " + name, false;
    }
  }
  return true;
}

std::optional<LiveArgs> ParseLiveArgs(int argc, char** argv, int from, std::string* why) {
  LiveArgs a;
  PerConsumerOptions per;
  for (int i = from; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kLiveUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) return *why = arg + " needs a value", std::nullopt;
    if (!ParseLiveOption(arg, argv[++i], a, per, why)) return std::nullopt;
  }
  LiveConfig& c = a.config;
  if (c.consumers.empty()) return *why = "at least one --consumer", std::nullopt;
  if (!ApplyPerConsumerOptions(per, c, why)) return std::nullopt;
  if (!a.scenario_file.empty() && !LoadScenario(a, why)) return std::nullopt;
  if (c.server_binary.empty()) c.server_binary = BesideThisBinary("fake_oauth_server");
  if (c.engine_binary.empty()) c.engine_binary = BesideThisBinary("credsim-engine");
  return a;
}

void PrintSummary(const LiveArgs& a, const live::LiveHistory& h, const live::LiveVerdict& v,
                  const Verdict& verdict) {
  std::printf("credsim live: %s, %zu consumer(s), %s of calls, server %s\n",
              engine::ProviderName(a.config.provider), a.config.consumers.size(),
              ShortDuration(h.duration_ms).c_str(), a.config.reuse_policy.c_str());
  std::printf("%-12s %-6s %6s %6s %6s %7s\n", "consumer", "role", "calls", "served", "failed",
              "killed");
  for (const LiveConsumer& c : a.config.consumers) {
    uint64_t calls = 0, served = 0, killed = 0;
    for (const live::Invocation& inv : h.invocations) {
      if (inv.consumer != c.name) continue;
      ++calls;
      served += inv.served;
      killed += inv.killed_by_nemesis;
    }
    std::printf("%-12s %-6s %6llu %6llu %6llu %7llu\n", c.name.c_str(),
                c.judged ? "judged" : "tool", static_cast<unsigned long long>(calls),
                static_cast<unsigned long long>(served),
                static_cast<unsigned long long>(calls - served - killed),
                static_cast<unsigned long long>(killed));
  }
  std::printf(
      "server: %llu refreshes granted; judged reuses %llu; lost-answer retries %llu; "
      "judged refreshes a tool had made useless %llu; after a killed rotation %llu; tool reuses "
      "%llu; store damage while a tool ran %llu\n",
      static_cast<unsigned long long>(v.numbers.grants),
      static_cast<unsigned long long>(v.numbers.judged_reuses),
      static_cast<unsigned long long>(v.numbers.lost_response_retries),
      static_cast<unsigned long long>(v.numbers.refused_after_tool_rotation),
      static_cast<unsigned long long>(v.numbers.refused_after_killed_rotation),
      static_cast<unsigned long long>(v.numbers.tool_reuses),
      static_cast<unsigned long long>(v.numbers.tool_store_damage));
  for (const live::NemesisEvent& e : h.nemesis) {
    std::printf("nemesis @%s %s: %s\n", ShortDuration(e.t_ms).c_str(), live::NemesisName(e.kind),
                e.detail.c_str());
  }
  for (const Outage& o : v.result.outages) {
    std::printf("outage %s %s from %s to %s, %llu failed call(s): %s\n", o.consumer.c_str(),
                o.cause.c_str(), ShortDuration(o.from_ms).c_str(), ShortDuration(o.to_ms).c_str(),
                static_cast<unsigned long long>(o.demands_failed), o.status.c_str());
  }
  for (const Violation& x : v.result.violations) {
    std::printf("VIOLATION %s %s @%s: %s\n", x.oracle.c_str(), x.consumer.c_str(),
                ShortDuration(x.t_ms).c_str(), x.message.c_str());
  }
  std::printf("expected: %s; observed: %s; %s%s%s\n", verdict.expected.c_str(),
              verdict.observed.c_str(), verdict.ok ? "PASS" : "FAIL",
              verdict.why.empty() ? "" : ": ", verdict.why.c_str());
}

// Ctrl-C / SIGTERM: stop the run, kill what it started, still judge and report.
void StopOnSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::thread([stop_signals] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    live::RequestStop();
  }).detach();
}

// The run as the report writers see a scenario run: expectation, result, verdict, timeline.
PolicyRun ReportedRun(const LiveArgs& a, const live::LiveHistory& history,
                      const live::LiveVerdict& v) {
  Expectation expect;
  expect.policy = "live";
  if (!a.expect_oracle.empty()) {
    expect.all_hold = false;
    expect.oracle = a.expect_oracle;
    expect.consumer = a.expect_consumer;
    expect.from_ms = 0;
    expect.to_ms = history.duration_ms + a.config.timeout_ms * 2;
  }
  PolicyRun run;
  run.file = "live";
  run.scenario = a.config.name;
  run.source = "credsim live";
  for (const LiveConsumer& c : a.config.consumers) {
    run.summary += (run.summary.empty() ? "" : "; ") + c.name + (c.judged ? "" : " (tool)");
  }
  run.expect = expect;
  run.seed = a.config.seed;
  run.duration_ms = history.duration_ms;
  run.result = v.result;
  run.verdict = Judge(expect, v.result);
  run.timeline = v.timeline;
  if (history.interrupted) {
    run.verdict.ok = false;
    run.verdict.why = "interrupted";
  }
  return run;
}

// The server's view, labels only, beside the consumers' outputs: what a failure is read from.
void WriteServerLog(const std::string& path, const live::LiveHistory& history) {
  std::ofstream log(path, std::ios::binary);
  for (const live::ServerLogEntry& e : history.server_log) {
    std::string line = "{\"seq\":" + std::to_string(e.seq);
    for (const auto& [key, value] : {std::pair<const char*, const std::string&>{"tag", e.tag},
                                     {"endpoint", e.endpoint},
                                     {"grant", e.grant},
                                     {"outcome", e.outcome},
                                     {"token", e.label},
                                     {"fault", e.fault}}) {
      line += ",\"";
      line += key;
      line += "\":";
      base::AppendJsonString(line, value);  // as every trace line escapes its values
    }
    log << line << ",\"status\":" << e.status << "}\n";
  }
}

}  // namespace

int LiveMain(int argc, char** argv, int from) {
  std::string why;
  std::optional<LiveArgs> parsed = ParseLiveArgs(argc, argv, from, &why);
  if (!parsed) return LiveUsage(why);
  LiveArgs& a = *parsed;
  const bool temporary = a.work.empty();
  if (temporary) {
    a.work = live::MakeTempDirectory("credsim-live");
    if (a.work.empty()) return LiveUsage("cannot create a temp directory");
  }
  a.config.work_dir = a.work;
  StopOnSignals();

  live::LiveHistory history;
  if (!live::RunLive(a.config, &history, &why)) {
    std::fprintf(stderr, "credsim live: setup failed: %s (files kept in %s)\n", why.c_str(),
                 a.work.c_str());
    return 2;
  }
  const live::LiveVerdict v = live::JudgeLive(a.config, history);
  const PolicyRun run = ReportedRun(a, history, v);
  PrintSummary(a, history, v, run.verdict);
  WriteServerLog(a.work + "/server-log.jsonl", history);
  const std::vector<PolicyRun> runs = {run};
  if (!a.junit.empty()) {
    std::ofstream(a.junit, std::ios::binary) << JUnitXml(runs);
  }
  if (!a.html.empty() && !WriteHtmlReport(a.html, runs, &why)) {
    std::fprintf(stderr, "credsim live: %s\n", why.c_str());
    return 2;
  }
  if (temporary && run.verdict.ok) {
    std::error_code ec;
    fs::remove_all(a.work, ec);
  } else {
    std::printf("files: %s\n", a.work.c_str());
  }
  return run.verdict.ok ? 0 : 1;
}

}  // namespace credsim::sim
