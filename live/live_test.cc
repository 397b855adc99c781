// The live judge on hand-made histories (no processes): each excuse the reuse oracle makes, and
// each cause an outage gets, is tested here; live/CMakeLists.txt runs real worlds end to end.
#include <gtest/gtest.h>

#include "live/judge.h"
#include "live/live_run.h"
#include "live/token_scan.h"

namespace credsim::live {
namespace {

TEST(TokenScan, FindsEveryProvidersTokenShapesAndNothingElse) {
  const std::string text =
      "refreshed sk-ant-ort01-AAAAbbbbCCCCdddd1234 and rt_abcdefghijklmn, id "
      "eyJhbGciOiJub25lIn0.eyJleHAiOjF9.sig; not: sk-ant-short rt_short eyJonly "
      "xsk-ant-ort01-AAAAbbbbCCCCdddd1234";
  EXPECT_EQ(TokenShapedStrings(text),
            (std::vector<std::string>{"sk-ant-ort01-AAAAbbbbCCCCdddd1234", "rt_abcdefghijklmn",
                                      "eyJhbGciOiJub25lIn0.eyJleHAiOjF9.sig"}));
  EXPECT_EQ(TokenShapedStrings(text, 1).size(), 1u);
}

TEST(ExpandTemplate, QuotesEveryValueForTheShell) {
  EXPECT_EQ(ExpandTemplate("x {home} {token_url} {unknown} {home}",
                           {{"home", "/tmp/a b"}, {"token_url", "http://h/'q'"}}),
            "x '/tmp/a b' 'http://h/'\\''q'\\''' {unknown} '/tmp/a b'");
}

ServerLogEntry Refresh(std::string tag, std::string outcome, uint32_t presented, int status = 0) {
  ServerLogEntry e;
  e.tag = std::move(tag);
  e.grant = "refresh_token";
  e.outcome = std::move(outcome);
  e.family_id = 1;
  e.presented_generation = presented;
  e.generation = e.outcome == "issued" ? presented + 1 : presented;
  e.status = status != 0 ? status : e.outcome == "issued" ? 200 : 400;
  e.label = "fam1/rt" + std::to_string(presented);
  return e;
}

Invocation Call(std::string consumer, std::string tag, int64_t end_ms, bool served) {
  Invocation inv;
  inv.consumer = std::move(consumer);
  inv.tag = std::move(tag);
  inv.start_ms = end_ms - 100;
  inv.end_ms = end_ms;
  inv.served = served;
  inv.exit_code = served ? 0 : 1;
  return inv;
}

LiveConfig TwoConsumers() {
  LiveConfig c;
  c.consumers.push_back({.name = "engine", .command = "x"});
  c.consumers.push_back({.name = "tool", .command = "y", .judged = false});
  return c;
}

std::vector<std::string> Oracles(const LiveVerdict& v) {
  std::vector<std::string> out;
  for (const auto& x : v.result.violations) out.push_back(x.oracle + ":" + x.consumer);
  return out;
}

TEST(JudgeLive, AJudgedReuseOfAJudgedRotationIsSelfInflicted) {
  LiveHistory h;
  h.duration_ms = 1000;
  h.invocations = {Call("engine", "engine-0-0", 200, true),
                   Call("engine", "engine-1-0", 300, true)};
  h.server_log = {Refresh("engine-0-0", "issued", 1), Refresh("engine-1-0", "race_loser", 1)};
  const LiveVerdict v = JudgeLive(TwoConsumers(), h);
  EXPECT_EQ(Oracles(v), (std::vector<std::string>{"no_self_inflicted_reuse:engine"}));
  EXPECT_EQ(v.numbers.grants, 1u);
  EXPECT_EQ(v.numbers.judged_reuses, 1u);
}

TEST(JudgeLive, ReusesThatAreNobodysChoiceAreCountedNotBlamed) {
  LiveHistory h;
  h.duration_ms = 1000;
  Invocation killed = Call("engine", "engine-2-0", 250, false);
  killed.killed_by_nemesis = true;
  h.invocations = {Call("engine", "engine-0-0", 200, true), Call("tool", "tool-0-0", 210, true),
                   killed, Call("engine", "engine-1-0", 400, true)};
  h.server_log = {
      // its own answer was lost (status 0), then the one retry
      Refresh("engine-0-0", "issued", 1, /*status=*/-1),
      Refresh("engine-0-0", "reused_retired_token", 1),
      // a tool rotated gen 2 (outside any lock); the engine's refresh of gen 2 lost to it
      Refresh("tool-0-0", "issued", 2), Refresh("engine-1-0", "race_loser", 2),
      // a process killed after its rotation of gen 3; the next one presents gen 3
      Refresh("engine-2-0", "issued", 3), Refresh("engine-1-0", "reused_retired_token", 3),
      // the tool's own reuse: not judged
      Refresh("tool-0-0", "reused_retired_token", 3)};
  h.server_log[0].status = 0;
  const LiveVerdict v = JudgeLive(TwoConsumers(), h);
  EXPECT_TRUE(v.result.violations.empty()) << v.result.violations.front().message;
  EXPECT_EQ(v.numbers.lost_response_retries, 1u);
  EXPECT_EQ(v.numbers.refused_after_tool_rotation, 1u);
  EXPECT_EQ(v.numbers.refused_after_killed_rotation, 1u);
  EXPECT_EQ(v.numbers.tool_reuses, 1u);
}

TEST(JudgeLive, AFailedCallIsALockoutOnlyWhenALiveCredentialWasWithinReach) {
  LiveHistory h;
  h.duration_ms = 5000;
  Invocation locked_out = Call("engine", "engine-0-1", 1000, false);
  locked_out.live_credential_within_reach = true;
  Invocation faulted = Call("engine", "engine-1-1", 2000, false);
  faulted.live_credential_within_reach = true;
  Invocation dead = Call("engine", "engine-0-2", 3000, false);
  h.invocations = {Call("engine", "engine-0-0", 500, true),
                   locked_out,
                   Call("engine", "engine-1-0", 1500, true),
                   faulted,
                   dead,
                   Call("tool", "tool-0-0", 3500, false)};
  ServerLogEntry fault = Refresh("engine-1-1", "issued", 1);
  fault.fault = "status";
  h.server_log = {fault};
  const LiveVerdict v = JudgeLive(TwoConsumers(), h);
  EXPECT_EQ(Oracles(v), (std::vector<std::string>{"no_lockout:engine"}));
  ASSERT_EQ(v.result.outages.size(), 2u) << "the tool's failed call is not judged";
  EXPECT_EQ(v.result.outages[0].cause, "lockout");
  EXPECT_EQ(v.result.outages[0].to_ms, 1500) << "ends at the next served call";
  EXPECT_EQ(v.result.outages[1].cause, "injected_faults");
  EXPECT_EQ(v.result.outages[1].demands_failed, 2u) << "the dead-session call joins the streak";
  EXPECT_TRUE(v.result.outages[1].ongoing);
}

TEST(JudgeLive, LeaksAndDamagedStoresAreViolations) {
  LiveHistory h;
  h.duration_ms = 1000;
  Invocation leaky = Call("engine", "engine-0-0", 200, true);
  leaky.leaked_labels = {"fam1/rt1"};
  h.invocations = {leaky};
  h.store_problems = {{300, "claude-file", "lost `scopes`", "engine-0-0", {"engine"}},
                      {400, "codex-file", "lost credsimCanary", "engine-0-0", {"engine", "tool"}}};
  const LiveVerdict v = JudgeLive(TwoConsumers(), h);
  EXPECT_EQ(Oracles(v),
            (std::vector<std::string>{"no_secret_leak:engine", "no_collateral_damage:engine"}));
  EXPECT_EQ(v.numbers.tool_store_damage, 1u) << "a tool ran meanwhile: counted, not judged";
  for (const auto& x : v.result.violations) {
    EXPECT_EQ(x.message.find("sk-ant"), std::string::npos);
  }
}

}  // namespace
}  // namespace credsim::live
