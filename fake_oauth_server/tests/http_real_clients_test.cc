// What the real Codex CLI and Claude Code need of the server beyond the token endpoint
// (docs/REAL_CLIENTS.md#against-fake_oauth_server): model answers they can finish a turn on, the
// profile, the user claims, a late grant, token revocation, and a log of every call.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>

#include "fake_oauth_server/base64url.h"
#include "fake_oauth_server/tests/http_helpers.h"

namespace credsim::oauth::testing {
namespace {

ServerOptions OpenAi() {
  ServerOptions o;
  o.authority.provider = Provider::kOpenAi;
  return o;
}

httplib::Headers Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

struct Login {
  std::string access;
  std::string refresh;
  std::string id_token;
  std::string account_uuid;
};

Login MintLogin(httplib::Client& c, const std::string& client_id = "credsim-test") {
  auto r = c.Post("/admin/login", R"({"client_id":")" + client_id + R"("})", "application/json");
  EXPECT_TRUE(r);
  if (!r) return {};
  return {JsonField(r->body, "access_token"), JsonField(r->body, "refresh_token"),
          JsonField(r->body, "id_token"), JsonField(r->body, "uuid", "account")};
}

std::string AdminLog(httplib::Client& c) {
  auto r = c.Get("/admin/log");
  EXPECT_TRUE(r);
  return r ? r->body : "";
}

TEST(RealClients, CodexResponsesStreamEndsWithResponseCompleted) {
  TestServer s(OpenAi());
  auto c = s.Client();
  const Login login = MintLogin(*c);
  auto r = c->Post("/backend-api/codex/responses", Bearer(login.access),
                   R"({"model":"gpt","stream":true,"input":[]})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_NE(r->body.find("event: response.created\n"), std::string::npos) << r->body;
  const size_t done = r->body.find("event: response.completed\ndata: {");
  ASSERT_NE(done, std::string::npos) << r->body;
  EXPECT_TRUE(r->body.ends_with("\n\n"));
  EXPECT_EQ(r->body.find("event:", done + 1), std::string::npos) << "completed must come last";

  auto denied = c->Post("/backend-api/codex/responses", Bearer("rt_not_an_access_token"), "{}",
                        "application/json");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
}

TEST(RealClients, IdTokenCarriesTheUserClaimsCodexRecoveryNeeds) {
  TestServer s(OpenAi());
  auto c = s.Client();
  const Login login = MintLogin(*c);
  const size_t a = login.id_token.find('.');
  const size_t b = login.id_token.rfind('.');
  ASSERT_LT(a, b);
  const std::optional<std::string> claims =
      Base64UrlDecode(login.id_token.substr(a + 1, b - a - 1));
  ASSERT_TRUE(claims);
  const std::string auth = JsonField(*claims, "https://api.openai.com/auth");
  for (const char* key :
       {"chatgpt_account_id", "chatgpt_plan_type", "chatgpt_user_id", "user_id"}) {
    EXPECT_FALSE(JsonField(auth, key).empty()) << key << " in " << *claims;
  }
  EXPECT_EQ(JsonField(auth, "chatgpt_user_id"), JsonField(auth, "user_id"));
}

TEST(RealClients, ClaudeSizedMessageBodiesStreamWhileOAuthBodiesStaySmall) {
  TestServer s;
  auto c = s.Client();
  const Login login = MintLogin(*c);
  // ~100 KB, above the 64 KiB OAuth limit, as Claude Code's ~76 KB requests are.
  const std::string padding(100 * 1024, 'x');
  const std::string message = R"({"model":"claude","stream":true,"system":")" + padding + R"("})";
  auto r = c->Post("/v1/messages", Bearer(login.access), message, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_NE(r->body.find("event: message_start\n"), std::string::npos);
  EXPECT_TRUE(r->body.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));

  auto plain =
      c->Post("/v1/messages", Bearer(login.access), R"({"model":"claude"})", "application/json");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
  EXPECT_EQ(JsonField(plain->body, "type"), "message");

  auto token = c->Post("/v1/oauth/token", R"({"pad":")" + padding + R"("})", "application/json");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->status, 413);
  auto admin = c->Post("/admin/login", R"({"pad":")" + padding + R"("})", "application/json");
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 413);
}

TEST(RealClients, ProfileNamesTheAccountOfTheTokenAndItsSubscription) {
  TestServer s;
  auto c = s.Client();
  const Login login = MintLogin(*c);
  auto r = c->Get("/api/oauth/profile", Bearer(login.access));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(JsonField(r->body, "uuid", "account"), login.account_uuid);
  EXPECT_FALSE(login.account_uuid.empty());
  EXPECT_EQ(JsonField(r->body, "organization_type", "organization"), "claude_max");
  EXPECT_EQ(JsonField(r->body, "rate_limit_tier", "organization"), "default_claude_max_20x");
  auto denied = c->Get("/api/oauth/profile");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
}

// A client's 401 path is tested by a fault on the API: the provider's own 401 shape, once.
TEST(RealClients, ResourceFault401AnswersInTheProvidersShape) {
  TestServer s;
  auto c = s.Client();
  const Login login = MintLogin(*c);
  for (const char* rule : {R"({"endpoint":"resource","action":"status","status":401,"limit":1})",
                           R"({"endpoint":"token","action":"status","status":403,"limit":1})"}) {
    auto added = c->Post("/admin/faults", rule, "application/json");
    ASSERT_TRUE(added && added->status == 200) << rule;
  }
  auto refused = c->Post("/v1/messages", Bearer(login.access), "{}", "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(JsonField(refused->body, "type", "error"), "authentication_error") << refused->body;
  EXPECT_EQ(c->Post("/v1/messages", Bearer(login.access), "{}", "application/json")->status, 200);
  auto forbidden = c->Post("/v1/oauth/token", RefreshJson(login.refresh), "application/json");
  ASSERT_TRUE(forbidden);
  EXPECT_EQ(forbidden->status, 403);
  EXPECT_EQ(JsonField(forbidden->body, "error"), "invalid_request");
}

TEST(RealClients, UnservedCallsAre404AndLogged) {
  TestServer s(OpenAi());
  auto c = s.Client();
  auto r = c->Get("/backend-api/codex/models?client_version=0.169.0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  const std::string log = AdminLog(*c);
  EXPECT_NE(log.find(R"("path":"/backend-api/codex/models")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("endpoint":"other")"), std::string::npos) << log;
  EXPECT_EQ(log.find("client_version"), std::string::npos) << "the query is never logged";
}

TEST(RealClients, RevocationEndsTheFamilyAndAnswers200ForAnythingUnknown) {
  TestServer s(OpenAi());
  auto c = s.Client();
  const Login login = MintLogin(*c, "app_codex");
  // Codex's logout body (docs/REAL_CLIENTS.md#codex-endpoints).
  auto other = c->Post("/oauth/revoke",
                       R"({"token":")" + login.refresh +
                           R"(","token_type_hint":"refresh_token","client_id":"someone_else"})",
                       "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 401);
  EXPECT_EQ(JsonField(other->body, "error"), "invalid_client");
  EXPECT_EQ(c->Get("/v1/responses", Bearer(login.access))->status, 200) << "nothing revoked";

  auto r = c->Post("/oauth/revoke",
                   R"({"token":")" + login.refresh +
                       R"(","token_type_hint":"refresh_token","client_id":"app_codex"})",
                   "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(c->Get("/v1/responses", Bearer(login.access))->status, 401);
  auto refresh =
      c->Post("/oauth/token", RefreshJson(login.refresh, "app_codex"), "application/json");
  ASSERT_TRUE(refresh);
  EXPECT_EQ(refresh->status, 401);
  EXPECT_EQ(JsonField(refresh->body, "code", "error"), "refresh_token_invalidated");

  for (const std::string& again : {login.refresh, std::string("rt_never_issued")}) {
    auto twice = c->Post("/v1/oauth/revoke", "token=" + again, "application/x-www-form-urlencoded");
    ASSERT_TRUE(twice);
    EXPECT_EQ(twice->status, 200) << "RFC 7009 §2.2";
  }
  auto empty = c->Post("/oauth/revoke", "{}", "application/json");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
  const std::string log = AdminLog(*c);
  EXPECT_NE(log.find(R"("endpoint":"revoke")"), std::string::npos);
  EXPECT_NE(log.find(R"("outcome":"revoked")"), std::string::npos) << log;
  EXPECT_EQ(log.find(login.refresh), std::string::npos) << "labels only";
}

TEST(RealClients, DelayGrantHoldsBackOnlyTheWinnersAnswer) {
  TestServer s(OpenAi());
  auto c = s.Client();
  auto rule =
      c->Post("/admin/faults", R"({"endpoint":"token","action":"delay_grant","latency_ms":400})",
              "application/json");
  ASSERT_TRUE(rule);
  ASSERT_EQ(rule->status, 200) << rule->body;
  const Login login = MintLogin(*c);
  using Clock = std::chrono::steady_clock;
  const auto refresh = [&] {
    const Clock::time_point start = Clock::now();
    auto r = s.Client()->Post("/oauth/token", RefreshJson(login.refresh), "application/json");
    const int status = r ? r->status : 0;
    return std::pair{status, Clock::now() - start};
  };
  auto first = std::async(std::launch::async, refresh);
  auto second = std::async(std::launch::async, refresh);
  const auto [status_a, took_a] = first.get();
  const auto [status_b, took_b] = second.get();
  ASSERT_EQ((status_a == 200) + (status_b == 200), 1) << status_a << " " << status_b;
  // A lower bound only: sleeping guarantees it, whatever the machine's load.
  const auto winner_took = status_a == 200 ? took_a : took_b;
  EXPECT_GE(winner_took, std::chrono::milliseconds(400));
  const std::string log = AdminLog(*c);
  EXPECT_NE(log.find(R"("fault":"delay_grant:400")"), std::string::npos) << log;
  size_t marked = 0;
  for (size_t at = log.find("delay_grant:400"); at != std::string::npos;
       at = log.find("delay_grant:400", at + 1)) {
    ++marked;
  }
  EXPECT_EQ(marked, 1u) << "only the grant is held back: " << log;

  auto bad = c->Post("/admin/faults", R"({"endpoint":"token","action":"delay_grant"})",
                     "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << "a delay needs latency_ms";
}

}  // namespace
}  // namespace credsim::oauth::testing

namespace credsim::oauth::testing {
namespace {

// A harness gives each consumer process its own base URL, /as/<tag>, and the log says who sent
// what.
TEST(Harness, TaggedRoutesAttributeEveryRequest) {
  TestServer s;
  auto c = s.Client();
  const Login login = MintLogin(*c);
  auto r = c->Post("/as/worker-3/v1/oauth/token", RefreshJson(login.refresh), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  auto api = c->Post("/as/worker-4/v1/messages", Bearer(login.access), "{}", "application/json");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 200) << "an access token lives until it expires (no revoke on refresh)";
  const std::string log = AdminLog(*c);
  EXPECT_NE(log.find(R"("path":"/v1/oauth/token")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("tag":"worker-3")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("tag":"worker-4")"), std::string::npos) << log;
  EXPECT_EQ(log.find("/as/"), std::string::npos) << "paths are logged as routed";
  auto bad = c->Post("/as/bad tag/v1/oauth/token", RefreshJson(login.refresh), "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 404);
}

TEST(Harness, InspectNamesATokenByLabelAndState) {
  TestServer s;
  auto c = s.Client();
  const Login login = MintLogin(*c);
  const auto inspect = [&](const std::string& token) {
    auto r = c->Post("/admin/inspect", R"({"token":")" + token + R"("})", "application/json");
    EXPECT_TRUE(r && r->status == 200);
    EXPECT_EQ(r->body.find(token), std::string::npos) << "never the token text";
    return r ? r->body : "";
  };
  std::string first = inspect(login.refresh);
  EXPECT_EQ(JsonField(first, "label"), "fam1/rt1");
  EXPECT_EQ(JsonField(first, "state"), "live");
  EXPECT_EQ(JsonField(inspect(login.access), "state"), "live");
  EXPECT_EQ(JsonField(inspect(login.access), "kind"), "access");
  ASSERT_EQ(c->Post("/v1/oauth/token", RefreshJson(login.refresh), "application/json")->status,
            200);
  EXPECT_EQ(JsonField(inspect(login.refresh), "state"), "retired");
  EXPECT_EQ(JsonField(inspect("sk-ant-ort01-made-up"), "state"), "unknown");
  ASSERT_EQ(c->Post("/admin/families/1/revoke", "", "application/json")->status, 200);
  EXPECT_EQ(JsonField(inspect(login.refresh), "state"), "revoked");
  auto missing = c->Post("/admin/inspect", "{}", "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
}

}  // namespace
}  // namespace credsim::oauth::testing
