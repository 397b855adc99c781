// One wire: the simulated server (World::ServeTokenRequest) and the HTTP server answer the same
// request, for the same authority state, with the same status and the same bytes. Both run the
// same request decoder and answer encoder (fake_oauth_server/wire.h); this test checks everything
// around them: the plumbing, the personality, the fault answers.
#include <gtest/gtest.h>

#include <regex>

#include "fake_oauth_server/tests/http_helpers.h"
#include "sim/choice.h"
#include "sim/trace.h"
#include "sim/world.h"

namespace credsim::sim {
namespace {

using oauth::testing::TestServer;

struct Answer {
  int status = 0;
  std::string body;
  std::string retry_after;  // "" when absent
};

// A simulated server in the state a fresh HTTP server is in: no family yet.
class SimServer {
 public:
  explicit SimServer(engine::Provider provider) {
    config_.provider = provider;
    config_.consumers = {{.name = "c"}};
    world_ = std::make_unique<World>(config_, choices_, trace_);
  }
  Answer Post(const std::string& path, const std::string& body, const std::string& type) {
    engine::HttpRequest request{"http://127.0.0.1" + path, type, body};
    engine::HttpResult r =
        world_->ServeTokenRequest(request, oauth::TokenRequest::kSequential, Owner::TheWorld());
    EXPECT_EQ(r.transport, engine::HttpResult::Transport::kResponse);
    Answer a{r.status, r.body, ""};
    if (r.retry_after_ms) a.retry_after = std::to_string(*r.retry_after_ms / 1000);
    return a;
  }
  World& world() { return *world_; }

 private:
  WorldConfig config_;
  PrngChoices choices_{1};
  Trace trace_;
  std::unique_ptr<World> world_;
};

// The simulated server's answer to `body` once a scripted event at t = 0 has been applied (the
// only consumer starts after the run ends, so nothing else reaches the server; the default
// Retry-After is 2 s).
Answer AfterScriptedEvent(EventKind kind, const std::string& body) {
  WorldConfig config;
  config.duration_ms = kSecondMs;
  config.consumers = {{.name = "c", .start_ms = kHourMs}};
  config.events = {{0, kind}};
  PrngChoices choices(1);
  Trace trace;
  World world(config, choices, trace);
  world.Run();
  const engine::HttpRequest request{"http://127.0.0.1/v1/oauth/token", "application/json", body};
  const engine::HttpResult r =
      world.ServeTokenRequest(request, oauth::TokenRequest::kSequential, Owner::TheWorld());
  Answer a{r.status, r.body, ""};
  if (r.retry_after_ms) a.retry_after = std::to_string(*r.retry_after_ms / 1000);
  return a;
}

Answer PostHttp(httplib::Client& c, const std::string& path, const std::string& body,
                const std::string& type) {
  auto r = c.Post(path, body, type);
  EXPECT_TRUE(r) << path;
  if (!r) return {};
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  return {r->status, r->body, r->get_header_value("Retry-After")};
}

void ExpectSame(const Answer& http, const Answer& sim, const std::string& what) {
  EXPECT_EQ(http.status, sim.status) << what;
  EXPECT_EQ(http.body, sim.body) << what;
  EXPECT_EQ(http.retry_after, sim.retry_after) << what;
}

struct Case {
  std::string what, path, body, type;
};

std::vector<Case> StatelessCases(const std::string& token_path, const std::string& client_id) {
  const std::string json = "application/json", form = "application/x-www-form-urlencoded";
  return {
      {"unknown refresh token (JSON)", token_path,
       R"({"grant_type":"refresh_token","refresh_token":"rt_nope","client_id":")" + client_id +
           R"("})",
       json},
      {"unknown refresh token (form)", token_path,
       "grant_type=refresh_token&refresh_token=nope&client_id=" + client_id, form},
      {"malformed JSON", token_path, R"({"grant_type":)", json},
      {"missing grant_type", token_path, R"({"refresh_token":"x"})", json},
      {"unsupported grant", token_path, R"({"grant_type":"password","username":"u"})", json},
      {"duplicate field", token_path,
       R"({"grant_type":"refresh_token","grant_type":"refresh_token"})", json},
      {"wrong media type", token_path, "grant_type=refresh_token", "text/plain"},
      {"the legacy endpoint", "/v1/oauth/legacy/token",
       "grant_type=refresh_token&refresh_token=x&client_id=" + client_id, form},
  };
}

TEST(WireParity, StatelessAnswersAreByteIdenticalForBothProviders) {
  for (const engine::Provider provider :
       {engine::Provider::kAnthropic, engine::Provider::kOpenAiCodex}) {
    oauth::ServerOptions options;
    options.authority.provider = provider == engine::Provider::kAnthropic
                                     ? oauth::Provider::kAnthropic
                                     : oauth::Provider::kOpenAi;
    TestServer http(options);
    auto c = http.Client();
    SimServer sim(provider);
    const std::string token_path(sim.world().authority().personality().token_paths[0]);
    for (const Case& k : StatelessCases(token_path, "credsim-test")) {
      if (k.path.find("legacy") != std::string::npos &&
          provider == engine::Provider::kOpenAiCodex) {
        continue;  // the legacy console endpoint is Anthropic's
      }
      ExpectSame(PostHttp(*c, k.path, k.body, k.type), sim.Post(k.path, k.body, k.type),
                 std::string(sim.world().authority().personality().name) + ": " + k.what);
    }
  }
}

// The same state on both sides: one login, one rotation; then the retired token again.
TEST(WireParity, ReuseOfARetiredTokenGetsTheSameBytes) {
  TestServer http;
  auto c = http.Client();
  const std::string rt = oauth::testing::LoginRefreshToken(*c);
  const std::string path = "/v1/oauth/token";
  ASSERT_EQ(PostHttp(*c, path, oauth::testing::RefreshJson(rt), "application/json").status, 200);
  const Answer http_reuse = PostHttp(*c, path, oauth::testing::RefreshJson(rt), "application/json");

  SimServer sim(engine::Provider::kAnthropic);
  const std::string sim_rt = sim.world().authority().Login({}, kEpochMs).tokens.refresh_token;
  const Answer first = sim.Post(path, oauth::testing::RefreshJson(sim_rt), "application/json");
  ASSERT_EQ(first.status, 200) << first.body;
  ExpectSame(http_reuse, sim.Post(path, oauth::testing::RefreshJson(sim_rt), "application/json"),
             "reused refresh token");
}

// A success carries tokens minted at each server's own time, so the bytes differ there and only
// there: with every token replaced by its kind, the answers are identical.
TEST(WireParity, SuccessAnswersDifferOnlyInTokenText) {
  const std::regex token(R"(("(access|refresh|id)_token":")[^"]+")");
  const auto normalized = [&](const std::string& body) {
    return std::regex_replace(body, token, "$1<$2>\"");
  };
  TestServer http;
  auto c = http.Client();
  const std::string rt = oauth::testing::LoginRefreshToken(*c);
  const Answer h =
      PostHttp(*c, "/v1/oauth/token", oauth::testing::RefreshJson(rt), "application/json");
  SimServer sim(engine::Provider::kAnthropic);
  const std::string sim_rt = sim.world().authority().Login({}, kEpochMs).tokens.refresh_token;
  const Answer s =
      sim.Post("/v1/oauth/token", oauth::testing::RefreshJson(sim_rt), "application/json");
  ASSERT_EQ(h.status, 200) << h.body;
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_NE(normalized(h.body), h.body) << "the pattern found the tokens";
  EXPECT_EQ(normalized(h.body), normalized(s.body));
}

// The provider's own 429 and 503, from an admin fault rule over HTTP and from the world's
// scripted faults.
TEST(WireParity, FaultAnswersAreTheProvidersOwn) {
  TestServer http;
  auto c = http.Client();
  ASSERT_EQ(c->Post("/admin/faults", R"({"action":"rate_limit","retry_after_s":2,"limit":1})",
                    "application/json")
                ->status,
            200);
  const std::string body = oauth::testing::RefreshJson("x");
  const Answer http_429 = PostHttp(*c, "/v1/oauth/token", body, "application/json");
  ASSERT_EQ(
      c->Post("/admin/faults", R"({"action":"status","status":503,"limit":1})", "application/json")
          ->status,
      200);
  const Answer http_503 = PostHttp(*c, "/v1/oauth/token", body, "application/json");

  EXPECT_EQ(http_429.status, 429);
  EXPECT_EQ(http_429.retry_after, "2");
  EXPECT_EQ(http_503.status, 503);
  ExpectSame(http_429, AfterScriptedEvent(EventKind::kRateLimitNext, body), "rate limited");
  ExpectSame(http_503, AfterScriptedEvent(EventKind::kServerDown, body), "server down");
}

}  // namespace
}  // namespace credsim::sim
