#include "sim/scheduler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace credsim::sim {
namespace {

struct Log {
  std::vector<std::string> lines;
};

Task<void> Sleeper(Scheduler& s, Log& log, std::string name, std::vector<int64_t> delays) {
  for (int64_t d : delays) {
    co_await s.Delay(d);
    log.lines.push_back(name + "@" + std::to_string(s.now_ms()));
  }
}

TEST(Scheduler, RunsInTimeOrderThenSequence) {
  PrngChoices c(1);
  Scheduler s(c, {}, /*shuffle_ties=*/false);
  Log log;
  s.Spawn(Sleeper(s, log, "a", {10, 10}), 0);
  s.Spawn(Sleeper(s, log, "b", {5, 15}), 0);
  EXPECT_TRUE(s.RunUntil(100));
  // At t=20 both wake; b scheduled its wake (at t=5) before a did (at t=10): b goes first.
  EXPECT_EQ(log.lines, (std::vector<std::string>{"b@5", "a@10", "b@20", "a@20"}));
  EXPECT_EQ(s.now_ms(), 100);
}

TEST(Scheduler, RunUntilStopsAtTheBound) {
  PrngChoices c(1);
  Scheduler s(c, {}, false);
  Log log;
  s.Spawn(Sleeper(s, log, "a", {10, 10, 10}), 0);
  s.RunUntil(15);
  EXPECT_EQ(log.lines.size(), 1u);
  s.RunUntil(30);
  EXPECT_EQ(log.lines.size(), 3u);
}

TEST(Scheduler, KilledActorNeverRunsAgain) {
  PrngChoices c(1);
  Scheduler s(c, {}, false);
  Log log;
  ActorId a = s.Spawn(Sleeper(s, log, "a", {10, 10, 10}), 0);
  s.RunUntil(15);
  s.Kill(a);
  EXPECT_FALSE(s.alive(a));
  s.RunUntil(100);
  EXPECT_EQ(log.lines, (std::vector<std::string>{"a@10"}));
}

TEST(Scheduler, EventLimitStopsTheRun) {
  PrngChoices c(1);
  Scheduler s(c, SchedulerLimits{.max_events = 3}, false);
  Log log;
  s.Spawn(Sleeper(s, log, "a", {1, 1, 1, 1, 1}), 0);
  EXPECT_FALSE(s.RunUntil(100));
  EXPECT_TRUE(s.limit_hit());
  EXPECT_EQ(s.events_run(), 3u);
}

TEST(Scheduler, ShuffledTiesAreDeterministicPerSeed) {
  auto order = [](uint64_t seed) {
    PrngChoices c(seed);
    Scheduler s(c, {}, true);
    Log log;
    for (int i = 0; i < 8; ++i) s.Spawn(Sleeper(s, log, std::to_string(i), {5}), 0);
    s.RunUntil(10);
    return log.lines;
  };
  EXPECT_EQ(order(1), order(1));
  bool some_differ = false;
  for (uint64_t seed = 2; seed < 10; ++seed) some_differ |= order(seed) != order(1);
  EXPECT_TRUE(some_differ);
}

TEST(Scheduler, DisarmedWakeIsSkipped) {
  PrngChoices c(1);
  Scheduler s(c, {}, false);
  Log log;
  ActorId a = s.Spawn(Sleeper(s, log, "a", {10}), 0);
  s.RunUntil(1);  // a is now waiting for t=10
  s.Disarm(a);
  s.RunUntil(100);
  EXPECT_TRUE(log.lines.empty());
}

}  // namespace
}  // namespace credsim::sim
