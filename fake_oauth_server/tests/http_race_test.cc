// 64 threads present one refresh token at once: exactly one gets 200, whatever the policies;
// and what the race policy makes of the 63 losers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
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

// One HTTP/1.1 exchange on a socket connected ahead of time. cpp-httplib's client connects only
// when it sends, so a race of httplib clients mixes connection set-up into the race; here every
// connection is open (and accepted by the server) before any request is sent, so all 64 requests
// are in flight when the winner's rotation commits, however few workers serve them.
class PreconnectedSocket {
 public:
  explicit PreconnectedSocket(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{.tv_sec = 10, .tv_usec = 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    connected_ = connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
  }
  ~PreconnectedSocket() { close(fd_); }
  PreconnectedSocket(const PreconnectedSocket&) = delete;
  PreconnectedSocket& operator=(const PreconnectedSocket&) = delete;
  bool connected() const { return connected_; }

  // POSTs a JSON body with Connection: close; returns the status (0 if none) and the body.
  std::pair<int, std::string> PostJson(const std::string& path, const std::string& body) {
    const std::string request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                                "Content-Type: application/json\r\nConnection: close\r\n" +
                                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                                body;
    if (send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
      return {0, "send failed"};
    }
    std::string answer;
    char buf[4096];
    // Bounded by the 10 s receive timeout per read and 1 MiB in all.
    while (answer.size() < (1u << 20)) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      answer.append(buf, static_cast<size_t>(n));
    }
    const size_t head_end = answer.find("\r\n\r\n");
    if (answer.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return {0, answer};
    return {std::atoi(answer.c_str() + 9), answer.substr(head_end + 4)};
  }

 private:
  int fd_;
  bool connected_ = false;
};

struct PreconnectedRaceResult {
  RaceResult counts;
  std::string winner_body;
};

PreconnectedRaceResult PreconnectedRace(TestServer& s, const std::string& rt) {
  constexpr int kThreads = 64;
  std::vector<std::unique_ptr<PreconnectedSocket>> sockets;
  for (int i = 0; i < kThreads; ++i) {
    sockets.push_back(std::make_unique<PreconnectedSocket>(s.port()));
    EXPECT_TRUE(sockets.back()->connected());
  }
  // The server's accept loop takes a connection in microseconds; give it ample time to take all
  // 64 (well inside the 2 s keep-alive wait for a first request).
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::barrier start(kThreads);
  std::mutex mu;
  PreconnectedRaceResult result;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      const auto [status, body] = sockets[i]->PostJson("/v1/oauth/token", RefreshJson(rt));
      std::lock_guard<std::mutex> lock(mu);
      if (status == 200) {
        ++result.counts.ok;
        result.winner_body = body;
      } else if (status == 400 && JsonField(body, "error") == "invalid_grant") {
        ++result.counts.invalid_grant;
      } else {
        ADD_FAILURE() << status << " " << body;
        ++result.counts.other;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return result;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) {
    ++n;
  }
  return n;
}

// Regression: the request was stamped when its handler started, after queueing behind the 8
// workers, so most losers of a 64-way race looked sequential and revoked the family even under
// the lenient policy.
TEST(HttpRaceLenient, TheWinnersTokenSurvivesUnderRevokeFamily) {
  ServerOptions o;
  o.authority.reuse = *ParseReusePolicy("revoke-family");
  o.authority.race = RacePolicy::kLenient;
  TestServer s(o);
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  const PreconnectedRaceResult race = PreconnectedRace(s, rt);
  ASSERT_EQ(race.counts.ok, 1);
  EXPECT_EQ(race.counts.invalid_grant, 63);
  // Every loser was in flight during the winner's rotation: race_loser, family kept.
  const std::string log = c->Get("/admin/log?limit=10000")->body;
  EXPECT_EQ(Count(log, "\"race_loser\""), 63u);
  EXPECT_EQ(Count(log, "\"reused_retired_token\""), 0u);
  EXPECT_EQ(JsonField(c->Get("/admin/families/1")->body, "fate"), "live");
  // The winner's new refresh token still works.
  const std::string next = JsonField(race.winner_body, "refresh_token");
  ASSERT_FALSE(next.empty()) << race.winner_body;
  auto r = c->Post("/v1/oauth/token", RefreshJson(next), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST(HttpRaceStrict, TheWinnersTokenDiesUnderRevokeFamily) {
  ServerOptions o;
  o.authority.reuse = *ParseReusePolicy("revoke-family");
  o.authority.race = RacePolicy::kStrict;
  TestServer s(o);
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  const PreconnectedRaceResult race = PreconnectedRace(s, rt);
  ASSERT_EQ(race.counts.ok, 1);
  EXPECT_EQ(race.counts.invalid_grant, 63);
  EXPECT_EQ(JsonField(c->Get("/admin/families/1")->body, "fate"), "revoked");
  const std::string next = JsonField(race.winner_body, "refresh_token");
  ASSERT_FALSE(next.empty()) << race.winner_body;
  auto r = c->Post("/v1/oauth/token", RefreshJson(next), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(JsonField(r->body, "error"), "invalid_grant");
}

}  // namespace
}  // namespace credsim::oauth
