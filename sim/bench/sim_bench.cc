// Simulator benchmarks (docs/BENCHMARKS.md "## Simulator"): the bare event loop, a real-engine
// world of 16 consumers for 30 simulated days, and swarm throughput for one-day 6-consumer worlds.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <coroutine>
#include <functional>
#include <queue>
#include <vector>

#include "sim/run.h"
#include "sim/scheduler.h"
#include "sim/swarm.h"

namespace credsim::sim {
namespace {

double PeakRssKb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss);
}

Task<void> Ticker(Scheduler& s, int64_t ticks) {
  for (int64_t i = 0; i < ticks; ++i) co_await s.Delay(1 + (i & 7));
}

// 64 actors each sleeping 1-8 ms 100,000 times: 6.4 M events an iteration.
void BM_EventLoop(benchmark::State& state) {
  uint64_t events = 0;
  for (auto _ : state) {
    PrngChoices c(1);
    Scheduler s(c, {}, false);
    for (int a = 0; a < 64; ++a) s.Spawn(Ticker(s, 100'000), 0);
    s.RunUntil(INT64_MAX / 2);
    events += s.events_run();
  }
  // Every iteration's events over every iteration's time (a rate counter divides by the total).
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EventLoop)->Unit(benchmark::kMillisecond);

// The peer: the least a C++20-coroutine discrete-event loop can do. A std::priority_queue of
// (time, sequence, handle), no actors, no stale-event check, no tie-break draw, no bounds. The
// same 64 tickers; docs/BENCHMARKS.md reports BM_EventLoop as a ratio to this.
struct BareLoop {
  struct Event {
    int64_t time_ms;
    uint64_t seq;
    std::coroutine_handle<> handle;
    bool operator>(const Event& o) const {
      return time_ms != o.time_ms ? time_ms > o.time_ms : seq > o.seq;
    }
  };
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue;
  int64_t now_ms = 0;
  uint64_t seq = 0, events = 0;
  struct Sleep {
    BareLoop& loop;
    int64_t ms;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      loop.queue.push({loop.now_ms + ms, loop.seq++, h});
    }
    void await_resume() const noexcept {}
  };
  void Run() {
    while (!queue.empty()) {
      const Event e = queue.top();
      queue.pop();
      now_ms = e.time_ms;
      ++events;
      e.handle.resume();
    }
  }
};

Task<void> BareTicker(BareLoop& loop, int64_t ticks) {
  for (int64_t i = 0; i < ticks; ++i) co_await BareLoop::Sleep{loop, 1 + (i & 7)};
}

void BM_EventLoopPeerBareHeap(benchmark::State& state) {
  uint64_t events = 0;
  for (auto _ : state) {
    BareLoop loop;
    std::vector<Task<void>> tickers;
    for (int a = 0; a < 64; ++a) {
      tickers.push_back(BareTicker(loop, 100'000));
      tickers.back().Start();  // runs to its first sleep
    }
    loop.Run();
    events += loop.events;
  }
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EventLoopPeerBareHeap)->Unit(benchmark::kMillisecond);

void BM_Engine16Consumers30Days(benchmark::State& state) {
  WorldConfig c;
  c.duration_ms = 30 * kDayMs;
  c.access_ttl_ms = 8 * kHourMs;
  c.stores = {{{engine::StoreKind::kClaudeKeychain, ""}},
              {{engine::StoreKind::kClaudeFile, ""}},
              {{engine::StoreKind::kAgentAuth, ""}}};
  for (int i = 0; i < 16; ++i) c.consumers.push_back({.name = "c" + std::to_string(i)});
  // Traces stream to /dev/null: the cost of formatting every line is in the figure.
  std::FILE* sink = std::fopen("/dev/null", "wb");
  for (auto _ : state) {
    RunResult r = RunWorld(c, {.trace_out = sink});
    // A violation is a finding to report (docs/BENCHMARKS.md), not a reason to drop the figure.
    state.counters["violations"] = static_cast<double>(r.violations.size());
    state.counters["events"] = static_cast<double>(r.summary.events);
    state.counters["demands"] = static_cast<double>(r.summary.demands);
    state.counters["trace_lines"] = static_cast<double>(r.summary.trace_lines);
    state.counters["queue_peak"] = static_cast<double>(r.summary.queue_peak);
  }
  if (sink) std::fclose(sink);
  state.counters["peak_rss_kb"] = PeakRssKb();
}
BENCHMARK(BM_Engine16Consumers30Days)->Unit(benchmark::kMillisecond)->Iterations(3);

// One simulated day of a swarm world with exactly six engine consumers (the drawn ones, padded
// with copies of the first), tools off; and the same with the swarm's tool consumers drawn in.
void SwarmDay(benchmark::State& state, bool tools) {
  uint64_t seed = 1;
  int64_t consumers = 0;
  for (auto _ : state) {
    WorldConfig c = SwarmWorld(seed++, {.minutes = 24 * 60, .tools = tools});
    for (size_t i = c.consumers.size(); i < 6; ++i) {
      c.consumers.push_back(c.consumers.front());
      c.consumers.back().name = "pad" + std::to_string(i);
    }
    if (!tools) c.consumers.resize(6);
    consumers += static_cast<int64_t>(c.consumers.size());
    RunResult r = RunWorld(c, {});
    benchmark::DoNotOptimize(r.summary.trace_hash);
  }
  state.counters["seeds/min"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 60, benchmark::Counter::kIsRate);
  state.counters["consumers/world"] =
      static_cast<double>(consumers) / static_cast<double>(state.iterations());
}
void BM_SwarmOneDaySixConsumers(benchmark::State& state) { SwarmDay(state, false); }
void BM_SwarmOneDayWithTools(benchmark::State& state) { SwarmDay(state, true); }
BENCHMARK(BM_SwarmOneDaySixConsumers)->Unit(benchmark::kMillisecond)->Iterations(200);
BENCHMARK(BM_SwarmOneDayWithTools)->Unit(benchmark::kMillisecond)->Iterations(200);

}  // namespace
}  // namespace credsim::sim

BENCHMARK_MAIN();
