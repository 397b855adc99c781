// The token endpoint, authorize, device flow and protected resource over real HTTP.
#include "fake_oauth_server/tests/http_helpers.h"

namespace credsim::oauth {
namespace {

using testing::JsonField;
using testing::LoginRefreshToken;
using testing::RefreshJson;
using testing::TestServer;

TEST(HttpToken, JsonRefreshRotatesWithRfc6749Fields) {
  TestServer s;
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  auto r = c->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(JsonField(r->body, "token_type"), "Bearer");
  EXPECT_EQ(JsonField(r->body, "expires_in"), "28800");
  EXPECT_EQ(JsonField(r->body, "scope"), "user:inference user:profile");
  EXPECT_TRUE(JsonField(r->body, "access_token").starts_with("sk-ant-oat01-"));
  const std::string next = JsonField(r->body, "refresh_token");
  EXPECT_TRUE(next.starts_with("sk-ant-ort01-"));
  EXPECT_NE(next, rt);
}

TEST(HttpToken, FormRefreshPerRfc6749) {
  TestServer s;
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  auto r = c->Post("/v1/oauth/token", "grant_type=refresh_token&client_id=cli&refresh_token=" + rt,
                   "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST(HttpToken, ReusedRefreshTokenGetsAnthropicsExactAnswer) {
  TestServer s;
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  ASSERT_EQ(c->Post("/v1/oauth/token", RefreshJson(rt), "application/json")->status, 200);
  auto r = c->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(
      r->body,
      R"({"error":"invalid_grant","error_description":"Refresh token not found or invalid"})");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
}

TEST(HttpToken, RequestErrorsHaveRfcCodesAndStatuses) {
  ServerOptions o;
  o.authority.allowed_client_ids = {"known"};
  TestServer s(o);
  auto c = s.Client();
  struct Case {
    std::string body, type;
    int status;
    std::string error;
  };
  const Case cases[] = {
      {R"({"refresh_token":"x"})", "application/json", 400, "invalid_request"},
      {R"({"grant_type":"password"})", "application/json", 400, "unsupported_grant_type"},
      {R"({"grant_type":"refresh_token"})", "application/json", 400, "invalid_request"},
      {"grant_type=refresh_token", "text/plain", 400, "invalid_request"},
      {"", "application/json", 400, "invalid_request"},
      {"[]", "application/json", 400, "invalid_request"},
      {R"({"grant_type":"refresh_token","refresh_token":"nope","client_id":"known"})",
       "application/json", 400, "invalid_grant"},
      // The anthropic personality requires client_id on a refresh, as its real clients send it.
      {R"({"grant_type":"refresh_token","refresh_token":"nope"})", "application/json", 400,
       "invalid_request"},
      {R"({"grant_type":"refresh_token","refresh_token":"x","client_id":"other"})",
       "application/json", 401, "invalid_client"},
  };
  for (const Case& k : cases) {
    auto r = c->Post("/v1/oauth/token", k.body, k.type);
    ASSERT_TRUE(r) << k.body;
    EXPECT_EQ(r->status, k.status) << k.body << " -> " << r->body;
    EXPECT_EQ(JsonField(r->body, "error"), k.error) << k.body;
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  }
}

TEST(HttpToken, OpenAiPersonality) {
  ServerOptions o;
  o.authority.provider = Provider::kOpenAi;
  TestServer s(o);
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c, R"({"client_id":"app_EMoamEEZ73f0CkXaXp7hrann"})");
  EXPECT_TRUE(rt.starts_with("rt_"));
  // What Codex sends (docs/REAL_CLIENTS.md#codex-refresh-request): JSON with client_id and
  // refresh_reason, no scope.
  const std::string body =
      R"({"client_id":"app_EMoamEEZ73f0CkXaXp7hrann","grant_type":)"
      R"("refresh_token","refresh_reason":"proactive_expiry","refresh_token":")" +
      rt + "\"}";
  auto ok = c->Post("/oauth/token", body, "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  const std::string id_token = JsonField(ok->body, "id_token");
  EXPECT_EQ(std::count(id_token.begin(), id_token.end(), '.'), 2);
  auto reused = c->Post("/oauth/token", body, "application/json");
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->status, 401);
  EXPECT_EQ(JsonField(reused->body, "code", "error"), "refresh_token_reused");
  EXPECT_EQ(JsonField(reused->body, "type", "error"), "invalid_request_error");
}

TEST(HttpToken, LegacyEndpointAnswers500ToFormRefreshesOnly) {
  TestServer s;
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  auto form = c->Post("/v1/oauth/legacy/token", "grant_type=refresh_token&refresh_token=" + rt,
                      "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 500);
  auto json = c->Post("/v1/oauth/legacy/token", RefreshJson(rt), "application/json");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 200);  // the 500 did not consume the token
}

TEST(HttpResource, LiveExpiredUnknownInAnthropicShape) {
  TestServer s;
  auto c = s.Client();
  auto login = c->Post("/admin/login", "{}", "application/json");
  const std::string at = JsonField(login->body, "access_token");
  auto live =
      c->Post("/v1/messages", {{"Authorization", "Bearer " + at}}, "{}", "application/json");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  auto by_key = c->Post("/v1/messages", {{"x-api-key", at}}, "{}", "application/json");
  EXPECT_EQ(by_key->status, 200);

  auto unknown = c->Post("/v1/messages", {{"Authorization", "Bearer sk-ant-oat01-x"}}, "{}",
                         "application/json");
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(JsonField(unknown->body, "type"), "error");
  EXPECT_EQ(JsonField(unknown->body, "type", "error"), "authentication_error");
  EXPECT_TRUE(unknown->get_header_value("WWW-Authenticate").empty());

  ASSERT_EQ(c->Post("/admin/clock", R"({"advance_ms":28800000})", "application/json")->status, 200);
  auto expired =
      c->Post("/v1/messages", {{"Authorization", "Bearer " + at}}, "{}", "application/json");
  EXPECT_EQ(expired->status, 401);
  EXPECT_EQ(JsonField(expired->body, "message", "error"),
            "OAuth token has expired. Please obtain a new token or refresh your existing token.");
}

TEST(HttpResource, Rfc6750HeaderMode) {
  ServerOptions o;
  o.www_authenticate = true;
  TestServer s(o);
  auto c = s.Client();
  auto bad = c->Post("/v1/messages", {{"Authorization", "Bearer zzz"}}, "{}", "application/json");
  EXPECT_EQ(bad->status, 401);
  EXPECT_NE(bad->get_header_value("WWW-Authenticate").find("error=\"invalid_token\""),
            std::string::npos);
  auto none = c->Post("/v1/messages", "{}", "application/json");
  EXPECT_EQ(none->status, 401);
  // RFC 6750 §3.1: no error code when no credentials were sent.
  EXPECT_EQ(none->get_header_value("WWW-Authenticate").find("error="), std::string::npos);
}

TEST(HttpResource, RevokeAccessOnRefresh) {
  ServerOptions o;
  o.authority.revoke_access_on_refresh = true;
  TestServer s(o);
  auto c = s.Client();
  auto login = c->Post("/admin/login", "{}", "application/json");
  const std::string at = JsonField(login->body, "access_token");
  const std::string rt = JsonField(login->body, "refresh_token");
  ASSERT_EQ(c->Post("/v1/oauth/token", RefreshJson(rt), "application/json")->status, 200);
  auto r = c->Post("/v1/messages", {{"Authorization", "Bearer " + at}}, "{}", "application/json");
  EXPECT_EQ(r->status, 401);
}

constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

TEST(HttpAuthorize, RedirectWithCodeAndStateThenPkceExchange) {
  TestServer s;
  auto c = s.Client();
  const std::string query =
      std::string("/oauth/authorize?response_type=code&client_id=cli") +
      "&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcb&code_challenge=" + kChallenge +
      "&code_challenge_method=S256&state=xyz&scope=user%3Ainference";
  auto r = c->Get(query);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  const std::string location = r->get_header_value("Location");
  ASSERT_TRUE(location.starts_with("http://localhost:9/cb?code=")) << location;
  EXPECT_TRUE(location.ends_with("&state=xyz")) << location;
  const size_t start = location.find("code=") + 5;
  const std::string code = location.substr(start, location.find('&') - start);

  const std::string form = "grant_type=authorization_code&code=" + code +
                           "&code_verifier=" + kVerifier +
                           "&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcb&client_id=cli";
  auto t = c->Post("/v1/oauth/token", form, "application/x-www-form-urlencoded");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, 200) << t->body;
  EXPECT_EQ(JsonField(t->body, "scope"), "user:inference");
  auto again = c->Post("/v1/oauth/token", form, "application/x-www-form-urlencoded");
  EXPECT_EQ(again->status, 400);
  EXPECT_EQ(JsonField(again->body, "error"), "invalid_grant");
}

TEST(HttpAuthorize, ErrorsWithoutRedirectUriAreShownNotRedirected) {
  TestServer s;
  auto c = s.Client();
  auto r = c->Get("/oauth/authorize?response_type=code&client_id=cli");
  EXPECT_EQ(r->status, 400);
  auto bad = c->Get(
      "/oauth/authorize?response_type=code&client_id=cli&redirect_uri=http%3A%2F%2Fh%2Fcb"
      "&code_challenge_method=plain&code_challenge=abc&state=s1");
  EXPECT_EQ(bad->status, 302);
  EXPECT_EQ(bad->get_header_value("Location").find("http://h/cb?error=invalid_request"), 0u);
}

TEST(HttpAuthorize, HeadlessFlowShowsCodeAndState) {
  TestServer s;
  auto c = s.Client();
  auto r = c->Get(std::string("/oauth/authorize?response_type=code&client_id=cli&redirect_uri=") +
                  "https%3A%2F%2Fconsole.anthropic.com%2Foauth%2Fcode%2Fcallback&code_challenge=" +
                  kChallenge + "&code_challenge_method=S256&state=st8");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("#st8</pre>"), std::string::npos) << r->body;
}

TEST(HttpDevice, PendingThenApprovedThroughAdmin) {
  TestServer s;
  auto c = s.Client();
  auto d = c->Post("/v1/oauth/device/code", "client_id=tv", "application/x-www-form-urlencoded");
  ASSERT_TRUE(d);
  ASSERT_EQ(d->status, 200) << d->body;
  EXPECT_EQ(JsonField(d->body, "interval"), "5");
  const std::string device_code = JsonField(d->body, "device_code");
  const std::string user_code = JsonField(d->body, "user_code");
  const std::string poll =
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
      "&client_id=tv&device_code=" +
      device_code;
  auto p1 = c->Post("/v1/oauth/token", poll, "application/x-www-form-urlencoded");
  EXPECT_EQ(p1->status, 400);
  EXPECT_EQ(JsonField(p1->body, "error"), "authorization_pending");
  auto p2 = c->Post("/v1/oauth/token", poll, "application/x-www-form-urlencoded");
  EXPECT_EQ(JsonField(p2->body, "error"), "slow_down");  // well inside 5 s
  ASSERT_EQ(
      c->Post("/admin/device/approve", "{\"user_code\":\"" + user_code + "\"}", "application/json")
          ->status,
      200);
  ASSERT_EQ(c->Post("/admin/clock", R"({"advance_ms":11000})", "application/json")->status, 200);
  auto p3 = c->Post("/v1/oauth/token", poll, "application/x-www-form-urlencoded");
  EXPECT_EQ(p3->status, 200) << p3->body;
}

}  // namespace
}  // namespace credsim::oauth
