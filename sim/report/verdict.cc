#include "sim/report/verdict.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "base/assert.h"

namespace credsim::sim {
namespace {

std::string Describe(const Violation& v) {
  return v.oracle + " " + (v.consumer.empty() ? "-" : v.consumer) + " @" + ShortDuration(v.t_ms);
}

bool Matches(const OutageExpectation& e, const Outage& o) {
  return o.cause == e.cause && (e.consumer == "*" || o.consumer == e.consumer) &&
         o.from_ms >= e.from_ms && o.from_ms <= e.to_ms &&
         o.status.find(e.status) != std::string::npos;
}

std::string DescribeExpected(const OutageExpectation& e) {
  return e.consumer + " " + e.cause + (e.status.empty() ? "" : " \"" + e.status + "\"") +
         " from [" + ShortDuration(e.from_ms) + ", " + ShortDuration(e.to_ms) + "]";
}

// All held: what the run showed, outages included ("all held" only when nobody was out).
std::string ObservedHeld(const RunResult& r) {
  if (r.outages.empty()) return "all held";
  const Outage& o = r.outages.front();
  return "held; outage " + o.consumer + " " + o.cause + " @" + ShortDuration(o.from_ms) +
         (r.outages.size() > 1 ? " (+" + std::to_string(r.outages.size() - 1) + ")" : "");
}

// Empty when every outage was expected and every expected outage happened.
std::string OutageMismatch(const Expectation& e, const RunResult& r) {
  if (r.outages_dropped > 0) return "more outages than the report can list";
  for (const Outage& o : r.outages) {
    const bool expected = std::any_of(e.outages.begin(), e.outages.end(),
                                      [&](const OutageExpectation& x) { return Matches(x, o); });
    if (!expected) return "an outage nobody expected: " + DescribeOutage(o);
  }
  for (const OutageExpectation& x : e.outages) {
    const bool seen = std::any_of(r.outages.begin(), r.outages.end(),
                                  [&](const Outage& o) { return Matches(x, o); });
    if (!seen) return "the expected outage did not happen: " + DescribeExpected(x);
  }
  return "";
}

bool Matches(const Expectation& e, const Violation& v) {
  return v.oracle == e.oracle && (e.consumer == "*" || v.consumer == e.consumer) &&
         v.t_ms >= e.from_ms && v.t_ms <= e.to_ms;
}

// The trace as text, in memory: open_memstream gives the world a FILE* to stream into.
struct MemoryTrace {
  char* data = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&data, &size);
  ~MemoryTrace() {
    if (f) std::fclose(f);
    std::free(data);
  }
  std::string_view Close() {
    if (f) std::fclose(f);
    f = nullptr;
    return std::string_view(data ? data : "", size);
  }
};

}  // namespace

std::string ShortDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out = ms < 0 ? "-" : "";
  ms = ms < 0 ? -ms : ms;
  const int64_t d = ms / 86'400'000, h = ms / 3'600'000 % 24, m = ms / 60'000 % 60;
  const int64_t s = ms / 1000 % 60, rest = ms % 1000;
  char buf[32];
  if (d > 0) out += std::to_string(d) + "d";
  if (h > 0) out += std::to_string(h) + "h";
  if (m > 0) {
    std::snprintf(buf, sizeof buf, (d > 0 || h > 0) ? "%02lldm" : "%lldm", (long long)m);
    out += buf;
  }
  if (s > 0 || rest > 0) {
    if (rest > 0) {
      std::snprintf(buf, sizeof buf, "%lld.%03llds", (long long)s, (long long)rest);
    } else {
      std::snprintf(buf, sizeof buf, "%llds", (long long)s);
    }
    out += buf;
  }
  return out;
}

Verdict Judge(const Expectation& e, const RunResult& r) {
  Verdict v;
  v.expected = e.all_hold ? "all hold"
                          : e.oracle + " " + e.consumer + " in [" + ShortDuration(e.from_ms) +
                                ", " + ShortDuration(e.to_ms) + "]";
  if (e.all_hold && !e.outages.empty()) {
    v.expected += "; outage " + DescribeExpected(e.outages.front());
    if (e.outages.size() > 1) v.expected += " (+" + std::to_string(e.outages.size() - 1) + ")";
  }
  v.observed = r.violations.empty() ? ObservedHeld(r) : Describe(r.violations.front());
  if (r.summary.limit_hit) {
    v.why = "the run hit its event limit";
    return v;
  }
  if (e.all_hold) {
    if (!r.violations.empty()) {
      v.why = "an oracle fired under " + e.policy;
      return v;
    }
    v.why = OutageMismatch(e, r);
    v.ok = v.why.empty();
    return v;
  }
  for (const Violation& violation : r.violations) {
    if (Matches(e, violation)) {
      v.ok = true;
      v.observed = Describe(violation);
      return v;
    }
  }
  v.why = r.violations.empty()
              ? "the reproduction broke: no oracle fired"
              : "the reproduction broke: it failed differently (" + v.observed + ")";
  return v;
}

PolicyRun RunPolicy(const Scenario& s, const std::string& file, const Expectation& e,
                    const RunSettings& settings) {
  PolicyRun run;
  run.file = file;
  run.scenario = s.name;
  run.source = s.source;
  run.summary = s.summary;
  run.expect = e;
  WorldConfig world = WorldForPolicy(s, e.policy);
  if (settings.seed) world.seed = *settings.seed;
  run.seed = world.seed;
  run.duration_ms = world.duration_ms;
  if (settings.timeline) {
    world.trace_io = true;  // demand.served lines close lockout windows; behaviour is unchanged
    MemoryTrace trace;
    CREDSIM_ASSERT(trace.f, "open_memstream failed");
    run.result = RunWorld(world, {.trace_out = trace.f});
    run.timeline = BuildTimeline(trace.Close(), world, run.result.violations);
  } else {
    // A recorded trace carries every line a replay compares (replay reruns with trace_io).
    world.trace_io = settings.trace_out != nullptr;
    run.result = RunWorld(world, {.trace_out = settings.trace_out});
  }
  run.verdict = Judge(e, run.result);
  return run;
}

}  // namespace credsim::sim
