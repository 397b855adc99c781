// Simulator benchmarks (docs/BENCHMARKS.md "## Simulator"): the bare event loop, and a real-engine
// world of 16 consumers for 30 simulated days.
#include <benchmark/benchmark.h>

#include "sim/run.h"
#include "sim/scheduler.h"

namespace credsim::sim {
namespace {

Task<void> Ticker(Scheduler& s, int64_t ticks) {
  for (int64_t i = 0; i < ticks; ++i) co_await s.Delay(1 + (i & 7));
}

void BM_EventLoop(benchmark::State& state) {
  for (auto _ : state) {
    PrngChoices c(1);
    Scheduler s(c, {}, false);
    for (int a = 0; a < 64; ++a) s.Spawn(Ticker(s, 100'000), 0);
    s.RunUntil(INT64_MAX / 2);
    state.counters["events/s"] =
        benchmark::Counter(static_cast<double>(s.events_run()), benchmark::Counter::kIsRate);
  }
}
BENCHMARK(BM_EventLoop)->Unit(benchmark::kMillisecond);

void BM_Engine16Consumers30Days(benchmark::State& state) {
  WorldConfig c;
  c.duration_ms = 30 * kDayMs;
  c.access_ttl_ms = 8 * kHourMs;
  c.stores = {{{engine::StoreKind::kClaudeKeychain, ""}},
              {{engine::StoreKind::kClaudeFile, ""}},
              {{engine::StoreKind::kAgentAuth, ""}}};
  for (int i = 0; i < 16; ++i) c.consumers.push_back({.name = "c" + std::to_string(i)});
  for (auto _ : state) {
    RunResult r = RunWorld(c, {});
    if (!r.ok()) state.SkipWithError("oracle violated");
    state.counters["events"] = static_cast<double>(r.summary.events);
    state.counters["demands"] = static_cast<double>(r.summary.demands);
    state.counters["queue_peak"] = static_cast<double>(r.summary.queue_peak);
  }
}
BENCHMARK(BM_Engine16Consumers30Days)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace credsim::sim

BENCHMARK_MAIN();
