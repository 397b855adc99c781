// The scenario format's validator: every error names the JSON path and what was expected, and
// the library's files all load with their notes filled in.
#include "sim/scenario.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "engine/formats/json_tree.h"

namespace credsim::sim {
namespace {

constexpr const char* kMinimal = R"({
  "name": "t", "source": "test", "summary": "s", "duration": "1h",
  "consumers": [{"name": "agent", "policy": "$policy", "every": "1m"}],
  "expect": {"reference": "all-hold",
             "KeychainFirstRead": {"oracle": "no_lockout", "consumer": "agent",
                                   "window": ["0s", "5m"]}}
})";

std::string ErrorOf(const std::string& json) {
  std::string error;
  EXPECT_FALSE(ParseScenario(json, &error).has_value()) << json;
  return error;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(ScenarioFormat, MinimalParses) {
  std::string error;
  auto s = ParseScenario(kMinimal, &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->world.duration_ms, kHourMs);
  ASSERT_EQ(s->expectations.size(), 2u);
  EXPECT_TRUE(s->expectations[0].all_hold);
  EXPECT_EQ(s->expectations[1].to_ms, 5 * kMinuteMs);
}

TEST(ScenarioFormat, UnknownKeyNamesPathAndAllowedKeys) {
  const std::string e = ErrorOf(Replace(kMinimal, "\"every\"", "\"evry\""));
  EXPECT_EQ(e.rfind("$.consumers[0].evry: unknown key (expected one of: ", 0), 0u) << e;
  EXPECT_NE(e.find("every"), std::string::npos) << e;
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "\"duration\"", "\"durration\"")).rfind("$.durration:", 0),
            0u);
}

TEST(ScenarioFormat, BadDurationSaysWhatIsExpected) {
  const std::string e = ErrorOf(Replace(kMinimal, "\"1h\"", "\"1 hour\""));
  EXPECT_EQ(e,
            "$.duration: bad duration \"1 hour\" (expected a duration like 500ms, 10s, 5m, "
            "8h, 1h30m or 30d)");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "[\"0s\", \"5m\"]", "[\"0s\", \"5x\"]"))
                .rfind("$.expect.KeychainFirstRead.window[1]: bad duration \"5x\"", 0),
            0u);
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "[\"0s\", \"5m\"]", "[\"5m\", \"1m\"]")),
            "$.expect.KeychainFirstRead.window: expected [low, high] with low <= high");
}

TEST(ScenarioFormat, MissingFieldsAreNamed) {
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "\"source\": \"test\", ", "")),
            "$.source: required (a string)");
  EXPECT_EQ(
      ErrorOf(Replace(kMinimal, "\"duration\": \"1h\",", "")).rfind("$.duration: required", 0), 0u);
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "\"consumer\": \"agent\",", "")),
            "$.expect.KeychainFirstRead.consumer: required (a string)");
  EXPECT_EQ(ErrorOf(Replace(kMinimal,
                            ",\n                                   \"window\": [\"0s\", "
                            "\"5m\"]",
                            "")),
            "$.expect.KeychainFirstRead.window: required ([\"from\", \"to\"])");
}

TEST(ScenarioFormat, WrongValuesAreNamed) {
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "\"no_lockout\"", "\"no_lockot\""))
                .rfind("$.expect.KeychainFirstRead.oracle: unknown oracle \"no_lockot\"", 0),
            0u);
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "\"consumer\": \"agent\"", "\"consumer\": \"nobody\"")),
            "$.expect.KeychainFirstRead.consumer: expected the name of a consumer, or \"*\"");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "\"reference\": \"all-hold\"",
                            "\"reference\": {\"oracle\": \"no_lockout\", \"consumer\": \"agent\","
                            " \"window\": \"1m\"}")),
            "$.expect.reference: expected \"all-hold\" or {\"outages\": [...]}: the reference "
            "must hold every oracle");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "\"every\": \"1m\"", "\"every\": 60")),
            "$.consumers[0].every: expected \"5m\" or [\"1m\", \"5m\"]");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "\"consumers\": [",
                            "\"events\": [{\"at\": \"2h\", \"do\": \"relogin\"}], "
                            "\"consumers\": [")),
            "$.events[0].consumer: expected the name of a consumer");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "\"consumers\": [",
                            "\"events\": [{\"at\": \"2h\", \"do\": \"tear\"}], "
                            "\"consumers\": [")),
            "$.events[0].store: required for tear (expected claude-keychain, claude-file, "
            "codex-file, agent or agent:PROFILE)");
}

std::string WithEvent(const std::string& event) {
  return Replace(kMinimal, "\"consumers\": [", "\"events\": [" + event + "], \"consumers\": [");
}

TEST(ScenarioFormat, NewEventsCheckTheirArguments) {
  std::string error;
  auto ok = ParseScenario(
      WithEvent("{\"at\": \"10m\", \"do\": \"clock-jump\", \"consumer\": \"agent\", "
                "\"by\": \"-2h\"}, {\"at\": \"11m\", \"do\": \"lose-next-response\"}, "
                "{\"at\": \"12m\", \"do\": \"relogin\", \"consumer\": \"agent\", "
                "\"store\": \"claude-file\"}"),
      &error);
  ASSERT_TRUE(ok) << error;
  ASSERT_EQ(ok->world.events.size(), 3u);
  EXPECT_EQ(ok->world.events[0].by_ms, -2 * kHourMs);
  EXPECT_TRUE(ok->world.events[1].consumer.empty());
  ASSERT_TRUE(ok->world.events[2].store.has_value());
  EXPECT_EQ(ok->world.events[2].store->kind, engine::StoreKind::kClaudeFile);

  EXPECT_EQ(ErrorOf(WithEvent("{\"at\": \"1m\", \"do\": \"server-clock-jump\"}")),
            "$.events[0].by: required for server-clock-jump (e.g. \"5m\", \"-2h\")");
  EXPECT_EQ(ErrorOf(WithEvent("{\"at\": \"1m\", \"do\": \"server-up\", \"by\": \"1m\"}")),
            "$.events[0].by: not used by server-up");
  EXPECT_EQ(ErrorOf(WithEvent("{\"at\": \"1m\", \"do\": \"server-up\", "
                              "\"store\": \"claude-file\"}")),
            "$.events[0].store: not used by server-up");
  EXPECT_EQ(ErrorOf(WithEvent("{\"at\": \"1m\", \"do\": \"keychain-lock\", "
                              "\"consumer\": \"agent\"}")),
            "$.events[0].consumer: not used by keychain-lock");
  EXPECT_EQ(ErrorOf(WithEvent("{\"at\": \"1m\", \"do\": \"fail-after-grant\"}")),
            "$.events[0].consumer: expected the name of a consumer");
  EXPECT_EQ(ErrorOf(WithEvent("{\"at\": \"1m\", \"do\": \"lose-next-response\", "
                              "\"consumer\": \"nobody\"}")),
            "$.events[0].consumer: expected the name of a consumer");
}

TEST(ScenarioFormat, ServerAndConsumerKnobsAreChecked) {
  std::string error;
  auto ok = ParseScenario(
      Replace(Replace(kMinimal, "\"consumers\": [",
                      "\"server\": {\"revoke_siblings_on_refresh\": true, \"token_delay\": "
                      "\"12s\", \"refresh_ttl\": \"2h\", \"race\": \"lenient\"}, "
                      "\"consumers\": ["),
              "\"every\": \"1m\"", "\"every\": \"1m\", \"drift_ppm\": -500, \"lock\": \"process\""),
      &error);
  ASSERT_TRUE(ok) << error;
  EXPECT_TRUE(ok->world.revoke_siblings_on_refresh);
  EXPECT_EQ(ok->world.token_grant_delay_ms, 12 * kSecondMs);
  EXPECT_EQ(ok->world.refresh_ttl_ms, 2 * kHourMs);
  EXPECT_EQ(ok->world.race, oauth::RacePolicy::kLenient);
  EXPECT_EQ(ok->world.consumers[0].drift_ppm, -500);
  EXPECT_EQ(ok->world.consumers[0].lock, LockTopology::kProcess);

  EXPECT_EQ(ErrorOf(Replace(kMinimal, "\"every\": \"1m\"", "\"every\": \"1m\", \"lock\": \"dir\"")),
            "$.consumers[0].lock: expected home (the home's lock), file (also the lock beside a "
            "linked file) or process (none across processes)");
  EXPECT_EQ(
      ErrorOf(Replace(kMinimal, "\"every\": \"1m\"", "\"every\": \"1m\", \"drift_ppm\": 1.5")),
      "$.consumers[0].drift_ppm: expected an integer from -100000 to 100000");
  EXPECT_EQ(ErrorOf(Replace(kMinimal, "\"consumers\": [",
                            "\"server\": {\"race\": \"polite\"}, \"consumers\": [")),
            "$.server.race: expected strict or lenient");
}

TEST(ScenarioFormat, OutageExpectationsAreChecked) {
  const std::string with_outage = Replace(
      kMinimal, "\"reference\": \"all-hold\"",
      "\"reference\": {\"outages\": [{\"consumer\": \"agent\", \"cause\": \"session_dead\", "
      "\"window\": [\"1m\", \"5m\"]}]}");
  std::string error;
  auto ok = ParseScenario(with_outage, &error);
  ASSERT_TRUE(ok) << error;
  ASSERT_EQ(ok->expectations[0].outages.size(), 1u);
  EXPECT_TRUE(ok->expectations[0].all_hold);
  EXPECT_EQ(ok->expectations[0].outages[0].cause, "session_dead");
  EXPECT_EQ(ok->expectations[0].outages[0].to_ms, 5 * kMinuteMs);
  EXPECT_EQ(ErrorOf(Replace(with_outage, "\"session_dead\"", "\"bad_luck\"")),
            "$.expect.reference.outages[0].cause: unknown cause \"bad_luck\" (expected one of: "
            "api_rejecting, injected_faults, keychain_locked, lockout, out_of_reach, "
            "rotation_unwritten, server_down, session_dead)");
  EXPECT_EQ(ErrorOf(Replace(with_outage, "\"consumer\": \"agent\", \"cause\"",
                            "\"consumer\": \"nobody\", \"cause\"")),
            "$.expect.reference.outages[0].consumer: expected the name of a consumer, or \"*\"");
  EXPECT_EQ(ErrorOf(Replace(with_outage, "\"outages\": [{", "\"x\": 1, \"outages\": [{")),
            "$.expect.reference.x: unknown key (expected one of: outages)");
}

TEST(ScenarioFormat, StoredValuesAreData) {
  const std::string stores =
      R"("stores": [{"store": "claude-file", "stored_expiry": {"at": "-1h", "unit": "s"},
                     "refresh_token_expires_at": "30d",
                     "extra": {"mcpOAuth": {"srv": {"accessToken": "x"}}}},
                    {"store": "codex-file", "stored_expiry": "absent", "last_refresh": "-9d"},
                    {"store": "agent", "stored_expiry": "zero"}], "consumers": [)";
  std::string error;
  auto ok = ParseScenario(Replace(kMinimal, "\"consumers\": [", stores), &error);
  ASSERT_TRUE(ok) << error;
  const auto& s = ok->world.stores;
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].expiry, InitialStore::Expiry::kAt);
  EXPECT_EQ(s[0].expiry_at_ms, -kHourMs);
  EXPECT_TRUE(s[0].expiry_in_seconds);
  EXPECT_EQ(s[0].refresh_token_expires_at_ms, 30 * kDayMs);
  // The members as written between braces: a JSON object again once the braces are back.
  auto extra = formats::ParseJsonTree("{" + s[0].extra_members + "}");
  ASSERT_TRUE(extra.ok()) << s[0].extra_members;
  ASSERT_EQ(extra.value().members.size(), 1u);
  EXPECT_EQ(extra.value().members[0].key, "mcpOAuth");
  EXPECT_EQ(s[1].expiry, InitialStore::Expiry::kAbsent);
  EXPECT_EQ(s[1].last_refresh_at_ms, -9 * kDayMs);
  EXPECT_EQ(s[2].expiry, InitialStore::Expiry::kZero);

  const auto bad = [&](const std::string& store) {
    return ErrorOf(
        Replace(kMinimal, "\"consumers\": [", "\"stores\": [" + store + "], \"consumers\": ["));
  };
  EXPECT_EQ(
      bad(R"({"store": "claude-file", "stored_expiry": "never"})"),
      R"($.stores[0].stored_expiry: expected "absent", "zero" or {"at": "5m", "unit": "ms"|"s"})");
  EXPECT_EQ(bad(R"({"store": "claude-file", "stored_expiry": {"at": "1h", "unit": "us"}})"),
            "$.stores[0].stored_expiry.unit: expected ms or s");
  EXPECT_EQ(bad(R"({"store": "claude-file", "last_refresh": "1d"})"),
            "$.stores[0].last_refresh: only codex-file stores have last_refresh");
  EXPECT_EQ(bad(R"({"store": "codex-file", "refresh_token_expires_at": "1d"})"),
            "$.stores[0].refresh_token_expires_at: only Claude stores have it");
  EXPECT_EQ(bad(R"({"store": "claude-file", "extra": {"claudeAiOauth": {}}})"),
            "$.stores[0].extra.claudeAiOauth: the store's own key; extra sections sit beside it");
  EXPECT_EQ(bad(R"({"store": "claude-file", "extra": []})"),
            "$.stores[0].extra: expected an object of 1 to 16 members (sections other tools own)");
}

TEST(ScenarioFormat, HomesLinksAndPrivateCopies) {
  const std::string fleet =
      R"("stores": [{"store": "claude-file", "home": "shared"},
                    {"store": "claude-file", "home": "box-a", "link": "shared"},
                    {"store": "claude-file", "home": "laptop"},
                    {"store": "claude-file", "symlink": true}],
         "consumers": [{"name": "a", "home": "box-a", "lock": "file", "every": "1m"},)";
  std::string error;
  auto ok = ParseScenario(Replace(kMinimal, "\"consumers\": [", fleet), &error);
  ASSERT_TRUE(ok) << error;
  const auto& s = ok->world.stores;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[1].home, "box-a");
  EXPECT_EQ(s[1].link_home, "shared");
  EXPECT_EQ(s[1].content, InitialContent::kAbsent);  // a link has no bytes of its own
  EXPECT_FALSE(s[2].link_home.has_value());          // a private copy
  EXPECT_TRUE(s[3].symlink);
  EXPECT_EQ(ok->world.consumers[0].home, "box-a");
  EXPECT_EQ(ok->world.consumers[0].lock, LockTopology::kFile);
  EXPECT_FALSE(ok->world.consumers[1].lock.has_value());  // the policy's default

  const auto bad = [&](const std::string& stores, const std::string& consumer = "") {
    return ErrorOf(Replace(kMinimal, "\"consumers\": [",
                           "\"stores\": [" + stores + "], \"consumers\": [" + consumer));
  };
  EXPECT_EQ(bad(R"({"store": "claude-file", "home": "b", "link": "a"})"),
            "$.stores[0].link: home \"a\" declares no claude-file");
  EXPECT_EQ(bad(R"({"store": "claude-file", "home": "a"}, {"store": "claude-file", "home": "b",
                   "link": "a"}, {"store": "claude-file", "home": "c", "link": "b"})"),
            "$.stores[2].link: the target is itself a link (links are one hop)");
  EXPECT_EQ(bad(R"({"store": "claude-file", "home": "a", "link": "a"})"),
            "$.stores[0].link: a store cannot link to its own home");
  EXPECT_EQ(bad(R"({"store": "claude-keychain", "home": "b", "link": "a"})"),
            "$.stores[0].link: a keychain item is not a file and cannot be a symlink");
  EXPECT_EQ(bad(R"({"store": "claude-file", "home": "Box A"})"),
            "$.stores[0].home: expected up to 32 of a-z, 0-9 and - (\"\" is the default home)");
  EXPECT_EQ(bad(R"({"store": "claude-file", "home": "a"}, {"store": "claude-file", "home": "a"})"),
            "$.stores[1].store: store listed twice in one home");
  EXPECT_NE(bad(R"({"store": "claude-file", "home": "a"}, {"store": "claude-file", "home": "b",
                   "link": "a", "expired": true})")
                .find("$.stores[1].expired: unknown key"),
            std::string::npos);
  EXPECT_EQ(bad(R"({"store": "claude-file", "home": "a"})",
                R"({"name": "x", "home": "nowhere", "every": "1m"},)"),
            "$.consumers[0].home: no store is declared in home \"nowhere\"");
}

TEST(ScenarioFormat, InvalidJsonIsReported) {
  const std::string e = ErrorOf("{\"name\": ");
  EXPECT_NE(e.find("expected valid JSON"), std::string::npos) << e;
}

TEST(ScenarioLibrary, EveryFileLoadsWithSourceAndNotes) {
  const char* root = std::getenv("CREDSIM_SOURCE_DIR");
  ASSERT_NE(root, nullptr);
  const std::filesystem::path dir = std::filesystem::path(root) / "scenarios";
  size_t reports = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".json" || name.find(".schema.") != std::string::npos) continue;
    std::string error;
    auto s = LoadScenarioFile(entry.path().string(), &error);
    ASSERT_TRUE(s) << error;
    EXPECT_FALSE(s->known.empty()) << name << ": notes.known";
    EXPECT_FALSE(s->assumed.empty()) << name << ": notes.assumed";
    bool reference = false, legacy = false;
    for (const Expectation& e : s->expectations) {
      reference |= e.policy == "reference" && e.all_hold;
      // A legacy run must show the report's failure: an oracle firing, or (a tool model as the
      // target) the outage the report's users saw.
      legacy |= e.policy != "reference" && (!e.all_hold || !e.outages.empty());
    }
    EXPECT_TRUE(reference && legacy) << name << ": needs a reference and a legacy expectation";
    if (s->basis == "derived") {
      // No public report shows it: the notes say what it follows from.
      EXPECT_NE(s->assumed.find("Derived"), std::string::npos) << name << ": notes.assumed";
    } else {
      ++reports;
    }
  }
  EXPECT_GE(reports, 30u);
}

}  // namespace
}  // namespace credsim::sim
