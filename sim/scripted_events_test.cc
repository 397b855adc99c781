// Scripted events and server knobs, each shown to do what its name says: a world with the event
// and the same world without it differ exactly where the event acts. Expected values come from
// the event's definition (world_config.h), not from recorded output.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/choice.h"
#include "sim/run.h"
#include "sim/store_docs.h"
#include "sim/world.h"

namespace credsim::sim {
namespace {

using engine::StoreId;
using engine::StoreKind;

// One reference consumer whose only store holds an expired pair: its first demand refreshes at
// once, so an event at t = 0 acts on that refresh.
WorldConfig OneRefresherWorld() {
  WorldConfig c;
  c.duration_ms = 30 * kMinuteMs;
  c.access_ttl_ms = kHourMs;
  c.net_latency_ms_min = c.net_latency_ms_max = 50;
  c.stores = {{.id = {StoreKind::kClaudeFile, ""}, .expired = true}};
  c.consumers = {{.name = "ref"}};
  return c;
}

bool Traced(const RunResult& r, const std::string& event) {
  return std::any_of(r.index.begin(), r.index.end(),
                     [&](const Trace::IndexEntry& e) { return e.event == event; });
}

std::string Describe(const RunResult& r) {
  std::string out;
  for (const Violation& v : r.violations) out += FormatViolation(v, true) + "\n";
  for (const Outage& o : r.outages) out += "outage " + DescribeOutage(o) + "\n";
  return out;
}

TEST(ScriptedEvents, LostResponseUnderGraceIsRecoveredWithoutAnOutage) {
  WorldConfig c = OneRefresherWorld();
  c.reuse = *oauth::ParseReusePolicy("grace:10s");
  c.events = {{0, EventKind::kLoseNextResponse, "ref"}};
  RunResult r = RunWorld(c, {});
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_TRUE(r.outages.empty()) << Describe(r);
  // The retry presents the token whose answer was lost: the grace window hands out the same
  // successor, and lineage files it as a lost-response replay, not a reuse.
  EXPECT_EQ(r.real_reuses, 0u);
}

TEST(ScriptedEvents, LostRotationOnAStrictServerIsAnOutageNotAnAllHeld) {
  WorldConfig c = OneRefresherWorld();
  c.reuse = *oauth::ParseReusePolicy("revoke-family");
  c.events = {{0, EventKind::kLoseNextResponse, "ref"}};
  RunResult r = RunWorld(c, {.keep_index = true});
  // Nobody could have prevented it (the successor exists only in a lost answer), so no oracle
  // fires; but the consumer is out for the rest of the run, and the run says so.
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_EQ(r.lost_response_replays, 1u);
  ASSERT_EQ(r.outages.size(), 1u) << Describe(r);
  EXPECT_EQ(r.outages[0].consumer, "ref");
  EXPECT_EQ(r.outages[0].cause, "session_dead");
  EXPECT_TRUE(r.outages[0].ongoing);
  EXPECT_LT(r.outages[0].from_ms, kMinuteMs);
  ASSERT_EQ(r.availability.size(), 1u);
  EXPECT_EQ(r.availability[0].served, 0u);
  // The same world without the event: no outage at all.
  c.events.clear();
  EXPECT_TRUE(RunWorld(c, {}).outages.empty());
}

TEST(ScriptedEvents, FailAfterGrantLosesTheRotationWithTheProcess) {
  WorldConfig c = OneRefresherWorld();
  c.reuse = *oauth::ParseReusePolicy("grace:10s");
  c.events = {{0, EventKind::kFailAfterGrant, "ref"}};
  RunResult r = RunWorld(c, {.keep_index = true});
  EXPECT_TRUE(Traced(r, "consumer.killed"));
  EXPECT_TRUE(Traced(r, "refresh.lost_with_process"));
  EXPECT_TRUE(r.ok()) << Describe(r);
}

TEST(ScriptedEvents, ServerClockJumpExpiresTokensEarlyAndTheEngineRecovers) {
  WorldConfig c = OneRefresherWorld();
  c.stores[0].expired = false;  // a fresh 1 h token, refreshed by nobody for the first 55 min
  c.events = {{10 * kMinuteMs, EventKind::kServerClockJump, "", std::nullopt, 50 * kMinuteMs}};
  RunResult jumped = RunWorld(c, {});
  c.events.clear();
  RunResult steady = RunWorld(c, {});
  // After the jump the server calls the stored token expired 50 min early: the API answers 401,
  // the engine refreshes on it, and every demand is still served.
  EXPECT_TRUE(jumped.ok()) << Describe(jumped);
  EXPECT_TRUE(jumped.outages.empty()) << Describe(jumped);
  EXPECT_EQ(steady.summary.refreshes, 0u);
  EXPECT_GE(jumped.summary.refreshes, 1u);
}

TEST(ScriptedEvents, ConsumerClockJumpMovesOnlyThatConsumersClock) {
  WorldConfig c = OneRefresherWorld();
  c.stores[0].expired = false;
  // Two hours ahead, the consumer sees its 1 h token as expired and refreshes at once.
  c.events = {{10 * kMinuteMs, EventKind::kClockJump, "ref", std::nullopt, 2 * kHourMs}};
  RunResult r = RunWorld(c, {});
  EXPECT_TRUE(r.ok()) << Describe(r);
  EXPECT_GE(r.summary.refreshes, 1u);
}

TEST(ScriptedEvents, ApiOutageIsReportedWithItsCause) {
  WorldConfig c = OneRefresherWorld();
  c.stores[0].expired = false;
  c.events = {{10 * kMinuteMs, EventKind::kApiRejectStart},
              {20 * kMinuteMs, EventKind::kApiRejectEnd}};
  RunResult r = RunWorld(c, {});
  EXPECT_TRUE(r.ok()) << Describe(r);
  ASSERT_EQ(r.outages.size(), 1u) << Describe(r);
  EXPECT_EQ(r.outages[0].cause, "api_rejecting");
  EXPECT_GE(r.outages[0].from_ms, 10 * kMinuteMs);
  EXPECT_GE(r.outages[0].to_ms, 20 * kMinuteMs);
  EXPECT_FALSE(r.outages[0].ongoing);
}

TEST(ScriptedEvents, ProcessLocalLocksExcludeNobody) {
  WorldConfig c;
  c.seed = 7;
  c.duration_ms = 6 * kHourMs;
  c.access_ttl_ms = kHourMs;
  c.net_latency_ms_min = 200;
  c.net_latency_ms_max = 2000;
  c.stores = {{{StoreKind::kClaudeFile, ""}}};
  for (int i = 0; i < 4; ++i) {
    c.consumers.push_back({.name = "p" + std::to_string(i),
                           .need_every_ms_min = 5 * kSecondMs,
                           .need_every_ms_max = 20 * kSecondMs});
  }
  RunResult shared = RunWorld(c, {});
  EXPECT_TRUE(shared.ok()) << Describe(shared);
  EXPECT_EQ(shared.summary.reuse_seen, 0u);
  for (ConsumerSpec& s : c.consumers) s.lock = LockTopology::kProcess;
  RunResult local = RunWorld(c, {});
  EXPECT_GT(local.summary.reuse_seen, 0u)
      << "four processes refreshed without excluding each other";
}

TEST(ScriptedEvents, AToolsOwnLoginWritesOnlyItsOwnStore) {
  WorldConfig c = OneRefresherWorld();
  c.stores = {{{StoreKind::kClaudeFile, ""}}, {{StoreKind::kAgentAuth, ""}}};
  c.consumers[0].need_every_ms_min = c.consumers[0].need_every_ms_max = kHourMs;  // stays idle
  c.events = {{kMinuteMs, EventKind::kRelogin, "ref", StoreId{StoreKind::kClaudeFile, ""}}};
  PrngChoices choices(c.seed);
  Trace trace;
  World world(c, choices, trace);
  world.Run();
  const StoreState* file = world.store({StoreKind::kClaudeFile, ""});
  const StoreState* agent = world.store({StoreKind::kAgentAuth, ""});
  ASSERT_TRUE(file && agent);
  EXPECT_EQ(agent->summary.family, 1u) << "the agent store keeps the first login's family";
  EXPECT_EQ(file->summary.family, 2u) << "the claude file holds the new login";
}

// Stored values as data: the seeded documents carry exactly the values the scenario states.
TEST(StoredValues, SeededDocumentsCarryTheStatedValues) {
  WorldConfig c;
  c.duration_ms = kSecondMs;
  c.consumers = {{.name = "idle", .start_ms = kHourMs}};
  InitialStore file{.id = {StoreKind::kClaudeFile, ""}};
  file.expiry = InitialStore::Expiry::kAt;
  file.expiry_at_ms = -kHourMs;
  file.expiry_in_seconds = true;
  file.refresh_token_expires_at_ms = 30 * kDayMs;
  file.extra_members = R"("mcpOAuth": {"srv": 1})";
  InitialStore agent{.id = {StoreKind::kAgentAuth, ""}};
  agent.expiry = InitialStore::Expiry::kAbsent;
  c.stores = {file, agent};
  PrngChoices choices(c.seed);
  Trace trace;
  World world(c, choices, trace);
  world.Run();
  const std::string& claude = world.store({StoreKind::kClaudeFile, ""})->bytes;
  EXPECT_NE(claude.find("\"expiresAt\": " + std::to_string((kEpochMs - kHourMs) / 1000)),
            std::string::npos)
      << claude;
  EXPECT_NE(claude.find("\"refreshTokenExpiresAt\": " + std::to_string(kEpochMs + 30 * kDayMs)),
            std::string::npos);
  EXPECT_NE(claude.find(R"("mcpOAuth": {"srv": 1})"), std::string::npos);
  EXPECT_EQ(claude.find(R"("mcpOAuth": {},)"), std::string::npos) << "no second mcpOAuth key";
  EXPECT_TRUE(world.store({StoreKind::kClaudeFile, ""})->summary.readable);
  const std::string& pool = world.store({StoreKind::kAgentAuth, ""})->bytes;
  EXPECT_EQ(pool.find("expires_at_ms"), std::string::npos) << pool;
}

TEST(StoredValues, CodexLastRefreshIsWrittenAsRfc3339) {
  EXPECT_EQ(Rfc3339(kEpochMs),
            "2026-09-21T14:13:20Z");  // Python: datetime.fromtimestamp(1790000000, utc)
  EXPECT_EQ(Rfc3339(kEpochMs - 9 * kDayMs), "2026-09-12T14:13:20Z");
}

}  // namespace
}  // namespace credsim::sim
