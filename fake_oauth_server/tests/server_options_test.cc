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

}  // namespace
}  // namespace credsim::oauth
