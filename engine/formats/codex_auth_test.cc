// Codex CLI auth.json on the sample and edge cases. Expected values are read off testdata/.
#include "engine/formats/codex_auth.h"

#include <gtest/gtest.h>

#include "engine/formats/json_tree.h"
#include "engine/formats/test_support.h"
#include "engine/formats/time_units.h"

namespace credsim::formats {
namespace {

CodexAuth MustParse(std::string_view bytes) {
  Result<CodexAuth> parsed = ParseCodexAuth(bytes);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().ToString());
  return parsed.ok() ? parsed.value() : CodexAuth{};
}

TEST(CodexAuth, ReadsEveryFieldOfTheSample) {
  const CodexAuth auth = MustParse(testing::ReadTestdata("codex-auth.json"));
  EXPECT_EQ(auth.auth_mode, "chatgpt");
  EXPECT_EQ(auth.openai_api_key, std::nullopt);
  ASSERT_TRUE(auth.tokens.has_value());
  EXPECT_EQ(auth.tokens->refresh_token, "rt_EXAMPLE_codex_0002");
  EXPECT_EQ(auth.tokens->account_id, "acc-EXAMPLE");
  EXPECT_EQ(auth.last_refresh, "2026-11-20T08:15:02.123456789Z");
  EXPECT_TRUE(auth.notes.empty());
  // The access token is a JWT whose payload says {"exp":1795000000,...}.
  EXPECT_EQ(JwtExpirySeconds(*auth.tokens->access_token), 1795000000);
  EXPECT_EQ(JwtStringClaim(*auth.tokens->id_token, "email"), "user@example.invalid");
}

TEST(CodexAuth, RefreshKeepsUnknownTopLevelKeysThatCodexWouldDrop) {
  std::string bytes = testing::ReadTestdata("codex-auth.json");
  JsonValue doc = ParseJsonTree(bytes).value();
  doc.members.insert(doc.members.begin(), JsonMember{"x-tool", JsonValue::String("kept")});
  doc.Find("tokens")->Set("x-inner", JsonValue::Int(7));
  bytes = WriteJsonTree(doc);
  CodexAuth auth = MustParse(bytes);
  auth.tokens->refresh_token = "rt_new";
  auth.last_refresh = "2026-11-21T00:00:00Z";
  const std::string out = SerializeCodexAuth(auth);
  JsonValue expected = doc;
  expected.Find("tokens")->Set("refresh_token", JsonValue::String("rt_new"));
  expected.Set("last_refresh", JsonValue::String("2026-11-21T00:00:00Z"));
  EXPECT_EQ(ParseJsonTree(out).value(), expected);
  EXPECT_EQ(SerializeCodexAuth(MustParse(testing::ReadTestdata("codex-auth.json"))),
            testing::ReadTestdata("codex-auth.json"));
}

TEST(CodexAuth, ApiKeyModeAndNullTokens) {
  const CodexAuth auth = MustParse(R"({"OPENAI_API_KEY": "sk-x", "tokens": null})");
  EXPECT_EQ(auth.openai_api_key, "sk-x");
  EXPECT_EQ(auth.tokens, std::nullopt);
  CodexAuth cleared = auth;
  cleared.openai_api_key.reset();
  const JsonValue out = ParseJsonTree(SerializeCodexAuth(cleared)).value();
  EXPECT_EQ(out.Find("OPENAI_API_KEY")->kind, JsonKind::kNull);  // Codex writes null, so do we
}

TEST(CodexAuth, UnreadableLastRefreshIsNoted) {
  const CodexAuth auth = MustParse(R"({"last_refresh": "2026-11-20 08:15"})");
  ASSERT_EQ(auth.notes.size(), 1u);
  EXPECT_EQ(auth.notes[0].path, "$.last_refresh");
}

TEST(CodexAuth, ErrorsNameThePath) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("x")", "$"},
      {R"({"tokens": []})", "$.tokens"},
      {R"({"tokens": {"refresh_token": 5}})", "$.tokens.refresh_token"},
      {R"({"auth_mode": true})", "$.auth_mode"},
      {R"({"last_refresh": 1795000000})", "$.last_refresh"},
      {R"({"tokens": {"id_token": "a", "id_token": "b"}})", "$.tokens.id_token"},
  };
  for (const auto& [bytes, path] : cases) {
    const Result<CodexAuth> parsed = ParseCodexAuth(bytes);
    ASSERT_FALSE(parsed.ok()) << bytes;
    EXPECT_EQ(parsed.error().path, path) << parsed.error().ToString();
  }
}

}  // namespace
}  // namespace credsim::formats

namespace credsim::formats {
namespace {

// Codex CLI reads auth.json with serde_json into its structs, which refuses a duplicated field:
// so does the parser (the Claude and agent parsers keep the last, as their owners do).
TEST(CodexAuth, DuplicatedFieldIsRefusedAsSerdeRefusesIt) {
  const Result<CodexAuth> parsed = ParseCodexAuth(
      R"({"tokens": {"access_token": "a", "access_token": "b", "refresh_token": "r"}})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().path, "$.tokens.access_token");
}

}  // namespace
}  // namespace credsim::formats
