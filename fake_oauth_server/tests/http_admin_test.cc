// The admin API: faults (including a drop after the authority committed), clock, log redaction,
// family revocation, state.
#include "fake_oauth_server/tests/http_helpers.h"

namespace credsim::oauth {
namespace {

using testing::JsonField;
using testing::LoginRefreshToken;
using testing::RefreshJson;
using testing::TestServer;

std::string CurrentGeneration(httplib::Client& c, int family) {
  auto r = c.Get("/admin/families/" + std::to_string(family));
  return r ? JsonField(r->body, "generation") : "";
}

TEST(HttpFaults, StatusFaultLimitedByCount) {
  TestServer s;
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  auto add = c->Post(
      "/admin/faults",
      R"({"endpoint":"token","grant":"refresh_token","action":"status","status":503,"limit":1})",
      "application/json");
  ASSERT_EQ(add->status, 200) << add->body;
  auto first = c->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
  EXPECT_EQ(first->status, 503);
  auto second = c->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
  EXPECT_EQ(second->status, 200);  // the fault fired once and the token was not consumed by it
}

TEST(HttpFaults, RateLimitCarriesRetryAfter) {
  TestServer s;
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  c->Post("/admin/faults", R"({"action":"rate_limit","retry_after_s":7,"limit":1})",
          "application/json");
  auto r = c->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->get_header_value("Retry-After"), "7");
}

TEST(HttpFaults, DropBeforeCommitLeavesTheTokenUsable) {
  TestServer s;
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  c->Post("/admin/faults", R"({"action":"drop_before_commit","limit":1})", "application/json");
  auto dropped = s.Client()->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
  EXPECT_FALSE(dropped);  // no response at all
  EXPECT_EQ(CurrentGeneration(*c, 1), "1");
  auto retry = c->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
  EXPECT_EQ(retry->status, 200);
}

TEST(HttpFaults, DropAfterCommitRotatesButTheClientNeverHears) {
  TestServer s;
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  c->Post("/admin/faults", R"({"action":"drop_after_commit","grant":"refresh_token","limit":1})",
          "application/json");
  auto dropped = s.Client()->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
  EXPECT_FALSE(dropped);
  EXPECT_EQ(CurrentGeneration(*c, 1), "2");  // the authority committed the rotation
  // The client retries with the token it still has: that token is now retired.
  auto retry = c->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
  EXPECT_EQ(retry->status, 400);
  EXPECT_EQ(JsonField(retry->body, "error"), "invalid_grant");
  auto log = c->Get("/admin/log");
  EXPECT_NE(log->body.find(R"("outcome":"issued","family_id":1,"presented_generation":1,)"
                           R"("generation":2,"token":"fam1/rt1","fault":"drop_after_commit")"),
            std::string::npos)
      << log->body;
}

TEST(HttpFaults, LatencyIsAppliedAndLogged) {
  TestServer s;
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  c->Post("/admin/faults", R"({"action":"latency","latency_ms":20,"limit":1})", "application/json");
  EXPECT_EQ(c->Post("/v1/oauth/token", RefreshJson(rt), "application/json")->status, 200);
  EXPECT_NE(c->Get("/admin/log")->body.find(R"("fault":"latency:20")"), std::string::npos);
}

TEST(HttpFaults, InvalidRulesAreRefusedAndRulesCanBeListedAndCleared) {
  TestServer s;
  auto c = s.Client();
  EXPECT_EQ(c->Post("/admin/faults", R"({"action":"explode"})", "application/json")->status, 400);
  EXPECT_EQ(c->Post("/admin/faults", R"({"action":"status","probability":2})", "application/json")
                ->status,
            400);
  EXPECT_EQ(
      c->Post("/admin/faults", R"({"action":"status","bogus":1})", "application/json")->status,
      400);
  auto ok = c->Post(
      "/admin/faults",
      R"([{"action":"status","status":500,"probability":0.5},{"action":"latency","latency_ms":1}])",
      "application/json");
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(ok->body, R"({"ids":[1,2]})");
  EXPECT_NE(c->Get("/admin/faults")->body.find(R"("probability_ppm":500000)"), std::string::npos);
  EXPECT_EQ(c->Delete("/admin/faults")->status, 200);
  EXPECT_EQ(c->Get("/admin/faults")->body, R"({"rules":[]})");
}

TEST(HttpAdmin, ClockOnlyMovesForward) {
  TestServer s;
  auto c = s.Client();
  EXPECT_EQ(c->Post("/admin/clock", R"({"advance_ms":-5})", "application/json")->status, 400);
  EXPECT_EQ(c->Post("/admin/clock", R"({"advance_ms":"x"})", "application/json")->status, 400);
  auto r = c->Post("/admin/clock", R"({"advance_ms":1000})", "application/json");
  EXPECT_EQ(JsonField(r->body, "offset_ms"), "1000");
}

TEST(HttpAdmin, LogEventsAndStateNeverContainTokenText) {
  TestServer s;
  auto c = s.Client();
  auto login = c->Post("/admin/login", "{}", "application/json");
  std::vector<std::string> secrets = {JsonField(login->body, "access_token"),
                                      JsonField(login->body, "refresh_token")};
  std::string rt = secrets.back();
  for (int i = 0; i < 3; ++i) {
    auto r = c->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
    secrets.push_back(JsonField(r->body, "access_token"));
    rt = JsonField(r->body, "refresh_token");
    secrets.push_back(rt);
  }
  c->Post("/v1/oauth/token", RefreshJson(secrets[1]), "application/json");  // a reuse
  c->Post("/v1/messages", {{"Authorization", "Bearer " + secrets[0]}}, "{}", "application/json");
  // A client that puts a token in the query string does not get it logged either.
  c->Post("/v1/oauth/token?refresh_token=" + rt, RefreshJson(rt), "application/json");
  const std::string log = c->Get("/admin/log")->body;
  const std::string events = c->Get("/admin/events")->body;
  const std::string state = c->Get("/admin/state")->body;
  for (const std::string& secret : secrets) {
    ASSERT_GT(secret.size(), 20u);
    // Any 16-character window of a token would do as a leak; check the distinctive tail.
    const std::string tail = secret.substr(secret.size() - 16);
    EXPECT_EQ(log.find(tail), std::string::npos);
    EXPECT_EQ(events.find(tail), std::string::npos);
    EXPECT_EQ(state.find(tail), std::string::npos);
  }
  EXPECT_NE(log.find(R"("outcome":"reused_retired_token")"), std::string::npos);
  EXPECT_NE(log.find(R"("token":"fam1/rt1")"), std::string::npos);
  EXPECT_NE(events.find(R"("token":"fam1/at1")"), std::string::npos);
}

TEST(HttpAdmin, RevokeFamily) {
  TestServer s;
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  EXPECT_EQ(c->Post("/admin/families/1/revoke", "", "application/json")->status, 200);
  EXPECT_EQ(c->Post("/admin/families/1/revoke", "", "application/json")->status, 404);
  auto r = c->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(JsonField(r->body, "error"), "invalid_grant");
  EXPECT_EQ(JsonField(c->Get("/admin/families/1")->body, "fate"), "revoked");
  EXPECT_NE(c->Get("/admin/state")->body.find(R"("families_revoked":1)"), std::string::npos);
}

TEST(HttpAdmin, CanBeTurnedOff) {
  ServerOptions o;
  o.admin = false;
  TestServer s(o);
  EXPECT_EQ(s.Client()->Get("/admin/state")->status, 404);
}

}  // namespace
}  // namespace credsim::oauth
