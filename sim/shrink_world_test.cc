#include "sim/shrink_world.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace credsim::sim {
namespace {

WorldConfig FourConsumersThreeStores() {
  WorldConfig w;
  w.duration_ms = 10 * kHourMs;
  w.stores = {{{engine::StoreKind::kClaudeKeychain, ""}},
              {{engine::StoreKind::kClaudeFile, ""}},
              {{engine::StoreKind::kAgentAuth, ""}}};
  for (const char* name : {"c0", "c1", "c2", "c3"}) {
    ConsumerSpec c;
    c.name = name;
    c.skew_ms = 30 * kSecondMs;
    w.consumers.push_back(c);
  }
  w.events = {{kHourMs, EventKind::kRestart, "c1"},
              {2 * kHourMs, EventKind::kKeychainLock, ""},
              {3 * kHourMs, EventKind::kKeychainUnlock, ""}};
  w.faults.error_5xx_per_million = 1000;
  w.faults_until_ms = kHourMs;
  return w;
}

bool HasConsumer(const WorldConfig& w, const std::string& name) {
  return std::any_of(w.consumers.begin(), w.consumers.end(),
                     [&](const ConsumerSpec& c) { return c.name == name; });
}

// A failure that needs consumer c2 and the keychain lock, and shows at 2 h.
std::optional<ShrinkRun> NeedsC2AndTheLock(const WorldConfig& w) {
  const bool lock = std::any_of(w.events.begin(), w.events.end(), [](const ScriptedEvent& e) {
    return e.kind == EventKind::kKeychainLock;
  });
  if (!HasConsumer(w, "c2") || !lock || w.duration_ms <= 2 * kHourMs) return std::nullopt;
  return ShrinkRun{.at_ms = 2 * kHourMs};
}

TEST(ShrinkWorld, KeepsWhatTheFailureNeedsAndDropsTheRest) {
  WorldShrinkStats stats;
  const WorldConfig small =
      ShrinkWorld(FourConsumersThreeStores(), 2 * kHourMs, NeedsC2AndTheLock, 1000, &stats);
  ASSERT_EQ(small.consumers.size(), 1u);
  EXPECT_EQ(small.consumers[0].name, "c2");
  EXPECT_EQ(small.consumers[0].skew_ms, 0);  // plain values where the failure does not need them
  ASSERT_EQ(small.events.size(), 1u);
  EXPECT_EQ(small.events[0].kind, EventKind::kKeychainLock);
  EXPECT_EQ(small.stores.size(), 1u);
  EXPECT_EQ(small.faults.error_5xx_per_million, 0u);
  EXPECT_EQ(small.faults_until_ms, 0);
  EXPECT_EQ(small.duration_ms, 2 * kHourMs + kMinuteMs);  // cut a minute after the failure
  EXPECT_TRUE(NeedsC2AndTheLock(small).has_value());
  EXPECT_GT(stats.kept, 0);
}

TEST(ShrinkWorld, NeverSpendsMoreRunsThanItsBudget) {
  WorldShrinkStats stats;
  int calls = 0;
  const auto counting = [&](const WorldConfig& w) {
    ++calls;
    return NeedsC2AndTheLock(w);
  };
  const WorldConfig small =
      ShrinkWorld(FourConsumersThreeStores(), 2 * kHourMs, counting, 3, &stats);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(stats.runs, 3);
  EXPECT_TRUE(NeedsC2AndTheLock(small).has_value());  // whatever it kept still fails
}

TEST(ShrinkWorld, AWorldWhoseEveryPartMattersComesBackUnchanged) {
  WorldConfig w;
  w.duration_ms = kMinuteMs;
  w.stores = {{{engine::StoreKind::kClaudeFile, ""}}};
  w.consumers = {ConsumerSpec{.name = "only"}};
  w.shuffle_ties = false;  // already the plain values the shrinker would set
  w.net_latency_ms_max = w.net_latency_ms_min;
  w.access_ttl_ms = 5 * kMinuteMs;
  const auto fails = [](const WorldConfig& c) -> std::optional<ShrinkRun> {
    return c.stores.size() == 1 && c.consumers.size() == 1 ? std::optional(ShrinkRun{})
                                                           : std::nullopt;
  };
  WorldShrinkStats stats;
  const WorldConfig same = ShrinkWorld(w, 0, fails, 100, &stats);
  EXPECT_EQ(same.consumers.size(), 1u);
  EXPECT_EQ(same.duration_ms, kMinuteMs);
  EXPECT_EQ(same.seed, w.seed);
  EXPECT_EQ(stats.kept, 0);
}

// A run's length as a test predicate counts it, standing in for the simulator's events: one a
// second, and one more a second once the session is live again after a re-login.
int64_t EventsOf(const WorldConfig& w) {
  int64_t events = w.duration_ms / kSecondMs;
  for (const ScriptedEvent& e : w.events) {
    if (e.kind == EventKind::kRelogin) events += (w.duration_ms - e.at_ms) / kSecondMs;
  }
  return events;
}

// What the shrinker's caller does: the run must be no longer than the one kept before.
FailsAt NoLongerThanKept(std::function<std::optional<int64_t>(const WorldConfig&)> fails,
                         int64_t events) {
  return [fails = std::move(fails), events](const WorldConfig& w) mutable {
    const std::optional<int64_t> at = fails(w);
    if (!at) return std::optional<ShrinkRun>();
    const ShrinkRun run{.at_ms = *at, .no_longer = EventsOf(w) <= events};
    if (run.no_longer) events = EventsOf(w);
    return std::optional(run);
  };
}

WorldConfig TwoConsumersADay() {
  WorldConfig w;
  w.duration_ms = kDayMs;
  w.stores = {{{engine::StoreKind::kClaudeFile, ""}}};
  w.consumers = {ConsumerSpec{.name = "c0"}, ConsumerSpec{.name = "c1"}};
  return w;
}

// A race that only some draws show: seed 1 (the world's) shows it at 20 h, every seed from 5 on a
// quarter of an hour into the run, and no seed without both racers.
std::optional<int64_t> RaceDrawnBySeed(const WorldConfig& w) {
  if (w.consumers.size() < 2) return std::nullopt;
  const int64_t at = w.seed == 1 ? 20 * kHourMs : w.seed >= 5 ? 15 * kMinuteMs : -1;
  if (at < 0 || at > w.duration_ms) return std::nullopt;
  return at;
}

TEST(ShrinkWorld, TriesFreshSeedsForAFailureThatNeedsLuckyDraws) {
  const WorldConfig w = TwoConsumersADay();
  WorldShrinkStats stats;
  const WorldConfig small =
      ShrinkWorld(w, 20 * kHourMs, NoLongerThanKept(RaceDrawnBySeed, EventsOf(w)), 1000, &stats);
  EXPECT_GE(small.seed, 5u);  // the race was drawn again, far sooner
  EXPECT_EQ(small.duration_ms, 16 * kMinuteMs);
  EXPECT_EQ(small.consumers.size(), 2u);
  EXPECT_EQ(RaceDrawnBySeed(small), 15 * kMinuteMs);
  EXPECT_GT(stats.fresh_seed_runs, 0);
}

// Two consumers reuse the refresh token a re-login wrote, when its access token expires: half an
// hour after the re-login, whenever that is.
std::optional<int64_t> HalfAnHourAfterTheRelogin(const WorldConfig& w) {
  for (const ScriptedEvent& e : w.events) {
    const int64_t at = e.at_ms + 30 * kMinuteMs;
    if (e.kind == EventKind::kRelogin && w.consumers.size() == 2 && at <= w.duration_ms) return at;
  }
  return std::nullopt;
}

TEST(ShrinkWorld, MovesALateEventSoonerAndCutsTheRunAfterItsFailure) {
  WorldConfig w = TwoConsumersADay();
  w.events = {{22 * kHourMs, EventKind::kRelogin, "c0"}};
  WorldShrinkStats stats;
  const WorldConfig small =
      ShrinkWorld(w, 22 * kHourMs + 30 * kMinuteMs,
                  NoLongerThanKept(HalfAnHourAfterTheRelogin, EventsOf(w)), 1000, &stats);
  ASSERT_EQ(small.events.size(), 1u);
  // Moved sooner, with the run that then went on longer each time cut after the failure.
  EXPECT_LT(small.events[0].at_ms, 2 * kMinuteMs);
  EXPECT_EQ(small.duration_ms, small.events[0].at_ms + 31 * kMinuteMs);
  EXPECT_LE(EventsOf(small), EventsOf(w));
}

// A lockout is judged once the faults are over: it shows four minutes after they end, if they
// lasted at least ten minutes.
std::optional<int64_t> AfterLongFaults(const WorldConfig& w) {
  const int64_t at = w.faults_until_ms + 4 * kMinuteMs;
  if (w.faults_until_ms < 10 * kMinuteMs || at > w.duration_ms) return std::nullopt;
  return at;
}

TEST(ShrinkWorld, EndsTheFaultsSoonerForAFailureThatFollowsThem) {
  WorldConfig w = TwoConsumersADay();
  w.faults.error_5xx_per_million = 1000;
  w.faults_until_ms = 16 * kHourMs;
  WorldShrinkStats stats;
  const WorldConfig small =
      ShrinkWorld(w, 16 * kHourMs + 4 * kMinuteMs, NoLongerThanKept(AfterLongFaults, EventsOf(w)),
                  1000, &stats);
  EXPECT_GE(small.faults_until_ms, 10 * kMinuteMs);
  EXPECT_LT(small.faults_until_ms, 20 * kMinuteMs);
  EXPECT_EQ(small.duration_ms, small.faults_until_ms + 5 * kMinuteMs);
}

// The run draws from one seed, so dropping the last scripted event changes every draw after the
// one before it: here a failure at 1 h that any world without a scripted event after it loses.
std::optional<int64_t> NeedsTheScriptToGoOn(const WorldConfig& w) {
  const bool after = std::any_of(w.events.begin(), w.events.end(),
                                 [](const ScriptedEvent& e) { return e.at_ms > kHourMs; });
  if (!after || w.duration_ms < kHourMs) return std::nullopt;
  return kHourMs;
}

TEST(ShrinkWorld, HoldsEventsAfterTheFailureAtTheEndWhenDroppingThemLosesIt) {
  WorldConfig w = TwoConsumersADay();
  w.events = {{10 * kHourMs, EventKind::kServerDown, ""}};
  WorldShrinkStats stats;
  const WorldConfig small =
      ShrinkWorld(w, kHourMs, NoLongerThanKept(NeedsTheScriptToGoOn, EventsOf(w)), 1000, &stats);
  EXPECT_EQ(small.duration_ms, kHourMs + kMinuteMs);
  ASSERT_EQ(small.events.size(), 1u);
  EXPECT_EQ(small.events[0].at_ms, small.duration_ms);  // held at the end, not dropped
}

// A failure that needs two scripted events five minutes apart (neither moves alone) and shows
// half an hour after the second.
std::optional<int64_t> AfterAPairOfEvents(const WorldConfig& w) {
  if (w.events.size() != 2 || w.events[1].at_ms - w.events[0].at_ms != 5 * kMinuteMs)
    return std::nullopt;
  const int64_t at = w.events[1].at_ms + 30 * kMinuteMs;
  return at <= w.duration_ms ? std::optional(at) : std::nullopt;
}

TEST(ShrinkWorld, StartsTheRunLaterForAFailureThatNeedsOnlyItsLastHours) {
  WorldConfig w = TwoConsumersADay();
  w.events = {{20 * kHourMs, EventKind::kRelogin, "c0"},
              {20 * kHourMs + 5 * kMinuteMs, EventKind::kRestart, "c1"}};
  WorldShrinkStats stats;
  const WorldConfig small =
      ShrinkWorld(w, 20 * kHourMs + 35 * kMinuteMs,
                  NoLongerThanKept(AfterAPairOfEvents, EventsOf(w)), 1000, &stats);
  ASSERT_EQ(small.events.size(), 2u);
  EXPECT_LT(small.events[0].at_ms, kHourMs);  // both sooner, together
  EXPECT_EQ(small.events[1].at_ms - small.events[0].at_ms, 5 * kMinuteMs);
  EXPECT_EQ(small.duration_ms, small.events[1].at_ms + 31 * kMinuteMs);
}

// A lockout once the faults are over, which needs them to outlast two token lifetimes exactly:
// neither the faults nor the lifetime can change alone.
std::optional<int64_t> AfterTwoLifetimesOfFaults(const WorldConfig& w) {
  const int64_t at = w.faults_until_ms + 4 * kMinuteMs;
  if (w.faults_until_ms != 2 * w.access_ttl_ms || at > w.duration_ms) return std::nullopt;
  return at;
}

TEST(ShrinkWorld, RunsTheWholeWorldFasterForAFailureTiedToTokenLifetimes) {
  WorldConfig w = TwoConsumersADay();
  w.access_ttl_ms = 8 * kHourMs;
  w.faults.error_5xx_per_million = 1000;
  w.faults_until_ms = 16 * kHourMs;
  WorldShrinkStats stats;
  const WorldConfig small =
      ShrinkWorld(w, 16 * kHourMs + 4 * kMinuteMs,
                  NoLongerThanKept(AfterTwoLifetimesOfFaults, EventsOf(w)), 1000, &stats);
  EXPECT_LT(small.access_ttl_ms, 10 * kMinuteMs);  // 7.5 min: never below the refresh leeway
  EXPECT_GE(small.access_ttl_ms, 5 * kMinuteMs);
  EXPECT_EQ(small.faults_until_ms, 2 * small.access_ttl_ms);
  EXPECT_LE(small.duration_ms, small.faults_until_ms + 5 * kMinuteMs);
}

}  // namespace
}  // namespace credsim::sim
