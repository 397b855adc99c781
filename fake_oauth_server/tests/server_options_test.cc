#include "fake_oauth_server/server_options.h"

#include <gtest/gtest.h>

#include "fake_oauth_server/duration.h"

namespace credsim::oauth {
namespace {

TEST(Duration, UnitsAndRefusals) {
  EXPECT_EQ(ParseDurationMs("500ms"), 500);
  EXPECT_EQ(ParseDurationMs("10s"), 10000);
  EXPECT_EQ(ParseDurationMs("5m"), 300000);
  EXPECT_EQ(ParseDurationMs("8h"), 28800000);
  EXPECT_EQ(ParseDurationMs("30d"), int64_t{30} * 86400000);
  EXPECT_EQ(ParseDurationMs("0"), 0);
  EXPECT_FALSE(ParseDurationMs("3600").has_value());  // a bare number is ambiguous
  EXPECT_FALSE(ParseDurationMs("h").has_value());
  EXPECT_FALSE(ParseDurationMs("5w").has_value());
  EXPECT_FALSE(ParseDurationMs("-5s").has_value());
  EXPECT_FALSE(ParseDurationMs("99999999999d").has_value());
}

TEST(ServerArgs, AllFlags) {
  const ParsedArgs p = ParseServerArgs({"--host",
                                        "127.0.0.1",
                                        "--port",
                                        "0",
                                        "--provider",
                                        "openai",
                                        "--access-ttl",
                                        "30m",
                                        "--refresh-ttl",
                                        "7d",
                                        "--reuse-policy",
                                        "grace:2000",
                                        "--race-policy",
                                        "lenient",
                                        "--seed",
                                        "42",
                                        "--revoke-access-on-refresh",
                                        "--www-authenticate",
                                        "--legacy-endpoint",
                                        "none",
                                        "--client-id",
                                        "a",
                                        "--max-body",
                                        "1024",
                                        "--read-timeout",
                                        "500ms",
                                        "--workers",
                                        "4"});
  ASSERT_TRUE(p.options.has_value()) << p.error;
  const ServerOptions& o = *p.options;
  EXPECT_EQ(o.authority.provider, Provider::kOpenAi);
  EXPECT_EQ(o.authority.access_ttl_ms, 30 * 60000);
  EXPECT_EQ(o.authority.refresh_ttl_ms, 7 * 86400000);
  EXPECT_EQ(o.authority.reuse.kind, ReuseKind::kGrace);
  EXPECT_EQ(o.authority.reuse.grace_ms, 2000);
  EXPECT_EQ(o.authority.race, RacePolicy::kLenient);
  EXPECT_EQ(o.seed, 42u);
  EXPECT_TRUE(o.authority.revoke_access_on_refresh);
  EXPECT_TRUE(o.www_authenticate);
  EXPECT_EQ(o.legacy_path, "");
  EXPECT_EQ(o.authority.allowed_client_ids, std::vector<std::string>{"a"});
  EXPECT_EQ(o.max_body_bytes, 1024u);
  EXPECT_EQ(o.read_timeout_ms, 500);
  EXPECT_EQ(o.workers, 4);
}

TEST(ServerArgs, BadUsageHasAClearMessage) {
  EXPECT_NE(ParseServerArgs({"--port", "70000"}).error.find("--port"), std::string::npos);
  EXPECT_NE(ParseServerArgs({"--access-ttl", "3600"}).error.find("unit"), std::string::npos);
  EXPECT_NE(ParseServerArgs({"--provider", "google"}).error.find("anthropic"), std::string::npos);
  EXPECT_NE(ParseServerArgs({"--reuse-policy"}).error.find("--reuse-policy"), std::string::npos);
  EXPECT_NE(ParseServerArgs({"--frobnicate"}).error.find("unknown option"), std::string::npos);
  EXPECT_TRUE(ParseServerArgs({"--help"}).help);
}

TEST(ServerArgs, ProxyFlags) {
  const ParsedArgs off = ParseServerArgs({});
  ASSERT_TRUE(off.options.has_value());
  EXPECT_FALSE(off.options->proxy_port.has_value());
  EXPECT_EQ(off.options->proxy_hosts, DefaultProxyHosts());
  EXPECT_EQ(DefaultProxyHosts(),
            (std::vector<std::string>{"platform.claude.com", "api.anthropic.com",
                                      "console.anthropic.com", "claude.ai"}));

  const ParsedArgs on = ParseServerArgs({"--proxy-port", "0", "--proxy-ca-out", "/tmp/ca.pem"});
  ASSERT_TRUE(on.options.has_value()) << on.error;
  EXPECT_EQ(on.options->proxy_port, 0);
  EXPECT_EQ(on.options->proxy_ca_out, "/tmp/ca.pem");
  EXPECT_EQ(on.options->proxy_hosts, DefaultProxyHosts());

  // The first --proxy-host replaces the defaults, later ones add to it.
  const ParsedArgs hosts = ParseServerArgs({"--proxy-port", "8443", "--proxy-ca-out", "ca.pem",
                                            "--proxy-host", "a.example", "--proxy-host", "b.test"});
  ASSERT_TRUE(hosts.options.has_value()) << hosts.error;
  EXPECT_EQ(hosts.options->proxy_port, 8443);
  EXPECT_EQ(hosts.options->proxy_hosts, (std::vector<std::string>{"a.example", "b.test"}));
}

TEST(ServerArgs, ProxyBadUsage) {
  const auto error = [](std::vector<std::string> args) { return ParseServerArgs(args).error; };
  EXPECT_NE(error({"--proxy-port", "0"}).find("--proxy-ca-out"), std::string::npos);
  EXPECT_NE(error({"--proxy-port", "65536", "--proxy-ca-out", "x"}).find("--proxy-port"),
            std::string::npos);
  EXPECT_NE(error({"--proxy-port"}).find("--proxy-port"), std::string::npos);
  EXPECT_NE(error({"--proxy-port", "0", "--proxy-ca-out"}).find("--proxy-ca-out"),
            std::string::npos);
  EXPECT_NE(error({"--proxy-ca-out", "x"}).find("need --proxy-port"), std::string::npos);
  EXPECT_NE(error({"--proxy-host", "a.example"}).find("need --proxy-port"), std::string::npos);
  for (const char* bad : {"", "Upper.example", "a,DNS:b", "a..b", "*.example"}) {
    EXPECT_NE(error({"--proxy-port", "0", "--proxy-ca-out", "x", "--proxy-host", bad})
                  .find("--proxy-host"),
              std::string::npos)
        << bad;
  }
  EXPECT_NE(error({"--host", "10.0.0.1", "--proxy-port", "0", "--proxy-ca-out", "x"})
                .find("--host 127.0.0.1"),
            std::string::npos);
}

}  // namespace
}  // namespace credsim::oauth
