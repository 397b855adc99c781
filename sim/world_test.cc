// Worlds built to hold and worlds built to break each oracle. Expected outcomes come from the
// design (a reference world must hold every oracle; a legacy deviation must trip the oracle that
// names its bug), not from recorded output.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/run.h"

namespace credsim::sim {
namespace {

using engine::StoreId;
using engine::StoreKind;

WorldConfig ClaudeWorld(int consumers, const std::string& policy, int64_t duration_ms) {
  WorldConfig c;
  c.seed = 42;
  c.access_ttl_ms = kHourMs;
  c.duration_ms = duration_ms;
  c.stores = {{{StoreKind::kClaudeKeychain, ""}},
              {{StoreKind::kClaudeFile, ""}},
              {{StoreKind::kAgentAuth, ""}}};
  for (int i = 0; i < consumers; ++i) {
    ConsumerSpec s;
    s.name = "c" + std::to_string(i);
    s.policy = policy;
    s.need_every_ms_min = 20 * kSecondMs;
    s.need_every_ms_max = 2 * kMinuteMs;
    c.consumers.push_back(s);
  }
  return c;
}

bool Fired(const RunResult& r, const std::string& oracle) {
  return std::any_of(r.violations.begin(), r.violations.end(),
                     [&](const Violation& v) { return v.oracle == oracle; });
}

size_t Count(const RunResult& r, const std::string& event) {
  return static_cast<size_t>(
      std::count_if(r.index.begin(), r.index.end(),
                    [&](const Trace::IndexEntry& e) { return e.event == event; }));
}

std::string Describe(const RunResult& r) {
  std::string out;
  for (const Violation& v : r.violations) out += FormatViolation(v, true) + "\n";
  for (const Outage& o : r.outages) out += "outage " + DescribeOutage(o) + "\n";
  return out;
}

TEST(World, ReferenceConsumersShareOneSessionForADay) {
  RunResult r = RunWorld(ClaudeWorld(4, "reference", kDayMs), {});
  EXPECT_TRUE(r.ok()) << Describe(r);
  // 1 h access tokens for 24 h: about 24 rotations, one per expiry, not one per consumer.
  EXPECT_GE(r.summary.refreshes, 20u);
  EXPECT_LE(r.summary.refreshes, 30u);
  EXPECT_EQ(r.summary.demands_failed, 0u);
  EXPECT_FALSE(r.summary.limit_hit);
}

// A restart that lands after the server rotated but before any store holds the new pair: the pair
// dies with the process, as if its answer had been lost on the wire, and the restarted process's
// replay of the predecessor is one no client can avoid. The oracles classify it so (swarm seed
// 698 of `swarm --seeds 4000 --minutes 1440` once blamed the reference for it).
TEST(World, RestartBetweenTheAnswerAndTheFirstWriteIsALostRotation) {
  WorldConfig c;
  c.duration_ms = 10 * kMinuteMs;
  c.net_latency_ms_min = c.net_latency_ms_max = 100;  // the answer is on the wire during 109-209
  c.store_latency_ms_min = c.store_latency_ms_max = 1;
  c.stores = {{.id = {StoreKind::kClaudeFile, ""}, .expired = true}};
  c.consumers = {{.name = "ref"}};
  c.consumers[0].need_every_ms_min = c.consumers[0].need_every_ms_max = kMinuteMs;
  c.events = {{150, EventKind::kRestart, "ref"}};
  RunResult r = RunWorld(c, {.keep_index = true});
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_GE(r.summary.reuse_seen, 1u) << "the restarted process replayed the predecessor";
  EXPECT_TRUE(std::any_of(r.index.begin(), r.index.end(), [](const Trace::IndexEntry& e) {
    return e.event == "refresh.lost_with_process";
  }));
  // Moved past the write, the same restart loses nothing and nothing is replayed.
  c.events = {{2 * kSecondMs, EventKind::kRestart, "ref"}};
  r = RunWorld(c, {});
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.summary.reuse_seen, 0u);
}

// A process killed during its refresh restarts a second later; a scripted restart half a second
// after the kill has already started it again. The process then runs once: starting it a second
// time freed the running engine under its own coroutine (found by the swarm property test under
// AddressSanitizer).
TEST(World, AKillAndARestartCloseTogetherStartTheProcessOnce) {
  WorldConfig c;
  c.duration_ms = 10 * kMinuteMs;
  c.net_latency_ms_min = c.net_latency_ms_max = 100;  // the refresh reaches the server at ~100 ms
  c.stores = {{.id = {StoreKind::kClaudeFile, ""}, .expired = true}};
  c.consumers = {{.name = "ref"}};
  c.consumers[0].need_every_ms_min = c.consumers[0].need_every_ms_max = kMinuteMs;
  c.events = {{0, EventKind::kKillDuringRefresh, "ref"}, {500, EventKind::kRestart, "ref"}};
  const RunResult r = RunWorld(c, {.keep_index = true});
  EXPECT_TRUE(r.ok()) << Describe(r);
  const auto count = [&](std::string_view event) {
    return std::count_if(r.index.begin(), r.index.end(),
                         [&](const Trace::IndexEntry& e) { return e.event == event; });
  };
  ASSERT_EQ(count("consumer.killed"), 2) << "killed during the refresh, then by the restart";
  EXPECT_EQ(count("consumer.start"), 2) << "the first start and the scripted restart, no third";
}

TEST(World, ReferenceHoldsUnderNetworkFaults) {
  WorldConfig c = ClaudeWorld(3, "reference", 12 * kHourMs);
  c.faults = {.drop_before_per_million = 100'000,
              .drop_after_per_million = 0,
              .error_5xx_per_million = 100'000,
              .rate_limit_per_million = 50'000};
  c.faults_until_ms = 6 * kHourMs;
  c.access_ttl_ms = 10 * kMinuteMs;  // ~70 rotations inside the fault window, not ~6
  c.trace_io = true;
  RunResult r = RunWorld(c, {.keep_index = true});
  EXPECT_TRUE(r.ok()) << Describe(r);
  // The faults really happened: without them this test would prove nothing.
  for (const char* fault : {"net.dropped_before", "net.server_error", "net.rate_limited"}) {
    EXPECT_GT(Count(r, fault), 0u) << fault;
  }
  EXPECT_GT(r.summary.refreshes, 0u);
}

TEST(World, RefreshOutsideLockTripsReuseOracles) {
  // Two consumers that think they hold the lock refresh the same token: the authority sees reuse
  // (strict race policy) and lineage calls it real, since no response was lost.
  WorldConfig c = ClaudeWorld(4, "RefreshOutsideLock", kDayMs);
  c.net_latency_ms_min = 200;
  c.net_latency_ms_max = 2000;
  c.consumers[0].policy = "reference";
  RunResult r = RunWorld(c, {});
  EXPECT_GT(r.real_reuses, 0u);
  EXPECT_TRUE(Fired(r, "no_self_inflicted_reuse")) << Describe(r);
  EXPECT_TRUE(Fired(r, "lineage")) << Describe(r);
}

TEST(World, WriteBackDropsScopesIsCollateralDamageOnlyForTheLegacy) {
  RunResult legacy = RunWorld(ClaudeWorld(2, "WriteBackDropsScopes", 4 * kHourMs), {});
  // The wrapper strips scopes from every Claude write it makes: the first rotation shows it.
  EXPECT_TRUE(Fired(legacy, "no_collateral_damage")) << Describe(legacy);
  RunResult reference = RunWorld(ClaudeWorld(2, "reference", 4 * kHourMs), {});
  EXPECT_TRUE(reference.ok()) << Describe(reference);
}

TEST(World, HealthCheckSpendsTheSessionAndLocksReferenceOut) {
  WorldConfig c = ClaudeWorld(2, "reference", 12 * kHourMs);
  ConsumerSpec cron;
  cron.name = "cron";
  cron.policy = "health-check";
  cron.need_every_ms_min = cron.need_every_ms_max = 2 * kHourMs;
  c.consumers.push_back(cron);
  RunResult r = RunWorld(c, {});
  // The cron posts every stored refresh token and throws the answers away: the live successor
  // exists in no store, so the reference consumers are locked out with nothing they could do.
  // The reuse is the cron's (a tool), the reference is not blamed, and the outage is reported.
  EXPECT_GT(r.real_reuses, 0u);
  EXPECT_TRUE(r.ok()) << Describe(r);
  const auto dead = std::find_if(r.outages.begin(), r.outages.end(), [](const Outage& o) {
    return o.judged && o.cause == "session_dead" && o.ongoing;
  });
  EXPECT_NE(dead, r.outages.end())
      << "an outage with its cause, to the end: only a login recovers\n"
      << Describe(r);
}

// A tool in the world does not switch the reuse oracles off for the judged consumers: two
// processes that skip the lock still collide, and the reuse is attributed to the one that
// presented the token (its sibling, also judged, had retired it).
TEST(World, ToolsInTheWorldDoNotHideAJudgedConsumersReuse) {
  WorldConfig c = ClaudeWorld(4, "RefreshOutsideLock", kDayMs);
  c.net_latency_ms_min = 200;
  c.net_latency_ms_max = 2000;
  ConsumerSpec tool;
  tool.name = "cli";
  tool.policy = "claude-code-cli";
  tool.need_every_ms_min = 10 * kMinuteMs;
  tool.need_every_ms_max = 30 * kMinuteMs;
  c.consumers.push_back(tool);
  RunResult r = RunWorld(c, {});
  EXPECT_FALSE(r.reference_only);
  EXPECT_TRUE(Fired(r, "no_self_inflicted_reuse")) << Describe(r);
  for (const Violation& v : r.violations) EXPECT_NE(v.consumer, "cli") << "tools are not judged";
}

TEST(World, KeychainFirstReadLocksOutWhenKeychainIsStale) {
  WorldConfig c = ClaudeWorld(1, "KeychainFirstRead", 2 * kHourMs);
  c.stores = {{{StoreKind::kClaudeKeychain, ""}, InitialContent::kPrevious, true},
              {{StoreKind::kClaudeFile, ""}, InitialContent::kCurrent, false}};
  RunResult legacy = RunWorld(c, {});
  EXPECT_GT(legacy.summary.demands_failed, 0u);
  EXPECT_TRUE(Fired(legacy, "no_lockout")) << Describe(legacy);
  c.consumers[0].policy = "reference";
  RunResult reference = RunWorld(c, {});
  EXPECT_TRUE(reference.ok()) << Describe(reference);
  EXPECT_EQ(reference.summary.demands_failed, 0u);
}

TEST(World, WrongEndpointIsALockoutOnceTheAccessTokenExpires) {
  // 1 h tokens: the first refresh goes to a legacy endpoint that answers 500, forever.
  RunResult r = RunWorld(ClaudeWorld(1, "WrongEndpoint", 3 * kHourMs), {});
  EXPECT_GT(r.summary.demands_failed, 0u);
  ASSERT_TRUE(Fired(r, "no_lockout")) << Describe(r);
  EXPECT_GE(r.violations.front().t_ms, kHourMs - 5 * kMinuteMs);
}

TEST(World, RestartAndKillDuringRefreshRecover) {
  WorldConfig c = ClaudeWorld(3, "reference", 8 * kHourMs);
  // c0 needs a token every 10-20 s, the others every 20 s to 2 min: c0 makes the next rotation
  // after its kill is armed, so the kill really lands on a refresh.
  c.consumers[0].need_every_ms_min = 10 * kSecondMs;
  c.consumers[0].need_every_ms_max = 20 * kSecondMs;
  c.events = {{2 * kHourMs, EventKind::kRestart, "c1"},
              {3 * kHourMs - 10 * kMinuteMs, EventKind::kKillDuringRefresh, "c0"},
              {5 * kHourMs, EventKind::kRelogin, "c2"}};
  RunResult r = RunWorld(c, {.keep_index = true});
  EXPECT_TRUE(r.ok()) << Describe(r);
  // Each event acted: a restart, a death with the answer on the wire, and a new login's family.
  EXPECT_EQ(Count(r, "consumer.killed"), 2u);
  EXPECT_EQ(Count(r, "user.relogin_written"), 1u);
  EXPECT_GE(r.lost_response_replays + Count(r, "refresh.lost_with_process"), 1u)
      << "the killed refresh's successor was lost with the process";
}

TEST(World, TraceHasNoTokenText) {
  std::FILE* f = std::tmpfile();
  RunResult r = RunWorld(ClaudeWorld(2, "reference", 3 * kHourMs), {.trace_out = f});
  EXPECT_FALSE(Fired(r, "no_secret_leak"));
  std::rewind(f);
  char buf[4096];
  size_t lines = 0;
  while (std::fgets(buf, sizeof buf, f)) {
    ++lines;
    EXPECT_EQ(std::string(buf).find("sk-ant-"), std::string::npos);
  }
  std::fclose(f);
  EXPECT_EQ(lines, r.summary.trace_lines);
}

}  // namespace
}  // namespace credsim::sim
