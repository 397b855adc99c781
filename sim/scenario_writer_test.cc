// WriteScenario is the inverse of ParseScenario: a world written as a scenario file and parsed
// back runs line for line as the world itself (same trace hashes, same violations), for swarm
// worlds, for every file of the library, and for a world that sets every field the language has.
#include "sim/scenario_writer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <tuple>

#include "sim/run.h"
#include "sim/swarm.h"

namespace credsim::sim {
namespace {

using engine::StoreId;
using engine::StoreKind;

ScenarioHeader TestHeader() {
  ScenarioHeader h;
  h.name = "written";
  h.summary = "A world written back as a scenario.";
  h.source = "scenario_writer_test";
  return h;
}

std::string Write(const WorldConfig& world, const ScenarioHeader& header) {
  std::string why;
  auto text = WriteScenario(world, header, &why);
  EXPECT_TRUE(text) << why;
  return text.value_or("");
}

std::string RefusalOf(const WorldConfig& world) {
  std::string why;
  EXPECT_FALSE(WriteScenario(world, TestHeader(), &why).has_value());
  return why;
}

Scenario Parse(const std::string& text) {
  std::string error;
  auto s = ParseScenario(text, &error);
  EXPECT_TRUE(s) << error << "\n" << text;
  return s.value_or(Scenario{});
}

// Runs both worlds and names the first line where their traces part, then their verdicts.
void ExpectSameRun(const WorldConfig& a, const WorldConfig& b, const std::string& label) {
  const RunResult x = RunWorld(a, {.keep_index = true});
  const RunResult y = RunWorld(b, {.keep_index = true});
  const size_t n = std::min(x.index.size(), y.index.size());
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(x.index[i].line_hash, y.index[i].line_hash)
        << label << ": first divergence at line " << i << ", t=" << x.index[i].t_ms << " event "
        << x.index[i].event << " vs " << y.index[i].event;
  }
  ASSERT_EQ(x.index.size(), y.index.size()) << label;
  EXPECT_EQ(x.summary.trace_hash, y.summary.trace_hash) << label;
  ASSERT_EQ(x.violations.size(), y.violations.size()) << label;
  for (size_t i = 0; i < x.violations.size(); ++i) {
    EXPECT_EQ(FormatViolation(x.violations[i], true), FormatViolation(y.violations[i], true))
        << label;
  }
}

// The world `text` states for `policy`.
WorldConfig ReadBack(const std::string& text, const std::string& policy) {
  return WorldForPolicy(Parse(text), policy);
}

void ExpectSwarmWorldsReplay(const SwarmOptions& options, const std::string& policy_under_test) {
  ScenarioHeader header = TestHeader();
  header.policy_under_test = policy_under_test;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const WorldConfig world = SwarmWorld(seed, options);
    const std::string text = Write(world, header);
    ASSERT_FALSE(text.empty()) << "seed " << seed << "\n" << DescribeWorld(world);
    ExpectSameRun(world, ReadBack(text, options.policy), "seed " + std::to_string(seed));
    if (::testing::Test::HasFatalFailure()) {
      ADD_FAILURE() << DescribeWorld(world) << text;
      return;
    }
  }
}

TEST(ScenarioWriter, SwarmWorldsWithToolsReplay) {
  // Six-hour worlds, as the determinism test runs: every option is drawn all the same, and a
  // shorter run keeps this test to a minute.
  ExpectSwarmWorldsReplay(SwarmOptions{.minutes = 6 * 60, .tools = true}, "");
}

TEST(ScenarioWriter, SwarmWorldsWithBreadthReplay) {
  ExpectSwarmWorldsReplay(SwarmOptions{.minutes = 6 * 60, .tools = true, .breadth = true}, "");
}

TEST(ScenarioWriter, SwarmWorldsWithLanguageEventsReplay) {
  // The policy under test is written as "$policy" and comes back from WorldForPolicy.
  ExpectSwarmWorldsReplay(SwarmOptions{.minutes = 6 * 60, .tools = true, .language_events = true},
                          "reference");
}

TEST(ScenarioWriter, EveryLibraryFileRoundTrips) {
  const char* root = std::getenv("CREDSIM_SOURCE_DIR");
  ASSERT_NE(root, nullptr);
  size_t files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(root) / "scenarios")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".json" || name.find(".schema.") != std::string::npos) continue;
    std::string error;
    auto s = LoadScenarioFile(entry.path().string(), &error);
    ASSERT_TRUE(s) << error;
    ScenarioHeader header{s->name,  s->summary, s->source,   s->basis,
                          s->known, s->assumed, "reference", s->expectations};
    const std::string text = Write(WorldForPolicy(*s, "reference"), header);
    ASSERT_FALSE(text.empty()) << name;
    const Scenario back = Parse(text);
    EXPECT_EQ(back.name, s->name);
    EXPECT_EQ(back.assumed, s->assumed);
    ASSERT_EQ(back.expectations.size(), s->expectations.size()) << name;
    for (size_t i = 0; i < back.expectations.size(); ++i) {
      const Expectation &a = s->expectations[i], &b = back.expectations[i];
      EXPECT_EQ(std::tie(a.policy, a.all_hold, a.oracle, a.consumer, a.from_ms, a.to_ms),
                std::tie(b.policy, b.all_hold, b.oracle, b.consumer, b.from_ms, b.to_ms))
          << name;
      ASSERT_EQ(a.outages.size(), b.outages.size()) << name;
      for (size_t k = 0; k < a.outages.size(); ++k) {
        const OutageExpectation &x = a.outages[k], &y = b.outages[k];
        EXPECT_EQ(std::tie(x.consumer, x.cause, x.status, x.from_ms, x.to_ms),
                  std::tie(y.consumer, y.cause, y.status, y.from_ms, y.to_ms))
            << name;
      }
    }
    ExpectSameRun(WorldForPolicy(*s, "reference"), WorldForPolicy(back, "reference"), name);
    ++files;
  }
  EXPECT_GE(files, 35u);
}

// A world that sets every field the language states to something other than its default.
WorldConfig EveryFieldWorld() {
  WorldConfig w;
  w.seed = 18'000'000'000'000'000'000u;  // above INT64_MAX
  w.duration_ms = 2 * kHourMs;
  w.provider = engine::Provider::kAnthropic;
  w.access_ttl_ms = 90 * kSecondMs;
  w.reuse = {.kind = oauth::ReuseKind::kGrace, .grace_ms = 1500, .revoke_after_grace = true};
  w.race = oauth::RacePolicy::kLenient;
  w.revoke_siblings_on_refresh = true;
  w.refresh_ttl_ms = 3 * kDayMs;
  w.net_latency_ms_min = w.net_latency_ms_max = 40;
  w.store_latency_ms_min = 1;
  w.store_latency_ms_max = 7;
  w.token_grant_delay_ms = 2 * kSecondMs;
  w.codex_in_place_rewrite = true;
  w.shuffle_ties = false;
  w.faults = {.drop_before_per_million = 1,
              .drop_after_per_million = 20'000,
              .error_5xx_per_million = 30'000,
              .rate_limit_per_million = 40'000,
              .retry_after_ms = 7 * kSecondMs,
              .store_write_fail_per_million = 50'000};
  w.faults_until_ms = 20 * kMinuteMs;
  InitialStore file{.id = {StoreKind::kClaudeFile, ""}, .expired = true, .subscription = false};
  file.claude_client_id = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";
  file.claude_scopes = {"user:profile", "user:inference"};
  file.expiry = InitialStore::Expiry::kAt;
  file.expiry_at_ms = -kHourMs;
  file.expiry_in_seconds = true;
  file.refresh_token_expires_at_ms = -kMinuteMs;
  file.extra_members = "\n  \"mcpOAuth\": {\n    \"server\": \"x\"\n  }\n";
  InitialStore agent{.id = {StoreKind::kAgentAuth, "work"}, .content = InitialContent::kPrevious};
  agent.providers_block = false;
  agent.pool_status = "exhausted";
  agent.pool_reset_in_ms = -30 * kSecondMs;
  agent.expiry = InitialStore::Expiry::kZero;
  InitialStore codex{.id = {StoreKind::kCodexAuth, ""}, .home = "box", .symlink = true};
  codex.corrupt = true;
  codex.last_refresh_at_ms = -kDayMs;
  InitialStore shared{.id = {StoreKind::kClaudeFile, ""}, .home = "box"};
  InitialStore link{.id = {StoreKind::kClaudeFile, ""}, .home = "laptop", .link_home = "box"};
  w.stores = {file, agent, codex, shared, link};
  w.consumers = {
      {.name = "a",
       .policy = "reference",
       .profile = "work",
       .skew_ms = -25 * kSecondMs,
       .drift_ppm = -150,
       .lock = LockTopology::kProcess,
       .need_every_ms_min = 30 * kSecondMs,
       .need_every_ms_max = 2 * kMinuteMs,
       .start_ms = 1500,
       .stores = {{StoreKind::kClaudeFile, ""}, {StoreKind::kAgentAuth, "work"}}},
      {.name = "b", .policy = "claude-code-cli", .lock = LockTopology::kHome, .home = "laptop"}};
  w.events = {
      {kMinuteMs, EventKind::kRelogin, "a", StoreId{StoreKind::kClaudeFile, ""}},
      {2 * kMinuteMs, EventKind::kDiskFull, "", StoreId{StoreKind::kClaudeFile, ""}, 0, "box"},
      {3 * kMinuteMs, EventKind::kDiskOk, "", StoreId{StoreKind::kClaudeFile, ""}, 0, "box"},
      {4 * kMinuteMs, EventKind::kLoseNextResponse, "b"},
      {5 * kMinuteMs, EventKind::kServerClockJump, "", std::nullopt, 0},
      {6 * kMinuteMs, EventKind::kClockJump, "a", std::nullopt, -2 * kHourMs}};
  return w;
}

TEST(ScenarioWriter, EveryFieldTheLanguageStatesReadsBack) {
  const WorldConfig world = EveryFieldWorld();
  const std::string text = Write(world, TestHeader());
  ASSERT_FALSE(text.empty());
  const WorldConfig back = ReadBack(text, "reference");
  EXPECT_EQ(back.seed, world.seed);
  EXPECT_EQ(back.faults.drop_after_per_million, 20'000u);
  EXPECT_EQ(back.store_latency_ms_max, 7);
  EXPECT_EQ(back.stores[0].claude_scopes, world.stores[0].claude_scopes);
  EXPECT_EQ(back.stores[0].extra_members, world.stores[0].extra_members);
  EXPECT_EQ(back.events[5].by_ms, -2 * kHourMs);
  ExpectSameRun(world, back, "every field");
}

TEST(ScenarioWriter, DurationsInTheLargestExactUnit) {
  const std::string text = Write(EveryFieldWorld(), TestHeader());
  EXPECT_NE(text.find("\"access_ttl\": \"90s\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"start\": \"1500ms\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"reuse\": \"grace:1500ms+revoke-family\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"skew\": \"-25s\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"by\": \"-2h\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"by\": \"0s\""), std::string::npos) << text;  // required by a jump
  // Past 9 digits in milliseconds, pieces in decreasing units.
  WorldConfig w = EveryFieldWorld();
  w.duration_ms = 400 * kDayMs;
  w.events = {{400 * kDayMs - 1, EventKind::kServerDown}};
  EXPECT_NE(Write(w, TestHeader()).find("\"at\": \"399d23h59m59s999ms\""), std::string::npos);
}

TEST(ScenarioWriter, OnlyThePolicyUnderTestBecomesDollarPolicy) {
  WorldConfig w;
  w.duration_ms = kHourMs;
  w.consumers = {{.name = "judged", .policy = "RefreshOutsideLock"},
                 {.name = "tool", .policy = "codex-cli"}};
  ScenarioHeader header = TestHeader();
  const std::string concrete = Write(w, header);
  EXPECT_EQ(concrete.find("$policy"), std::string::npos) << concrete;
  header.policy_under_test = "RefreshOutsideLock";
  header.expectations.push_back({.policy = "RefreshOutsideLock",
                                 .all_hold = false,
                                 .oracle = "no_self_inflicted_reuse",
                                 .consumer = "*",
                                 .from_ms = 53 * kMinuteMs,
                                 .to_ms = 58 * kMinuteMs});
  const Scenario s = Parse(Write(w, header));
  EXPECT_EQ(s.world.consumers[0].policy, "$policy");
  EXPECT_EQ(s.world.consumers[1].policy, "codex-cli");
  ASSERT_EQ(s.expectations.size(), 2u);
  EXPECT_EQ(s.expectations[1].oracle, "no_self_inflicted_reuse");
  EXPECT_EQ(s.expectations[1].to_ms, 58 * kMinuteMs);
}

TEST(ScenarioWriter, SmallWorldIsWrittenLikeTheLibraryFiles) {
  WorldConfig w;
  w.seed = 7;
  w.duration_ms = 2 * kHourMs;
  w.access_ttl_ms = kHourMs;
  w.stores = {{.id = {StoreKind::kClaudeFile, ""}}};
  w.consumers = {
      {.name = "hermes", .need_every_ms_min = 30 * kSecondMs, .need_every_ms_max = 2 * kMinuteMs}};
  ScenarioHeader header = TestHeader();
  header.known = "k";
  header.assumed = "Derived: a";
  EXPECT_EQ(Write(w, header), R"({
  "$schema": "scenario.schema.json",
  "name": "written",
  "source": "scenario_writer_test",
  "basis": "derived",
  "summary": "A world written back as a scenario.",
  "notes": {
    "known": "k",
    "assumed": "Derived: a"
  },
  "duration": "2h",
  "seed": 7,
  "server": {
    "provider": "anthropic",
    "access_ttl": "1h",
    "reuse": "reject"
  },
  "stores": [
    {
      "store": "claude-file"
    }
  ],
  "consumers": [
    {
      "name": "hermes",
      "policy": "reference",
      "every": [
        "30s",
        "2m"
      ]
    }
  ],
  "expect": {
    "reference": "all-hold"
  }
}
)");
}

// The keys the writer needed (faults, store_latency, shuffle_ties, codex_in_place_rewrite,
// client_id, scope_list) are checked like every other key.
TEST(ScenarioWriter, TheLanguagesNewKeysAreChecked) {
  const std::string text = Write(EveryFieldWorld(), TestHeader());
  const auto error_of = [&](const std::string& from, const std::string& to) {
    std::string changed = text, error;
    const size_t at = changed.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) changed.replace(at, from.size(), to);
    EXPECT_FALSE(ParseScenario(changed, &error)) << to;
    return error;
  };
  EXPECT_EQ(error_of("\"drop_after_ppm\": 20000", "\"drop_after_ppm\": 1000001"),
            "$.faults.drop_after_ppm: expected an integer from 0 to 1000000 (parts per million)");
  EXPECT_EQ(error_of("\"until\"", "\"untill\"").rfind("$.faults.untill: unknown key", 0), 0u);
  EXPECT_EQ(error_of("\"shuffle_ties\": false", "\"shuffle_ties\": 0"),
            "$.shuffle_ties: expected true or false");
  EXPECT_EQ(
      error_of("\"store\": \"agent:work\",", "\"store\": \"agent:work\", \"client_id\": \"c\","),
      "$.stores[1].client_id: only Claude stores have it");
  EXPECT_EQ(error_of("\"user:profile\",", "\"\","),
            "$.stores[0].scope_list[0]: expected a non-empty string");
}

TEST(ScenarioWriter, AnExpectationOfBothShapesIsRefused) {
  // An oracle that fires, or outages under all-hold: the language has no file that says both.
  ScenarioHeader header = TestHeader();
  header.expectations.push_back({.policy = "RefreshOutsideLock",
                                 .all_hold = false,
                                 .oracle = "no_lockout",
                                 .consumer = "*",
                                 .to_ms = kMinuteMs,
                                 .outages = {{"*", "lockout", "", 0, kMinuteMs}}});
  std::string why;
  EXPECT_FALSE(WriteScenario(EveryFieldWorld(), header, &why));
  EXPECT_EQ(why.rfind("expectations.RefreshOutsideLock.outages: ", 0), 0u) << why;
}

TEST(ScenarioWriter, FieldsOutsideTheLanguageAreNamed) {
  WorldConfig raw = EveryFieldWorld();
  raw.stores[1].raw_bytes = "{}";
  EXPECT_EQ(RefusalOf(raw).rfind("stores[1].raw_bytes: ", 0), 0u) << RefusalOf(raw);
  WorldConfig traced = EveryFieldWorld();
  traced.trace_io = true;
  EXPECT_EQ(RefusalOf(traced).rfind("trace_io: ", 0), 0u);
  WorldConfig bounded = EveryFieldWorld();
  bounded.max_events = 1000;
  EXPECT_EQ(RefusalOf(bounded).rfind("max_events: ", 0), 0u);
}

TEST(ScenarioWriter, ValuesTheLanguageCannotHoldAreNamed) {
  WorldConfig early = EveryFieldWorld();
  early.consumers[1].start_ms = -1;
  EXPECT_EQ(RefusalOf(early).rfind("consumers[1].start_ms: ", 0), 0u) << RefusalOf(early);
  WorldConfig loose = EveryFieldWorld();
  loose.stores[0].extra_members = "\"mcpOAuth\":{}";  // not the parser's canonical text
  EXPECT_EQ(RefusalOf(loose).rfind("stores[0].extra_members: ", 0), 0u) << RefusalOf(loose);
  // A relogin always writes its consumer's home: a home on it is not in the language.
  WorldConfig elsewhere = EveryFieldWorld();
  elsewhere.events[0].home = "box";
  EXPECT_NE(RefusalOf(elsewhere).find("$.events[0].home"), std::string::npos)
      << RefusalOf(elsewhere);
  // An event after the end never runs, but it still decides when the world counts as quiet.
  WorldConfig late = EveryFieldWorld();
  late.events[3].at_ms = late.duration_ms + 1;
  EXPECT_EQ(RefusalOf(late).rfind("events[3].at_ms: ", 0), 0u) << RefusalOf(late);
  // A profile on a Claude store has no name; it would read back as the plain store.
  WorldConfig named = EveryFieldWorld();
  named.stores[0].id.profile = "x";
  EXPECT_EQ(RefusalOf(named).rfind("stores[0].id: ", 0), 0u) << RefusalOf(named);
}

}  // namespace
}  // namespace credsim::sim
