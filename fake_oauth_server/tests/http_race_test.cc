// 64 threads present one refresh token at once: exactly one gets 200, whatever the policies.
#include <atomic>
#include <barrier>
#include <thread>
#include <vector>

#include "fake_oauth_server/tests/http_helpers.h"

namespace credsim::oauth {
namespace {

using testing::JsonField;
using testing::LoginRefreshToken;
using testing::RefreshJson;
using testing::TestServer;

struct RaceResult {
  int ok = 0;
  int invalid_grant = 0;
  int other = 0;
};

RaceResult Race(TestServer& s, const std::string& rt) {
  constexpr int kThreads = 64;
  std::barrier start(kThreads);
  std::atomic<int> ok{0}, invalid{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      auto c = s.Client();
      c->set_keep_alive(false);
      start.arrive_and_wait();
      auto r = c->Post("/v1/oauth/token", RefreshJson(rt), "application/json");
      if (r && r->status == 200) {
        ++ok;
      } else if (r && r->status == 400 && JsonField(r->body, "error") == "invalid_grant") {
        ++invalid;
      } else {
        if (!r)
          ADD_FAILURE() << "no response: " << httplib::to_string(r.error());
        else
          ADD_FAILURE() << r->status << " " << r->body;
        ++other;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return {ok.load(), invalid.load(), other.load()};
}

class HttpRace : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(HttpRace, ExactlyOneWinner) {
  ServerOptions o;
  o.authority.reuse = *ParseReusePolicy(GetParam().first);
  o.authority.race = *ParseRacePolicy(GetParam().second);
  TestServer s(o);
  auto c = s.Client();
  for (int round = 0; round < 3; ++round) {
    const std::string rt = LoginRefreshToken(*c);
    const RaceResult r = Race(s, rt);
    EXPECT_EQ(r.ok, 1);
    EXPECT_EQ(r.invalid_grant, 63);
    EXPECT_EQ(r.other, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Policies, HttpRace,
                         ::testing::Values(std::pair{"reject", "strict"},
                                           std::pair{"reject", "lenient"},
                                           std::pair{"revoke-family", "strict"},
                                           std::pair{"revoke-family", "lenient"}));

TEST(HttpRaceLenient, TheWinnersTokenSurvivesUnderRevokeFamily) {
  ServerOptions o;
  o.authority.reuse = *ParseReusePolicy("revoke-family");
  o.authority.race = RacePolicy::kLenient;
  TestServer s(o);
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  ASSERT_EQ(Race(s, rt).ok, 1);
  // Losers were either in flight (race_loser: family kept) or arrived after the commit (reuse:
  // family revoked); the log says which, and the family's fate must agree with it.
  const std::string log = c->Get("/admin/log?limit=10000")->body;
  const bool any_reuse = log.find("reused_retired_token") != std::string::npos;
  const std::string fate = JsonField(c->Get("/admin/families/1")->body, "fate");
  EXPECT_EQ(fate, any_reuse ? "revoked" : "live");
}

}  // namespace
}  // namespace credsim::oauth
