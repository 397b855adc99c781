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
std::optional<int64_t> NeedsC2AndTheLock(const WorldConfig& w) {
  const bool lock = std::any_of(w.events.begin(), w.events.end(), [](const ScriptedEvent& e) {
    return e.kind == EventKind::kKeychainLock;
  });
  if (!HasConsumer(w, "c2") || !lock || w.duration_ms <= 2 * kHourMs) return std::nullopt;
  return 2 * kHourMs;
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
  const auto fails = [](const WorldConfig& c) -> std::optional<int64_t> {
    return c.stores.size() == 1 && c.consumers.size() == 1 ? std::optional<int64_t>(0)
                                                           : std::nullopt;
  };
  WorldShrinkStats stats;
  const WorldConfig same = ShrinkWorld(w, 0, fails, 100, &stats);
  EXPECT_EQ(same.consumers.size(), 1u);
  EXPECT_EQ(same.duration_ms, kMinuteMs);
  EXPECT_EQ(stats.kept, 0);
}

}  // namespace
}  // namespace credsim::sim
