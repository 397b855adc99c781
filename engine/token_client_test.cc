#include "engine/token_client.h"

#include <gtest/gtest.h>

namespace credsim::engine {
namespace {

HttpResult Response(int status, std::string body) {
  HttpResult r;
  r.transport = HttpResult::Transport::kResponse;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Credential WithRefreshToken(std::string refresh_token) {
  Credential c;
  c.refresh_token = std::move(refresh_token);
  return c;
}

// Claude Code's body, scope included (docs/REAL_CLIENTS.md#claude-code-refresh-request): without
// one the server narrows the session to the login's scope.
TEST(BuildRefreshRequest, AnthropicJsonBodyAsClaudeCodeSendsIt) {
  SessionConfig config = DefaultSession(Provider::kAnthropic, "");
  const HttpRequest r = BuildRefreshRequest(config, WithRefreshToken("rt\"1\\"));
  EXPECT_EQ(r.url, "https://platform.claude.com/v1/oauth/token");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"grant_type":"refresh_token","refresh_token":"rt\"1\\",)"
                    R"("client_id":"9d1c250a-e61b-44d9-88ed-5944d1962f5e",)"
                    R"("scope":"user:profile user:inference user:sessions:claude_code )"
                    R"(user:mcp_servers user:file_upload"})");
}

TEST(BuildRefreshRequest, AnthropicAsksForTheStoredScopes) {
  Credential c = WithRefreshToken("rt");
  c.scopes = std::vector<std::string>{"user:inference", "", "user:profile"};
  const HttpRequest r = BuildRefreshRequest(DefaultSession(Provider::kAnthropic, ""), c);
  EXPECT_TRUE(r.body.ends_with(R"(,"scope":"user:inference user:profile"})")) << r.body;
  c.scopes = std::vector<std::string>{""};  // nothing usable stored: Claude Code's list
  EXPECT_NE(BuildRefreshRequest(DefaultSession(Provider::kAnthropic, ""), c)
                .body.find(R"("scope":"user:profile user:inference)"),
            std::string::npos);
}

// After invalid_scope the engine asks without a scope (RFC 6749 §6: the granted one comes back).
TEST(BuildRefreshRequest, ARefusedScopeIsAskedForAgainWithoutOne) {
  Credential c = WithRefreshToken("rt");
  c.scopes = std::vector<std::string>{"user:-rofile"};
  const SessionConfig config = DefaultSession(Provider::kAnthropic, "");
  EXPECT_NE(BuildRefreshRequest(config, c).body.find("\"scope\""), std::string::npos);
  EXPECT_EQ(BuildRefreshRequest(config, c, RefreshScope::kNone).body.find("scope"),
            std::string::npos);
  const RefreshOutcome refused = ClassifyRefresh(
      Response(400, R"({"error":"invalid_scope","error_description":"beyond the grant"})"));
  EXPECT_EQ(refused.kind, RefreshOutcome::Kind::kRejected);
  EXPECT_TRUE(refused.scope_refused);
  EXPECT_FALSE(ClassifyRefresh(Response(400, R"({"error":"invalid_request"})")).scope_refused);
}

TEST(BuildRefreshRequest, CodexSendsRefreshReasonAndNoScope) {
  Credential c = WithRefreshToken("rt");
  c.scopes = std::vector<std::string>{"openid"};
  const HttpRequest r = BuildRefreshRequest(DefaultSession(Provider::kOpenAiCodex, ""), c);
  EXPECT_NE(r.body.find(R"("refresh_reason":"proactive_expiry")"), std::string::npos);
  EXPECT_NE(r.body.find(R"("client_id":"app_EMoamEEZ73f0CkXaXp7hrann")"), std::string::npos);
  EXPECT_EQ(r.body.find("scope"), std::string::npos) << "Codex sends none";
}

TEST(BuildRefreshRequest, FormBodyIsPercentEncoded) {
  SessionConfig config = DefaultSession(Provider::kAnthropic, "");
  config.body_format = BodyFormat::kForm;
  const HttpRequest r = BuildRefreshRequest(config, WithRefreshToken("a b&c=d"));
  EXPECT_EQ(r.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(r.body,
            "grant_type=refresh_token&refresh_token=a%20b%26c%3Dd&client_id="
            "9d1c250a-e61b-44d9-88ed-5944d1962f5e");
}

TEST(ClassifyRefresh, EveryOutcome) {
  using K = RefreshOutcome::Kind;
  EXPECT_EQ(ClassifyRefresh(Response(200, R"({"access_token":"a","expires_in":60})")).kind,
            K::kGranted);
  EXPECT_EQ(ClassifyRefresh(Response(400, R"({"error":"invalid_grant"})")).kind, K::kDead);
  EXPECT_EQ(ClassifyRefresh(Response(401, R"({"error":{"code":"refresh_token_reused"}})")).kind,
            K::kDead);
  EXPECT_EQ(ClassifyRefresh(Response(401, R"({"error":{"code":"refresh_token_expired"}})")).kind,
            K::kDead);
  EXPECT_EQ(
      ClassifyRefresh(Response(401, R"({"error":{"code":"refresh_token_invalidated"}})")).kind,
      K::kDead);
  EXPECT_EQ(ClassifyRefresh(Response(400, R"({"error":"invalid_request"})")).kind, K::kRejected);
  EXPECT_EQ(ClassifyRefresh(Response(429, "")).kind, K::kTransient);
  EXPECT_EQ(ClassifyRefresh(Response(500, "<html>")).kind, K::kTransient);
  EXPECT_EQ(ClassifyRefresh(Response(200, "not json")).kind, K::kLost)
      << "a 2xx we cannot read may have rotated the token";
  HttpResult not_sent;
  not_sent.transport = HttpResult::Transport::kNotSent;
  EXPECT_EQ(ClassifyRefresh(not_sent).kind, K::kTransient);
  HttpResult lost;
  lost.transport = HttpResult::Transport::kLostResponse;
  EXPECT_EQ(ClassifyRefresh(lost).kind, K::kLost);
}

TEST(MergeGrant, KeepsWhatTheAnswerDoesNotSay) {
  const Credential previous{.access_token = "a1",
                            .refresh_token = "r1",
                            .expires_at_ms = 5,
                            .scopes = std::vector<std::string>{"user:inference"},
                            .subscription_type = "max",
                            .account_id = "acc"};
  formats::TokenGrant grant;
  grant.access_token = "a2";
  grant.expires_in_s = 100;
  const Credential next = MergeGrant(previous, grant, 1000, 7);
  EXPECT_EQ(next.access_token, "a2");
  EXPECT_EQ(next.refresh_token, "r1") << "no refresh_token in the answer: keep ours";
  EXPECT_EQ(next.expires_at_ms, 1000 + 100 * 1000);
  EXPECT_EQ(next.scopes, previous.scopes);
  EXPECT_EQ(next.subscription_type, "max");
  EXPECT_EQ(next.account_id, "acc");
  grant.refresh_token = "r2";
  grant.scope = "user:inference  user:profile";
  grant.expires_in_s.reset();
  const Credential again = MergeGrant(previous, grant, 1000, 7);
  EXPECT_EQ(again.refresh_token, "r2");
  EXPECT_EQ(again.expires_at_ms, 1007) << "no expires_in, not a JWT: the default TTL";
  EXPECT_EQ(again.scopes, (std::vector<std::string>{"user:inference", "user:profile"}));
}

// Codex CLI does not refresh an auth.json without tokens.account_id: a login takes it from the
// id_token's ChatGPT claim; a known one is never replaced.
TEST(MergeGrant, AccountIdFromTheIdTokenWhenNoneIsKnown) {
  formats::TokenGrant grant;
  grant.access_token = "a2";
  grant.id_token =  // {"https://api.openai.com/auth":{"chatgpt_account_id":"acc-9"}}, unsigned
      "eyJhbGciOiJub25lIn0.eyJodHRwczovL2FwaS5vcGVuYWkuY29tL2F1dGgiOnsiY2hhdGdwdF9hY2NvdW50X2lkIj"
      "oiYWNjLTkifX0.";
  EXPECT_EQ(MergeGrant(Credential{}, grant, 1000, 7).account_id, "acc-9");
  const Credential known{.access_token = "a1", .refresh_token = "r1", .account_id = "acc"};
  EXPECT_EQ(MergeGrant(known, grant, 1000, 7).account_id, "acc");
  grant.id_token = "not-a-jwt";
  EXPECT_FALSE(MergeGrant(Credential{}, grant, 1000, 7).account_id);
}

// The lifetime an answer states is expires_in, clamped as MergeGrant clamps it; none otherwise.
TEST(StatedLifetimeMs, ExpiresInOnlyAndClamped) {
  formats::TokenGrant grant;
  grant.access_token = "at";
  EXPECT_EQ(StatedLifetimeMs(grant), std::nullopt);
  grant.expires_in_s = 300;
  EXPECT_EQ(StatedLifetimeMs(grant), 300'000);
  grant.expires_in_s = 0;
  EXPECT_EQ(StatedLifetimeMs(grant), std::nullopt);
  grant.expires_in_s = -5;
  EXPECT_EQ(StatedLifetimeMs(grant), std::nullopt);
  grant.expires_in_s = int64_t{1} << 60;
  const int64_t ten_years_ms = int64_t{10} * 365 * 24 * 3600 * 1000;
  EXPECT_EQ(StatedLifetimeMs(grant), ten_years_ms);
  EXPECT_EQ(MergeGrant(Credential{}, grant, 1000, 7).expires_at_ms, 1000 + ten_years_ms);
}

TEST(BackoffDelayMs, GrowsIsCappedAndHonoursRetryAfter) {
  const SessionConfig config = DefaultSession(Provider::kAnthropic, "");
  for (uint64_t random : {0ull, 1ull, 123456789ull, ~0ull}) {
    for (int attempt = 0; attempt < 30; ++attempt) {
      const int64_t window =
          std::min<int64_t>(config.backoff_ms_max, config.backoff_ms_min << std::min(attempt, 20));
      const int64_t d = BackoffDelayMs(config, attempt, std::nullopt, random);
      EXPECT_GE(d, window / 2);
      EXPECT_LE(d, window);
    }
  }
  EXPECT_GE(BackoffDelayMs(config, 0, 5000, 0), 5000);
  EXPECT_EQ(BackoffDelayMs(config, 0, config.retry_after_ms_max + 1, 0), -1);
}

}  // namespace
}  // namespace credsim::engine
