// A real server on an ephemeral loopback port, in-process, plus small JSON readers for answers.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <memory>
#include <string>

#include "fake_oauth_server/http_front.h"

namespace credsim::oauth::testing {

class TestServer {
 public:
  explicit TestServer(ServerOptions options = {}, uint64_t seed = 1)
      : server_(std::make_unique<OAuthHttpServer>(options, KeyFromSeed(seed), seed)) {
    std::string why;
    started_ = server_->StartInBackground(&why);
    EXPECT_TRUE(started_) << why;
  }
  ~TestServer() { server_->Stop(); }

  int port() const { return server_->port(); }
  std::unique_ptr<httplib::Client> Client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port());
    c->set_read_timeout(10, 0);
    c->set_connection_timeout(5, 0);
    return c;
  }
  OAuthHttpServer& server() { return *server_; }

 private:
  std::unique_ptr<OAuthHttpServer> server_;
  bool started_ = false;
};

// A top-level string (or, with `outer`, a string inside a top-level object) of a JSON body; "" if
// absent. Numbers come back as their text.
inline std::string JsonField(const std::string& body, const std::string& key,
                             const std::string& outer = "") {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return "<not json>";
  simdjson::dom::element v;
  if (!outer.empty()) {
    if (doc[outer].get(doc)) return "";
  }
  if (doc[key].get(v)) return "";
  std::string_view s;
  if (!v.get_string().get(s)) return std::string(s);
  return simdjson::to_string(v);
}

inline std::string LoginRefreshToken(httplib::Client& c, const std::string& body = "{}") {
  auto r = c.Post("/admin/login", body, "application/json");
  EXPECT_TRUE(r);
  if (!r) return "";
  EXPECT_EQ(r->status, 200) << r->body;
  return JsonField(r->body, "refresh_token");
}

// With a client_id, as every real client sends it (the anthropic personality requires one);
// /admin/login without a client_id makes a family any client may refresh.
inline std::string RefreshJson(const std::string& refresh_token,
                               const std::string& client_id = "credsim-test") {
  return R"({"grant_type":"refresh_token","refresh_token":")" + refresh_token +
         R"(","client_id":")" + client_id + R"("})";
}

}  // namespace credsim::oauth::testing
