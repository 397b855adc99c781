// Agent auth.json on the sample and on edge cases. Expected values are read off testdata/.
#include "engine/formats/agent_auth.h"

#include <gtest/gtest.h>

#include "engine/formats/json_tree.h"
#include "engine/formats/test_support.h"

namespace credsim::formats {
namespace {

AgentAuth MustParse(std::string_view bytes) {
  Result<AgentAuth> parsed = ParseAgentAuth(bytes);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().ToString());
  return parsed.ok() ? parsed.value() : AgentAuth{};
}

JsonValue Tree(std::string_view bytes) { return ParseJsonTree(bytes).value(); }

TEST(AgentAuth, ReadsEveryTypedFieldOfTheSample) {
  const AgentAuth auth = MustParse(testing::ReadTestdata("agent-auth.json"));
  EXPECT_EQ(auth.version, 1);
  ASSERT_EQ(auth.providers.size(), 1u);
  const ProviderBlock& codex = auth.providers.at("openai-codex");
  ASSERT_TRUE(codex.tokens.has_value());
  EXPECT_EQ(codex.tokens->refresh_token, "rt_EXAMPLE_codex_0001");
  EXPECT_EQ(codex.tokens->account_id, "acc-EXAMPLE");
  EXPECT_EQ(codex.last_refresh, "2026-11-20T08:15:02Z");
  EXPECT_EQ(codex.auth_mode, "chatgpt");
  ASSERT_TRUE(codex.last_auth_error.has_value());
  EXPECT_EQ(codex.last_auth_error->code, "refresh_token_reused");
  EXPECT_EQ(codex.last_auth_error->message, "refresh token was already used");
  EXPECT_EQ(codex.last_auth_error->reason, "reuse");
  EXPECT_EQ(codex.last_auth_error->relogin_required, true);
  EXPECT_EQ(codex.last_auth_error->at, "2026-11-19T22:01:00Z");

  const std::vector<PoolEntry>& anthropic = auth.pool.at("anthropic");
  ASSERT_EQ(anthropic.size(), 2u);
  const PoolEntry& borrowed = anthropic[0];
  EXPECT_EQ(borrowed.id, "3fa9c1");
  EXPECT_EQ(borrowed.label, "claude-code");
  EXPECT_EQ(borrowed.priority, 0);
  EXPECT_EQ(borrowed.source, "claude_code");
  EXPECT_EQ(borrowed.secret_fingerprint, "sha256:0123456789abcdef");
  EXPECT_EQ(borrowed.access_token, std::nullopt);
  EXPECT_EQ(borrowed.expires_at_ms, 1795000000000);
  EXPECT_EQ(borrowed.last_status, PoolStatus::kExhausted);
  EXPECT_EQ(borrowed.last_status_at_s, 1794990000);
  EXPECT_EQ(borrowed.last_error_code, 401);
  EXPECT_EQ(borrowed.last_error_reason, "invalid_grant");
  EXPECT_EQ(borrowed.last_error_message, "Refresh token not found or invalid");
  EXPECT_EQ(borrowed.last_error_reset_at_s, 1795076400);
  const PoolEntry& owned = anthropic[1];
  EXPECT_EQ(owned.id, "7be210");
  EXPECT_EQ(owned.access_token, "sk-ant-oat01-EXAMPLE-access-0003");
  EXPECT_EQ(owned.refresh_token, "sk-ant-ort01-EXAMPLE-refresh-0003");
  EXPECT_EQ(owned.last_status, PoolStatus::kUnset);
  EXPECT_EQ(owned.last_status_at_s, std::nullopt);
  EXPECT_EQ(owned.scope, "org:create_api_key user:profile user:inference");
  const std::vector<PoolEntry>& codex_pool = auth.pool.at("openai-codex");
  ASSERT_EQ(codex_pool.size(), 1u);
  EXPECT_EQ(codex_pool[0].last_refresh, "2026-11-18T10:00:00Z");
  EXPECT_EQ(codex_pool[0].last_status, PoolStatus::kOk);
  EXPECT_EQ(codex_pool[0].source, "manual:device_code");
  EXPECT_TRUE(auth.notes.empty());
}

TEST(AgentAuth, UnchangedSerializeIsTheSample) {
  const std::string bytes = testing::ReadTestdata("agent-auth.json");
  EXPECT_EQ(SerializeAgentAuth(MustParse(bytes)), bytes);
}

TEST(AgentAuth, ReprobingAnEntryKeepsUnknownKeysEverywhere) {
  const std::string bytes = testing::ReadTestdata("agent-auth.json");
  AgentAuth auth = MustParse(bytes);
  PoolEntry& borrowed = auth.pool.at("anthropic")[0];
  borrowed.last_status = PoolStatus::kOk;
  borrowed.last_status_at_s = 1795000100;
  borrowed.last_error_code.reset();
  const std::string out = SerializeAgentAuth(auth);

  JsonValue expected = Tree(bytes);
  JsonValue& entry = expected.Find("credential_pool")->Find("anthropic")->array[0];
  entry.Set("last_status", JsonValue::String("ok"));
  entry.Set("last_status_at", JsonValue::Int(1795000100));
  entry.Set("last_error_code", JsonValue::Null());
  EXPECT_EQ(Tree(out), expected);  // suppressed_sources, request_count, client_id, updated_at kept
  EXPECT_EQ(MustParse(out).pool, auth.pool);
}

TEST(AgentAuth, NewEntriesAreAppendedAndMissingOnesKept) {
  const std::string bytes = testing::ReadTestdata("agent-auth.json");
  AgentAuth auth = MustParse(bytes);
  std::vector<PoolEntry>& anthropic = auth.pool.at("anthropic");
  PoolEntry added;
  added.id = "new001";
  added.access_token = "at";
  added.expires_at_ms = 1796000000000;
  anthropic.erase(anthropic.begin());  // dropping from the view does not delete from the file
  anthropic.push_back(added);
  const AgentAuth reparsed = MustParse(SerializeAgentAuth(auth));
  const std::vector<PoolEntry>& out = reparsed.pool.at("anthropic");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].id, "3fa9c1");
  EXPECT_EQ(out[1].id, "7be210");
  EXPECT_EQ(out[2], added);
}

TEST(AgentAuth, ClearingLastAuthErrorWritesNullAndKeepsOtherProviderFields) {
  AgentAuth auth = MustParse(testing::ReadTestdata("agent-auth.json"));
  auth.providers.at("openai-codex").last_auth_error.reset();
  auth.providers.at("openai-codex").tokens->refresh_token = "rt_new";
  const std::string out = SerializeAgentAuth(auth);
  const JsonValue tree = Tree(out);
  const JsonValue* block = tree.Find("providers")->Find("openai-codex");
  EXPECT_EQ(block->Find("last_auth_error")->kind, JsonKind::kNull);
  EXPECT_EQ(block->Find("tokens")->Find("refresh_token")->string, "rt_new");
  EXPECT_EQ(MustParse(out).providers, auth.providers);
}

TEST(AgentAuth, TimestampsInTheOtherUnitAreNoted) {
  const std::string bytes = R"({"credential_pool": {"anthropic": [{"id": "a",
      "expires_at_ms": 1795000000, "last_status_at": 1794990000000, "last_error_reset_at": 0}]}})";
  AgentAuth auth = MustParse(bytes);
  const PoolEntry& e = auth.pool.at("anthropic")[0];
  EXPECT_EQ(e.expires_at_ms, 1795000000000);
  EXPECT_EQ(e.last_status_at_s, 1794990000);
  EXPECT_EQ(e.last_error_reset_at_s, 0);
  ASSERT_EQ(auth.notes.size(), 2u);
  EXPECT_EQ(auth.notes[0].path, "$.credential_pool.anthropic[0].expires_at_ms");
  EXPECT_EQ(auth.notes[1].path, "$.credential_pool.anthropic[0].last_status_at");
  // Unchanged values stay as written; a changed one goes back in the field's unit (seconds).
  auth.pool.at("anthropic")[0].last_status_at_s = 1795000000;
  const JsonValue entry =
      Tree(SerializeAgentAuth(auth)).Find("credential_pool")->Find("anthropic")->array[0];
  EXPECT_EQ(entry.Find("expires_at_ms")->int64, 1795000000);
  EXPECT_EQ(entry.Find("last_status_at")->int64, 1795000000);
}

TEST(AgentAuth, BadLastRefreshIsANoteNotAnError) {
  const AgentAuth auth = MustParse(R"({"providers": {"p": {"last_refresh": "yesterday"}}})");
  ASSERT_EQ(auth.notes.size(), 1u);
  EXPECT_EQ(auth.notes[0].path, "$.providers.p.last_refresh");
}

TEST(AgentAuth, ErrorsNameThePath) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"version": "1"})", "$.version"},
      {R"({"providers": []})", "$.providers"},
      {R"({"providers": {"p": 1}})", "$.providers.p"},
      {R"({"providers": {"p": {"tokens": {"access_token": 1}}}})",
       "$.providers.p.tokens.access_token"},
      {R"({"providers": {"p": {"last_auth_error": {"relogin_required": "yes"}}}})",
       "$.providers.p.last_auth_error.relogin_required"},
      {R"({"credential_pool": {"a": {}}})", "$.credential_pool.a"},
      {R"({"credential_pool": {"a": [{"label": "x"}]}})", "$.credential_pool.a[0].id"},
      {R"({"credential_pool": {"a": [{"id": "x"}, 3]}})", "$.credential_pool.a[1]"},
      {R"({"credential_pool": {"a": [{"id": "x"}, {"id": "x"}]}})", "$.credential_pool.a[1].id"},
      {R"({"credential_pool": {"a": [{"id": "x", "last_status": "cooldown"}]}})",
       "$.credential_pool.a[0].last_status"},
      {R"({"credential_pool": {"a": [{"id": "x", "priority": 1.5}]}})",
       "$.credential_pool.a[0].priority"},
  };
  for (const auto& [bytes, path] : cases) {
    const Result<AgentAuth> parsed = ParseAgentAuth(bytes);
    ASSERT_FALSE(parsed.ok()) << bytes;
    EXPECT_EQ(parsed.error().path, path) << parsed.error().ToString();
  }
}

// The agent's owner reads its file with Python's json, which keeps the last of duplicated keys: so
// does the parser, and a write-back leaves one reading of what it writes.
TEST(AgentAuth, DuplicatedKeysReadAsPythonReadsThem) {
  const std::string bytes =
      R"({"providers": {"p": {"tokens": {"access_token": "old"}}, "p": {"tokens": )"
      R"({"access_token": "a", "access_token": "b"}}}})";
  const Result<AgentAuth> parsed = ParseAgentAuth(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  ASSERT_EQ(parsed.value().providers.size(), 1u);
  ASSERT_TRUE(parsed.value().providers.at("p").tokens);
  EXPECT_EQ(parsed.value().providers.at("p").tokens->access_token, "b");
}

}  // namespace
}  // namespace credsim::formats
