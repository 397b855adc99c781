// Hostile bytes on the socket: the server answers or closes, never crashes, never changes state.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fake_oauth_server/tests/http_helpers.h"

namespace credsim::oauth {
namespace {

using testing::JsonField;
using testing::LoginRefreshToken;
using testing::RefreshJson;
using testing::TestServer;

// A raw TCP connection with a receive timeout as a safety net (not an assertion on timing).
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{20, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawConnection() { close(fd_); }
  bool connected() const { return connected_; }
  void Send(std::string_view bytes) { (void)!send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
  // Everything until the server closes (or the safety timeout); `closed` says which.
  std::string ReadUntilClosed(bool* closed) {
    std::string out;
    char buf[4096];
    for (int i = 0; i < 10000; ++i) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        continue;
      }
      *closed = n == 0 || errno == ECONNRESET;
      return out;
    }
    *closed = false;
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

ServerOptions FastTimeouts() {
  ServerOptions o;
  o.read_timeout_ms = 200;
  o.keep_alive_timeout_ms = 1000;
  return o;
}

std::string StateCommitSeq(httplib::Client& c) {
  return JsonField(c.Get("/admin/state")->body, "commit_seq");
}

TEST(HttpBadInput, MalformedJsonBodies) {
  TestServer s;
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  const std::string before = StateCommitSeq(*c);
  const std::string bodies[] = {
      "{",
      "\"refresh_token\"",
      "null",
      R"({"grant_type":1,"refresh_token":"x"})",
      R"({"grant_type":"refresh_token","refresh_token":{"a":1}})",
      R"({"grant_type":"refresh_token","grant_type":"refresh_token","refresh_token":"x"})",
      R"({"grant_type":"refresh_token","refresh_token":"x"} trailing)",
      R"({"grant_type":"refresh_token","refresh_token":"a\u0000b"})",
      std::string("{\"grant_type\":\"refresh_token\",\"refresh_token\":\"a\0b\"}", 47),
      std::string("\0\0\0\0", 4),
      "\xff\xfe{}",
  };
  for (const std::string& body : bodies) {
    auto r = c->Post("/v1/oauth/token", body, "application/json");
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->status, 400) << body << " -> " << r->body;
    EXPECT_EQ(JsonField(r->body, "error"), "invalid_request") << body;
  }
  EXPECT_EQ(StateCommitSeq(*c), before);
  EXPECT_EQ(c->Post("/v1/oauth/token", RefreshJson(rt), "application/json")->status, 200);
}

TEST(HttpBadInput, MalformedFormBodies) {
  TestServer s;
  auto c = s.Client();
  for (const std::string body : {"grant_type=refresh_token&refresh_token=a%00b",
                                 "grant_type=refresh_token&refresh_token=%zz",
                                 "grant_type=refresh_token&refresh_token=a&refresh_token=b"}) {
    auto r = c->Post("/v1/oauth/token", body, "application/x-www-form-urlencoded");
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->status, 400) << body;
    EXPECT_EQ(JsonField(r->body, "error"), "invalid_request") << body;
  }
}

TEST(HttpBadInput, EightMebibyteBodyIs413) {
  TestServer s;
  auto c = s.Client();
  const std::string huge(8u << 20, 'a');
  auto r = c->Post("/v1/oauth/token", huge, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(JsonField(r->body, "error"), "invalid_request");
  EXPECT_EQ(s.Client()->Get("/admin/state")->status, 200);
}

TEST(HttpBadInput, PartialRequestsAreClosedByTheReadTimeout) {
  TestServer s(FastTimeouts());
  for (const char* partial : {"POST /v1/oauth/token HTTP/1.1\r\nHost: x\r\nContent-Le",
                              "POST /v1/oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                              "Content-Type: application/json\r\n\r\n{\"grant"}) {
    RawConnection conn(s.port());
    ASSERT_TRUE(conn.connected());
    conn.Send(partial);
    bool closed = false;
    conn.ReadUntilClosed(&closed);
    EXPECT_TRUE(closed) << partial;
  }
  EXPECT_EQ(s.Client()->Get("/admin/state")->status, 200);
}

// RFC 9112 §6.3: no Content-Length and no Transfer-Encoding means an empty body, as `curl -X POST
// URL` sends it; the admin routes take an empty body as "all defaults".
TEST(HttpBadInput, PostWithoutContentLengthHasAnEmptyBody) {
  TestServer s;
  for (const char* request : {"POST /admin/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                              "POST /admin/families/1/revoke HTTP/1.1\r\nHost: x\r\n"
                              "Connection: close\r\n\r\n"}) {
    RawConnection conn(s.port());
    ASSERT_TRUE(conn.connected());
    conn.Send(request);
    bool closed = false;
    const std::string answer = conn.ReadUntilClosed(&closed);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 ")) << request << answer;
  }
}

TEST(HttpBadInput, NonHttpBytesNeverCrashTheServer) {
  TestServer s(FastTimeouts());
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245 + 12345;
    garbage += static_cast<char>(x >> 24);
  }
  for (const std::string& bytes :
       {garbage, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS hello
        std::string("GET / HTTP/9.9\r\n\r\n"), std::string(20000, 'A') + "\r\n\r\n",
        std::string("POST /v1/oauth/token HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
        std::string("POST /v1/oauth/token HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    RawConnection conn(s.port());
    ASSERT_TRUE(conn.connected());
    conn.Send(bytes);
    bool closed = false;
    const std::string answer = conn.ReadUntilClosed(&closed);
    EXPECT_TRUE(closed);
    if (!answer.empty()) {
      EXPECT_TRUE(answer.starts_with("HTTP/1.1 4")) << answer.substr(0, 40);
    }
  }
  auto c = s.Client();
  const std::string rt = LoginRefreshToken(*c);
  EXPECT_EQ(c->Post("/v1/oauth/token", RefreshJson(rt), "application/json")->status, 200);
}

}  // namespace
}  // namespace credsim::oauth
