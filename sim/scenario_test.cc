// The scenario format's validator: every error names the JSON path and what was expected, and
// the library's files all load with their notes filled in.
#include "sim/scenario.h"

#include <gtest/gtest.h>

#include <filesystem>

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
            "$.expect.reference: expected \"all-hold\": the reference must recover");
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

TEST(ScenarioFormat, InvalidJsonIsReported) {
  const std::string e = ErrorOf("{\"name\": ");
  EXPECT_NE(e.find("expected valid JSON"), std::string::npos) << e;
}

TEST(ScenarioLibrary, EveryFileLoadsWithSourceAndNotes) {
  const char* root = std::getenv("CREDSIM_SOURCE_DIR");
  ASSERT_NE(root, nullptr);
  const std::filesystem::path dir = std::filesystem::path(root) / "scenarios";
  size_t count = 0;
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
      legacy |= !e.all_hold;
    }
    EXPECT_TRUE(reference && legacy) << name << ": needs a reference and a legacy expectation";
    ++count;
  }
  EXPECT_GE(count, 20u);
}

}  // namespace
}  // namespace credsim::sim
