// Every oracle has a test where it fires and one where it holds. Firing tests feed the oracle the
// observation a bug would produce (or inject the bug into a test world); holding tests run worlds
// the design says must hold. Expected values come from each oracle's stated contract.
#include <gtest/gtest.h>

#include <string>

#include "sim/oracles/clock.h"
#include "sim/oracles/lineage.h"
#include "sim/oracles/no_collateral_damage.h"
#include "sim/oracles/no_secret_leak.h"
#include "sim/oracles/refresh_storm.h"
#include "sim/run.h"
#include "sim/world.h"

namespace credsim::sim {
namespace {

using engine::StoreId;
using engine::StoreKind;

ExpiryDecision Decision(int64_t left_ms, int64_t skew_bound_ms, bool expiring) {
  const int64_t now = kEpochMs + kHourMs;
  return ExpiryDecision{.t_ms = kHourMs,
                        .consumer = "c0",
                        .expires_at_ms = now + left_ms,
                        .local_now_ms = now,
                        .true_now_ms = now,
                        .leeway_ms = 5 * kMinuteMs,
                        .skew_bound_ms = skew_bound_ms,
                        .decided_expiring = expiring};
}

TEST(ClockOracle, FiresWhenATokenInsideTheLeewayIsKeptAsValid) {
  Clock clock;
  clock.OnExpiryDecision(Decision(1 * kMinuteMs, 0, /*expiring=*/false));
  ASSERT_EQ(clock.violations().size(), 1u);
  EXPECT_NE(clock.violations()[0].message.find("kept a token as valid"), std::string::npos);
}

TEST(ClockOracle, FiresWhenARefreshComesHoursEarly) {
  // The seconds-vs-milliseconds shape: a token with 7 h left judged as expiring.
  Clock clock;
  clock.OnExpiryDecision(Decision(7 * kHourMs, 30 * kSecondMs, /*expiring=*/true));
  ASSERT_EQ(clock.violations().size(), 1u);
  EXPECT_NE(clock.violations()[0].message.find("refreshed a token early"), std::string::npos);
}

TEST(ClockOracle, HoldsWithinTheSkewBound) {
  Clock clock;
  // 4 min left, leeway 5 min, clock off by up to 90 s: "valid" is explainable (4 >= 5 - 1.5).
  clock.OnExpiryDecision(Decision(4 * kMinuteMs, 90 * kSecondMs, false));
  // 6 min left, "expiring" is explainable with the same skew (6 <= 5 + 1.5).
  clock.OnExpiryDecision(Decision(6 * kMinuteMs, 90 * kSecondMs, true));
  clock.OnExpiryDecision(Decision(kHourMs, 0, false));
  clock.OnExpiryDecision(Decision(kMinuteMs, 0, true));
  EXPECT_TRUE(clock.violations().empty());
  EXPECT_EQ(clock.decisions(), 4u);
}

TEST(ClockOracle, HoldsInASkewedWorldOfReferenceAndToolConsumers) {
  WorldConfig c;
  c.seed = 3;
  c.duration_ms = 12 * kHourMs;
  c.access_ttl_ms = kHourMs;
  c.stores = {{{StoreKind::kClaudeFile, ""}}, {{StoreKind::kAgentAuth, ""}}};
  const int64_t skews[] = {-90 * kSecondMs, 0, 75 * kSecondMs};
  for (int i = 0; i < 3; ++i) {
    ConsumerSpec s{
        .name = "ref" + std::to_string(i), .skew_ms = skews[i], .drift_ppm = 150 - 100 * i};
    s.need_every_ms_min = 20 * kSecondMs;
    s.need_every_ms_max = 2 * kMinuteMs;
    c.consumers.push_back(s);
  }
  ConsumerSpec cli{.name = "cli", .policy = "claude-code-cli", .skew_ms = -40 * kSecondMs};
  cli.need_every_ms_min = cli.need_every_ms_max = 4 * kMinuteMs;
  c.consumers.push_back(cli);
  RunResult r = RunWorld(c, {});
  for (const Violation& v : r.violations) ADD_FAILURE() << FormatViolation(v, true);
  EXPECT_GT(r.expiry_decisions, 200u);
}

// --- no_secret_leak ----------------------------------------------------------------------------

// A deliberately leaky component for the test world: on the first store write it logs the
// store's bytes (which hold the access and refresh tokens) into the trace.
class LeakyLogger final : public Oracle {
 public:
  const char* name() const override { return "leaky_logger"; }
  void OnWrite(const StoreWritten& w) override {
    if (leaked_ || !world_) return;
    leaked_ = true;
    const StoreState* s = world_->store({StoreKind::kClaudeFile, ""});
    if (s) world_->trace().Event(w.t_ms, "debug.store_bytes", w.consumer).Str("bytes", s->bytes);
  }
  World* world_ = nullptr;
  bool leaked_ = false;
};

TEST(NoSecretLeakOracle, FiresWhenATokenReachesATraceLine) {
  WorldConfig c;
  c.duration_ms = 3 * kHourMs;
  c.access_ttl_ms = kHourMs;
  c.stores = {{{StoreKind::kClaudeFile, ""}}};
  c.consumers = {{.name = "ref"}};
  PrngChoices choices(1);
  Trace trace;
  NoSecretLeak leak;
  trace.set_listener(&leak);
  World world(c, choices, trace);
  LeakyLogger logger;
  logger.world_ = &world;
  world.AddOracle(&logger);
  world.AddOracle(&leak);
  world.Run();
  ASSERT_TRUE(logger.leaked_);
  ASSERT_FALSE(leak.violations().empty());
  EXPECT_EQ(leak.violations()[0].oracle, "no_secret_leak");
}

TEST(NoSecretLeakOracle, FiresOnARegisteredSecretWithoutAKnownPrefix) {
  NoSecretLeak leak;
  leak.Forbid("opaque-secret-4711");
  leak.OnTraceLine("{\"t\":1,\"ev\":\"x\",\"detail\":\"opaque-secret-4711\"}");
  EXPECT_EQ(leak.violations().size(), 1u);
}

TEST(NoSecretLeakOracle, HoldsOnLabelsOnly) {
  NoSecretLeak leak;
  leak.Forbid("opaque-secret-4711");
  leak.OnTraceLine("{\"t\":1,\"ev\":\"token.reply\",\"rt\":\"fam1/rt3\"}");
  EXPECT_TRUE(leak.violations().empty());
}

// --- lineage -----------------------------------------------------------------------------------

RefreshObserved Reply(const std::string& outcome, uint32_t presented, bool reuse, bool lost) {
  return RefreshObserved{.t_ms = kMinuteMs,
                         .consumer = "c0",
                         .reference = true,
                         .reached_server = true,
                         .outcome = outcome,
                         .counted_as_reuse = reuse,
                         .family_id = 1,
                         .presented_generation = presented,
                         .generation = presented + 1,
                         .presented_label = "fam1/rt" + std::to_string(presented),
                         .replay_after_lost_response = lost};
}

TEST(LineageOracle, FiresWhenOneRefreshTokenIsAcceptedTwice) {
  Lineage lineage(/*real_reuse_fires=*/false);
  lineage.OnRefresh(Reply("issued", 1, false, false));
  lineage.OnRefresh(Reply("issued", 2, false, false));
  lineage.OnRefresh(Reply("issued", 2, false, false));
  ASSERT_EQ(lineage.violations().size(), 1u);
  EXPECT_NE(lineage.violations()[0].message.find("fam1/rt2 accepted a second time"),
            std::string::npos);
}

TEST(LineageOracle, GraceReplayIsNotASecondAcceptance) {
  Lineage lineage(true);
  lineage.OnRefresh(Reply("issued", 1, false, false));
  lineage.OnRefresh(Reply("grace_replay", 1, false, false));
  lineage.OnRefresh(Reply("issued", 2, false, false));
  EXPECT_TRUE(lineage.violations().empty());
}

TEST(LineageOracle, ClassifiesALostResponseReplayApartFromARealReuse) {
  Lineage lineage(/*real_reuse_fires=*/true);
  lineage.OnRefresh(Reply("issued", 1, false, false));
  lineage.OnRefresh(Reply("reused_retired_token", 1, true, /*lost=*/true));
  EXPECT_TRUE(lineage.violations().empty());
  EXPECT_EQ(lineage.lost_response_replays(), 1u);
  EXPECT_EQ(lineage.real_reuses(), 0u);
  lineage.OnRefresh(Reply("reused_retired_token", 1, true, /*lost=*/false));
  EXPECT_EQ(lineage.real_reuses(), 1u);
  ASSERT_EQ(lineage.violations().size(), 1u);
  EXPECT_NE(lineage.violations()[0].message.find("real reuse"), std::string::npos);
}

TEST(LineageOracle, LostResponsesInAReferenceWorldAreClassifiedNotBlamed) {
  // Answers lost after the server rotated: the engine re-reads and replays the only token it
  // has; the authority counts reuse, lineage files it as a lost-response replay, nothing fires.
  WorldConfig c;
  c.seed = 11;
  c.duration_ms = 12 * kHourMs;
  c.access_ttl_ms = 30 * kMinuteMs;
  c.faults.drop_after_per_million = 500'000;
  c.faults_until_ms = 6 * kHourMs;
  c.stores = {{{StoreKind::kClaudeFile, ""}}};
  for (int i = 0; i < 2; ++i) {
    ConsumerSpec s{.name = "ref" + std::to_string(i)};
    s.need_every_ms_max = 3 * kMinuteMs;
    c.consumers.push_back(s);
  }
  RunResult r = RunWorld(c, {});
  EXPECT_GT(r.lost_response_replays, 0u);
  EXPECT_EQ(r.real_reuses, 0u);
  EXPECT_TRUE(r.ok()) << FormatViolation(r.violations.front(), true);
}

// --- no_collateral_damage ----------------------------------------------------------------------

TEST(NoCollateralDamageOracle, FiresWhenAReferenceWriteReplacesASymlink) {
  NoCollateralDamage oracle;
  StoreWritten w{.consumer = "ref", .reference = true, .store = "claude-file"};
  w.readable_before = w.readable_after = true;
  w.symlink_before = true;
  oracle.OnWrite(w);
  ASSERT_EQ(oracle.violations().size(), 1u);
  EXPECT_NE(oracle.violations()[0].message.find("symlink"), std::string::npos);
}

// Emptying the engine's own rescue store is its protocol; the same write to a tool's store is a
// store going back to nothing.
TEST(NoCollateralDamageOracle, EmptyingTheRescueStoreIsNotGoingBack) {
  NoCollateralDamage oracle;
  StoreWritten w{.consumer = "ref",
                 .reference = true,
                 .store = "credsim-rescue",
                 .kind = engine::StoreKind::kEngineRescue};
  w.readable_before = w.readable_after = true;
  w.family_before = 1;
  w.generation_before = 7;
  oracle.OnWrite(w);
  EXPECT_TRUE(oracle.violations().empty());
  w.store = "claude-file";
  w.kind = engine::StoreKind::kClaudeFile;
  oracle.OnWrite(w);
  ASSERT_EQ(oracle.violations().size(), 1u);
  EXPECT_NE(oracle.violations()[0].message.find("went back"), std::string::npos);
}

TEST(NoCollateralDamageOracle, HoldsWhenTheReferenceWritesThroughASymlinkAToolReplaced) {
  // The reference writes through the link (it keeps it); a Claude Code rename replaces it, which
  // is the tool's doing and not judged.
  WorldConfig c;
  c.duration_ms = 6 * kHourMs;
  c.access_ttl_ms = kHourMs;
  InitialStore file{{StoreKind::kClaudeFile, ""}};
  file.symlink = true;
  c.stores = {file};
  c.consumers = {{.name = "ref"}};
  c.consumers.push_back({.name = "cli", .policy = "claude-code-cli"});
  c.consumers.back().need_every_ms_min = c.consumers.back().need_every_ms_max = 10 * kMinuteMs;
  c.events = {
      {3 * kHourMs, EventKind::kReplaceSymlink, "", engine::StoreId{StoreKind::kClaudeFile, ""}}};
  RunResult r = RunWorld(c, {});
  EXPECT_TRUE(r.ok()) << FormatViolation(r.violations.front(), true);
}

}  // namespace
}  // namespace credsim::sim

namespace credsim::sim {
namespace {

RefreshObserved Request(const std::string& consumer, int64_t t_ms, bool judged = true) {
  return RefreshObserved{.t_ms = t_ms,
                         .consumer = consumer,
                         .reference = judged,
                         .reached_server = true,
                         .outcome = "issued"};
}

TEST(RefreshStormOracle, FiresOnTheRequestThatExceedsTheBoundWithinALifetime) {
  RefreshStorm storm(kHourMs, 3);
  for (int i = 0; i < 3; ++i) storm.OnRefresh(Request("loop", i * kSecondMs));
  EXPECT_TRUE(storm.violations().empty()) << "three in an hour is the bound itself";
  storm.OnRefresh(Request("loop", 3 * kSecondMs));
  ASSERT_EQ(storm.violations().size(), 1u);
  EXPECT_EQ(storm.violations()[0].consumer, "loop");
  EXPECT_EQ(storm.violations()[0].t_ms, 3 * kSecondMs);
  storm.OnRefresh(Request("loop", 4 * kSecondMs));
  EXPECT_EQ(storm.violations().size(), 1u) << "one firing per consumer";
}

TEST(RefreshStormOracle, HoldsForRequestsSpreadOverLifetimesAndForTools) {
  RefreshStorm storm(kHourMs, 3);
  // One request every 20 min never has more than three inside an hour.
  for (int i = 0; i < 24; ++i) storm.OnRefresh(Request("steady", i * 20 * kMinuteMs + 1));
  // A tool model storms as part of the world: not this oracle's to judge.
  for (int i = 0; i < 24; ++i) storm.OnRefresh(Request("tool", i * kSecondMs, /*judged=*/false));
  // Requests that never reached the server (a down server) do not count.
  RefreshObserved dropped = Request("flaky", 0);
  dropped.reached_server = false;
  for (int i = 0; i < 24; ++i) storm.OnRefresh(dropped);
  EXPECT_TRUE(storm.violations().empty());
}

TEST(RefreshStormOracle, HoldsForReferenceConsumersOverADayOfShortTokens) {
  // 5 min tokens and the 5 min leeway the real clients use: without the engine's half-lifetime
  // leeway every demand rotated (the swarm's 5 min worlds fired this oracle).
  WorldConfig c;
  c.access_ttl_ms = 5 * kMinuteMs;
  c.duration_ms = kDayMs;
  c.stores = {{{StoreKind::kClaudeFile, ""}}, {{StoreKind::kAgentAuth, ""}}};
  for (int i = 0; i < 4; ++i) {
    c.consumers.push_back({.name = "c" + std::to_string(i),
                           .need_every_ms_min = 20 * kSecondMs,
                           .need_every_ms_max = kMinuteMs});
  }
  const RunResult r = RunWorld(c, {});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : FormatViolation(r.violations[0], true));
}

DemandObserved Demand(const std::string& consumer, int64_t t_ms, bool served) {
  return DemandObserved{.t_ms = t_ms,
                        .consumer = consumer,
                        .reference = true,
                        .served = served,
                        .status = served ? "ok" : "relogin_required",
                        .outage_cause = served ? "" : "session_dead"};
}

TEST(AvailabilityOracle, RecordsEachOutageFromTheFirstFailureToTheNextServedDemand) {
  Availability a;
  a.OnDemand(Demand("a", 0, true));
  a.OnDemand(Demand("a", kMinuteMs, false));
  a.OnDemand(Demand("a", 2 * kMinuteMs, false));
  a.OnDemand(Demand("a", 3 * kMinuteMs, true));
  a.OnDemand(Demand("b", 90 * kSecondMs, false));
  a.Finish(kHourMs);
  EXPECT_TRUE(a.violations().empty()) << "availability reports, it never fires";
  ASSERT_EQ(a.outages().size(), 2u);
  EXPECT_EQ(a.outages()[0].consumer, "a");
  EXPECT_EQ(a.outages()[0].from_ms, kMinuteMs);
  EXPECT_EQ(a.outages()[0].to_ms, 3 * kMinuteMs);
  EXPECT_EQ(a.outages()[0].demands_failed, 2u);
  EXPECT_FALSE(a.outages()[0].ongoing);
  EXPECT_EQ(a.outages()[1].consumer, "b");
  EXPECT_TRUE(a.outages()[1].ongoing);
  EXPECT_EQ(a.outages()[1].to_ms, kHourMs);
  ASSERT_EQ(a.consumers().size(), 2u);
  EXPECT_EQ(a.consumers()[0].demands, 4u);
  EXPECT_EQ(a.consumers()[0].served, 2u);
  EXPECT_EQ(a.consumers()[1].served, 0u);
}

TEST(AvailabilityOracle, AServedRunHasNoOutage) {
  Availability a;
  for (int i = 0; i < 10; ++i) a.OnDemand(Demand("a", i * kMinuteMs, true));
  a.Finish(kHourMs);
  EXPECT_TRUE(a.outages().empty());
  EXPECT_EQ(a.consumers()[0].served, 10u);
}

}  // namespace
}  // namespace credsim::sim

namespace credsim::sim {
namespace {

StoreWritten ExpiryWrite(int64_t overstated_ms, bool copied = false, bool judged = true) {
  return StoreWritten{.t_ms = kHourMs,
                      .consumer = "c0",
                      .reference = judged,
                      .store = "claude-file",
                      .expiry_overstated_after_ms = overstated_ms,
                      .expiry_allowance_ms = 2 * kSecondMs,
                      .expiry_copied = copied};
}

TEST(ClockOracle, FiresWhenAJudgedWriterStoresAnExpiryPastTheServers) {
  Clock clock;
  // The seconds-as-milliseconds shape in reverse: an expiry computed twice, 8 h too late.
  clock.OnWrite(ExpiryWrite(8 * kHourMs));
  ASSERT_EQ(clock.violations().size(), 1u);
  EXPECT_NE(clock.violations()[0].message.find("past the server's"), std::string::npos);
}

TEST(ClockOracle, HoldsForCopiedToolWrittenAndExplainedExpiries) {
  Clock clock;
  clock.OnWrite(ExpiryWrite(2 * kSecondMs));                     // inside the allowance
  clock.OnWrite(ExpiryWrite(kHourMs, /*copied=*/true));          // spread as read
  clock.OnWrite(ExpiryWrite(kHourMs, false, /*judged=*/false));  // a tool's clock
  StoreWritten kept = ExpiryWrite(kHourMs);
  kept.expiry_overstated_before_ms = kHourMs;  // already there before this write
  clock.OnWrite(kept);
  EXPECT_TRUE(clock.violations().empty());
}

}  // namespace
}  // namespace credsim::sim

namespace credsim::sim {
namespace {

TEST(NoCollateralDamageOracle, FiresWhenAJudgedWriteChangesASectionAnotherToolOwns) {
  NoCollateralDamage oracle;
  StoreWritten w{.t_ms = kMinuteMs, .consumer = "c0", .reference = true, .store = "claude-file"};
  w.readable_before = w.readable_after = true;
  w.scopes_before = w.scopes_after = true;
  w.markers_before = w.markers_after = true;
  w.foreign_before = w.foreign_after = 42;
  oracle.OnWrite(w);
  EXPECT_TRUE(oracle.violations().empty()) << "the sections other tools own kept";
  w.foreign_after = 43;
  StoreWritten by_tool = w;
  by_tool.reference = false;
  oracle.OnWrite(by_tool);
  EXPECT_TRUE(oracle.violations().empty()) << "a tool's write is the world, not the subject";
  oracle.OnWrite(w);
  ASSERT_EQ(oracle.violations().size(), 1u);
  EXPECT_NE(oracle.violations()[0].message.find("a section another tool owns"), std::string::npos);
}

}  // namespace
}  // namespace credsim::sim
