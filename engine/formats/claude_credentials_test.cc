// Claude Code credentials on the sample files and on hand-written edge cases. Expected values are
// read off the sample files (testdata/), never off the parser's output.
#include "engine/formats/claude_credentials.h"

#include <gtest/gtest.h>

#include "engine/formats/json_tree.h"
#include "engine/formats/test_support.h"

namespace credsim::formats {
namespace {

using testing::ReadTestdata;

ClaudeCredentials MustParse(std::string_view bytes) {
  Result<ClaudeCredentials> parsed = ParseClaudeCredentials(bytes);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().ToString());
  return parsed.ok() ? parsed.value() : ClaudeCredentials{};
}

JsonValue Tree(std::string_view bytes) {
  Result<JsonValue> tree = ParseJsonTree(bytes);
  EXPECT_TRUE(tree.ok());
  return tree.ok() ? tree.value() : JsonValue{};
}

TEST(ClaudeCredentials, ReadsEveryFieldOfTheSample) {
  const std::string bytes = ReadTestdata("claude-credentials.json");
  const ClaudeCredentials creds = MustParse(bytes);
  ASSERT_TRUE(creds.oauth.has_value());
  const ClaudeOauth& o = *creds.oauth;
  EXPECT_EQ(o.access_token, "sk-ant-oat01-EXAMPLE-access-0001");
  EXPECT_EQ(o.refresh_token, "sk-ant-ort01-EXAMPLE-refresh-0001");
  EXPECT_EQ(o.expires_at_ms, 1795000000000);
  EXPECT_EQ(o.scopes,
            (std::vector<std::string>{"user:inference", "user:profile", "user:sessions:claude_code",
                                      "user:mcp_servers", "user:file_upload"}));
  EXPECT_EQ(o.subscription_type, "max");
  EXPECT_EQ(o.rate_limit_tier, "default_claude_max_5x");
  EXPECT_EQ(o.refresh_token_expires_at_ms, 1797000000000);
  EXPECT_EQ(o.client_id, std::nullopt);
  EXPECT_TRUE(HasInferenceScope(o));
  EXPECT_TRUE(creds.notes.empty());
  EXPECT_EQ(creds.original, bytes);
}

TEST(ClaudeCredentials, UnchangedSerializeKeepsTheWholeDocument) {
  const std::string bytes = ReadTestdata("claude-credentials.json");
  const std::string out = SerializeClaudeCredentials(MustParse(bytes));
  EXPECT_EQ(Tree(out), Tree(bytes));
  EXPECT_EQ(out, bytes);  // the sample is already in the writer's layout
}

TEST(ClaudeCredentials, RotationKeepsMcpOauthAndOnlyChangesTheRotatedFields) {
  const std::string bytes = ReadTestdata("claude-credentials.json");
  ClaudeCredentials creds = MustParse(bytes);
  creds.oauth->access_token = "new-access";
  creds.oauth->refresh_token = "new-refresh";
  creds.oauth->expires_at_ms = 1796000000000;
  const std::string out = SerializeClaudeCredentials(creds);

  JsonValue expected = Tree(bytes);
  JsonValue* oauth = expected.Find("claudeAiOauth");
  oauth->Set("accessToken", JsonValue::String("new-access"));
  oauth->Set("refreshToken", JsonValue::String("new-refresh"));
  oauth->Set("expiresAt", JsonValue::Int(1796000000000));
  EXPECT_EQ(Tree(out), expected);
  EXPECT_EQ(*Tree(out).Find("mcpOAuth"), *Tree(bytes).Find("mcpOAuth"));
  const ClaudeCredentials reparsed = MustParse(out);
  EXPECT_EQ(reparsed.oauth, creds.oauth);
}

TEST(ClaudeCredentials, WipedAfterInvalidGrantParses) {
  const ClaudeCredentials creds =
      MustParse(ReadTestdata("claude-credentials-wiped-after-invalid-grant.json"));
  ASSERT_TRUE(creds.oauth.has_value());
  EXPECT_EQ(creds.oauth->access_token, "");
  EXPECT_EQ(creds.oauth->refresh_token, "");
  EXPECT_EQ(creds.oauth->expires_at_ms, 0);
  EXPECT_EQ(creds.oauth->scopes, (std::vector<std::string>{"user:inference", "user:profile"}));
  EXPECT_EQ(creds.oauth->subscription_type, "pro");
  EXPECT_TRUE(creds.notes.empty()) << "0 is the same instant in both units: nothing to note";
}

TEST(ClaudeCredentials, FileWithoutScopesParsesWithScopesNullopt) {
  const ClaudeCredentials creds =
      MustParse(ReadTestdata("claude-credentials-written-without-scopes.json"));
  ASSERT_TRUE(creds.oauth.has_value());
  EXPECT_EQ(creds.oauth->scopes, std::nullopt);
  EXPECT_EQ(creds.oauth->subscription_type, std::nullopt);
  EXPECT_FALSE(HasInferenceScope(*creds.oauth));
}

TEST(ClaudeCredentials, RepairingScopesWritesThem) {
  ClaudeCredentials creds =
      MustParse(ReadTestdata("claude-credentials-written-without-scopes.json"));
  creds.oauth->scopes = std::vector<std::string>{"user:inference", "user:profile"};
  const ClaudeCredentials reparsed = MustParse(SerializeClaudeCredentials(creds));
  EXPECT_EQ(reparsed.oauth->scopes, creds.oauth->scopes);
  EXPECT_TRUE(HasInferenceScope(*reparsed.oauth));
}

TEST(ClaudeCredentials, ExpiresAtInSecondsIsNotedAndKeptUntilChanged) {
  const std::string bytes =
      R"({"claudeAiOauth": {"accessToken": "a", "refreshToken": "r", "expiresAt": 1795000000}})";
  ClaudeCredentials creds = MustParse(bytes);
  EXPECT_EQ(creds.oauth->expires_at_ms, 1795000000 * int64_t{1000});
  ASSERT_EQ(creds.notes.size(), 1u);
  EXPECT_EQ(creds.notes[0].path, "$.claudeAiOauth.expiresAt");
  EXPECT_NE(creds.notes[0].note.find("seconds"), std::string::npos);

  // Unchanged: left exactly as it was (seconds), though the token changed.
  creds.oauth->access_token = "a2";
  JsonValue out = Tree(SerializeClaudeCredentials(creds));
  EXPECT_EQ(out.Find("claudeAiOauth")->Find("expiresAt")->int64, 1795000000);
  // Changed: written back in the field's real unit, milliseconds.
  creds.oauth->expires_at_ms = 1795000000000 + 3600'000;
  out = Tree(SerializeClaudeCredentials(creds));
  EXPECT_EQ(out.Find("claudeAiOauth")->Find("expiresAt")->int64, 1795003600000);
}

TEST(ClaudeCredentials, IntegralDoubleExpiryIsRead) {
  const ClaudeCredentials creds =
      MustParse(R"({"claudeAiOauth": {"accessToken": "a", "refreshToken": "r", )"
                R"("expiresAt": 1795000000000.0}})");
  EXPECT_EQ(creds.oauth->expires_at_ms, 1795000000000);
}

TEST(ClaudeCredentials, NullOptionalsReadAsAbsentAndStayNullWhenUnchanged) {
  const std::string bytes = R"({"claudeAiOauth": {"accessToken": "a", "refreshToken": "r",
      "expiresAt": 1795000000000, "scopes": null, "subscriptionType": null}})";
  ClaudeCredentials creds = MustParse(bytes);
  EXPECT_EQ(creds.oauth->scopes, std::nullopt);
  EXPECT_EQ(creds.oauth->subscription_type, std::nullopt);
  creds.oauth->access_token = "b";
  const JsonValue out = Tree(SerializeClaudeCredentials(creds));
  EXPECT_EQ(out.Find("claudeAiOauth")->Find("scopes")->kind, JsonKind::kNull);
}

TEST(ClaudeCredentials, DroppingAnOptionalRemovesTheKey) {
  ClaudeCredentials creds = MustParse(ReadTestdata("claude-credentials.json"));
  creds.oauth->rate_limit_tier.reset();
  const JsonValue out = Tree(SerializeClaudeCredentials(creds));
  EXPECT_EQ(out.Find("claudeAiOauth")->Find("rateLimitTier"), nullptr);
  EXPECT_NE(out.Find("claudeAiOauth")->Find("subscriptionType"), nullptr);
}

TEST(ClaudeCredentials, UnknownKeysInsideClaudeAiOauthSurviveInOrder) {
  const std::string bytes = R"({"z": 1, "claudeAiOauth": {"x-first": [1, {"a": null}],
      "accessToken": "a", "refreshToken": "r", "expiresAt": 1795000000000,
      "x-last": "v"}, "a": 2})";
  ClaudeCredentials creds = MustParse(bytes);
  creds.oauth->refresh_token = "r2";
  const JsonValue out = Tree(SerializeClaudeCredentials(creds));
  JsonValue expected = Tree(bytes);
  expected.Find("claudeAiOauth")->Set("refreshToken", JsonValue::String("r2"));
  EXPECT_EQ(out, expected);
}

TEST(ClaudeCredentials, LoggingOutRemovesOnlyClaudeAiOauth) {
  ClaudeCredentials creds = MustParse(ReadTestdata("claude-credentials.json"));
  creds.oauth.reset();
  const std::string out = SerializeClaudeCredentials(creds);
  const JsonValue tree = Tree(out);
  EXPECT_EQ(tree.Find("claudeAiOauth"), nullptr);
  EXPECT_NE(tree.Find("mcpOAuth"), nullptr);
  EXPECT_EQ(MustParse(out).oauth, std::nullopt);
}

TEST(ClaudeCredentials, NewDocumentStartsFromEmptyObject) {
  ClaudeCredentials creds;
  creds.oauth = ClaudeOauth{"a\"\\\n\x01", "r",    1795000000000, std::vector<std::string>{},
                            std::nullopt,  "tier", 1797000000000, "client"};
  const std::string out = SerializeClaudeCredentials(creds);
  EXPECT_EQ(MustParse(out).oauth, creds.oauth);
  EXPECT_EQ(SerializeClaudeCredentials(ClaudeCredentials{}), "{}\n");
}

TEST(ClaudeCredentials, SerializeIsTotalOverAnUnparseableOriginal) {
  for (std::string original : {"not json", "[1, 2]", R"({"claudeAiOauth": 7, "keep": true})",
                               R"({"claudeAiOauth": {"accessToken": 1}})"}) {
    ClaudeCredentials creds;
    creds.original = original;
    creds.oauth = ClaudeOauth{"a",          "r",          1795000000000, std::nullopt,
                              std::nullopt, std::nullopt, std::nullopt,  std::nullopt};
    const std::string out = SerializeClaudeCredentials(creds);
    const ClaudeCredentials reparsed = MustParse(out);
    EXPECT_EQ(reparsed.oauth, creds.oauth) << original;
  }
}

struct BadCase {
  const char* name;
  std::string bytes;
  std::string path;
  std::string message_part;
};

TEST(ClaudeCredentials, ErrorsNameThePathAndWhatWasFound) {
  const std::string secret = "sk-ant-oat01-SECRET";
  const std::vector<BadCase> cases = {
      {"non-object", "[]", "$", "found an array"},
      {"oauth not object", R"({"claudeAiOauth": "x"})", "$.claudeAiOauth", "found a string"},
      {"missing access", R"({"claudeAiOauth": {"refreshToken": "r", "expiresAt": 1}})",
       "$.claudeAiOauth.accessToken", "missing"},
      {"missing expiry", R"({"claudeAiOauth": {"accessToken": "a", "refreshToken": "r"}})",
       "$.claudeAiOauth.expiresAt", "missing"},
      {"expiry string",
       R"({"claudeAiOauth": {"accessToken": "a", "refreshToken": "r", "expiresAt": ")" + secret +
           R"("}})",
       "$.claudeAiOauth.expiresAt", "found a string"},
      {"token number",
       R"({"claudeAiOauth": {"accessToken": 5, "refreshToken": "r", "expiresAt": 1}})",
       "$.claudeAiOauth.accessToken", "expected a string; found an integer"},
      {"negative expiry",
       R"({"claudeAiOauth": {"accessToken": "a", "refreshToken": "r", "expiresAt": -5}})",
       "$.claudeAiOauth.expiresAt", "negative"},
      {"fractional expiry",
       R"({"claudeAiOauth": {"accessToken": "a", "refreshToken": "r", "expiresAt": 1.5}})",
       "$.claudeAiOauth.expiresAt", "fraction"},
      {"uint64 expiry",
       R"({"claudeAiOauth": {"accessToken": "a", "refreshToken": "r", )"
       R"("expiresAt": 18446744073709551615}})",
       "$.claudeAiOauth.expiresAt", "int64"},
      {"scope not string",
       R"({"claudeAiOauth": {"accessToken": "a", "refreshToken": "r", "expiresAt": 1, )"
       R"("scopes": ["a", 2]}})",
       "$.claudeAiOauth.scopes[1]", "expected a string; found an integer"},
      {"scopes string",
       R"({"claudeAiOauth": {"accessToken": "a", "refreshToken": "r", "expiresAt": 1, )"
       R"("scopes": "a b"}})",
       "$.claudeAiOauth.scopes", "found a string"},
      {"the last of duplicates is what counts",
       R"({"claudeAiOauth": {"accessToken": ")" + secret +
           R"(", "refreshToken": "r", "expiresAt": 1}, "claudeAiOauth": 7})",
       "$.claudeAiOauth", "expected an object"},
  };
  for (const BadCase& c : cases) {
    Result<ClaudeCredentials> parsed = ParseClaudeCredentials(c.bytes);
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_EQ(parsed.error().path, c.path) << c.name;
    EXPECT_NE(parsed.error().message.find(c.message_part), std::string::npos)
        << c.name << ": " << parsed.error().message;
    EXPECT_EQ(parsed.error().ToString().find(secret), std::string::npos) << c.name;
  }
}

// Claude Code reads its file with JSON.parse, which keeps the last of duplicated keys, and so does
// the parser: a file Claude Code reads is never one the engine calls unreadable. A write-back goes
// where JSON.parse will look (the last claudeAiOauth) and leaves one reading of each key it writes.
TEST(ClaudeCredentials, DuplicatedKeysReadAsJsonParseReadsThem) {
  const std::string bytes =
      R"({"claudeAiOauth": {"accessToken": "stale", "refreshToken": "r0", "expiresAt": 1},)"
      R"( "claudeAiOauth": {"accessToken": "a", "accessToken": "b", "refreshToken": "r1",)"
      R"( "expiresAt": 1795000000000, "subscriptionType": "pro", "subscriptionType": "max"}})";
  ClaudeCredentials creds = MustParse(bytes);
  ASSERT_TRUE(creds.oauth);
  EXPECT_EQ(creds.oauth->access_token, "b");
  EXPECT_EQ(creds.oauth->refresh_token, "r1");
  EXPECT_EQ(creds.oauth->subscription_type, "max");
  creds.oauth->access_token = "c";
  creds.oauth->refresh_token = "r2";
  const ClaudeCredentials again = MustParse(SerializeClaudeCredentials(creds));
  EXPECT_EQ(again.oauth->access_token, "c");
  EXPECT_EQ(again.oauth->refresh_token, "r2");
  EXPECT_EQ(again.oauth->subscription_type, "max");
}

// What JSON.parse reads, the engine reads and carries: numbers no double or 64-bit integer holds
// (Infinity and a rounded double to Node) and nesting far deeper than any credentials file, in
// members the engine does not use. A write-back keeps them byte for byte.
TEST(ClaudeCredentials, WhatJsonParseReadsIsReadAndCarried) {
  const std::string deep = std::string(200, '[') + std::string(200, ']');
  const std::string bytes =
      R"({"stats": {"x": 1e400, "y": -1E+999, "big": 123456789012345678901234567890},)"
      R"( "mcpOAuth": {"n": )" +
      deep +
      R"(}, "claudeAiOauth": {"accessToken": "a",)"
      R"( "refreshToken": "r", "expiresAt": 1795000000000, "z": [2e308]}})";
  ClaudeCredentials creds = MustParse(bytes);
  creds.oauth->access_token = "b";
  const std::string written = SerializeClaudeCredentials(creds);
  for (const char* kept : {"1e400", "-1E+999", "123456789012345678901234567890", "2e308"}) {
    EXPECT_NE(written.find(kept), std::string::npos) << kept << " in " << written;
  }
  const ClaudeCredentials again = MustParse(written);
  EXPECT_EQ(again.oauth->access_token, "b");
  EXPECT_EQ(Tree(written), Tree(SerializeClaudeCredentials(again))) << "stable";
  EXPECT_EQ(Tree(written).Find("mcpOAuth")->Find("n")->array.size(), 1u);
}

// A number the engine needs that no double holds reads as 0 (as good as absent: the token is
// treated as expired and refreshed), not as a reason to give up on the file.
TEST(ClaudeCredentials, AnUnholdableExpiryReadsAsZero) {
  const ClaudeCredentials creds = MustParse(
      R"({"claudeAiOauth": {"accessToken": "a", "refreshToken": "r", "expiresAt": 1e400}})");
  EXPECT_EQ(creds.oauth->expires_at_ms, 0);
}

TEST(ClaudeCredentials, DuplicateUnknownKeysAreKept) {
  const std::string bytes = R"({"x": 1, "x": 2, "claudeAiOauth": {"accessToken": "a",
      "refreshToken": "r", "expiresAt": 1795000000000, "y": 1, "y": [2]}})";
  ClaudeCredentials creds = MustParse(bytes);
  creds.oauth->access_token = "b";
  JsonValue expected = Tree(bytes);
  expected.Find("claudeAiOauth")->Set("accessToken", JsonValue::String("b"));
  EXPECT_EQ(Tree(SerializeClaudeCredentials(creds)), expected);
}

}  // namespace
}  // namespace credsim::formats
