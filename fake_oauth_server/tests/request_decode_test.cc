#include "fake_oauth_server/request_decode.h"

#include <gtest/gtest.h>

namespace credsim::oauth {
namespace {

TEST(RequestDecode, JsonWithUnknownFieldsIgnored) {
  const DecodedTokenRequest d = DecodeTokenRequest(
      "application/json; charset=utf-8",
      R"({"client_id":"c","grant_type":"refresh_token","refresh_reason":"scheduled",)"
      R"("extra":{"a":[1]},"refresh_token":"r"})");
  ASSERT_TRUE(d.ok) << d.error_description;
  EXPECT_EQ(d.kind, BodyKind::kJson);
  EXPECT_EQ(d.request.grant_type, GrantType::kRefreshToken);
  EXPECT_EQ(d.request.refresh_token, "r");
  EXPECT_EQ(d.request.client_id, "c");
}

TEST(RequestDecode, FormPercentAndPlus) {
  const DecodedTokenRequest d = DecodeTokenRequest(
      "Application/X-WWW-Form-Urlencoded",
      "grant_type=refresh_token&refresh_token=a%2Bb&scope=user%3Ainference+user%3Aprofile&&x");
  ASSERT_TRUE(d.ok) << d.error_description;
  EXPECT_EQ(d.request.refresh_token, "a+b");
  EXPECT_EQ(d.request.scope, "user:inference user:profile");
}

TEST(RequestDecode, Refusals) {
  EXPECT_FALSE(DecodeTokenRequest("text/plain", "grant_type=x").ok);
  EXPECT_FALSE(DecodeTokenRequest("", "grant_type=x").ok);
  EXPECT_FALSE(DecodeTokenRequest("application/json", "").ok);
  EXPECT_FALSE(DecodeTokenRequest("application/json", "[1]").ok);
  EXPECT_FALSE(DecodeTokenRequest("application/json", R"({"code":5})").ok);
  EXPECT_FALSE(DecodeTokenRequest("application/json", R"({"code":"a","code":"a"})").ok);
  EXPECT_FALSE(DecodeTokenRequest("application/json", R"({"code":"a\nb"})").ok);
  EXPECT_FALSE(
      DecodeTokenRequest("application/json", "{\"code\":\"" + std::string(5000, 'a') + "\"}").ok);
  EXPECT_FALSE(DecodeTokenRequest("application/x-www-form-urlencoded", "code=%4").ok);
  std::string many;
  for (int i = 0; i < 100; ++i) many += "k" + std::to_string(i) + "=v&";
  EXPECT_FALSE(DecodeTokenRequest("application/x-www-form-urlencoded", many).ok);
}

TEST(RequestDecode, UnknownGrantTypeIsKeptForTheAuthorityToRefuse) {
  const DecodedTokenRequest d =
      DecodeTokenRequest("application/json", R"({"grant_type":"client_credentials"})");
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.request.grant_type, GrantType::kOther);
}

TEST(RequestDecode, FlatFields) {
  std::string why;
  auto f = DecodeFlatFields(BodyKind::kJson, R"({"a":"x","n":5,"p":0.25,"b":true})", &why);
  ASSERT_TRUE(f.has_value()) << why;
  EXPECT_EQ(f->at("a"), "x");
  EXPECT_EQ(f->at("n"), "5");
  EXPECT_EQ(f->at("p"), "0.25");
  EXPECT_EQ(f->at("b"), "true");
  EXPECT_FALSE(DecodeFlatFields(BodyKind::kJson, R"({"a":[1]})", &why).has_value());
  EXPECT_FALSE(DecodeFlatArray(R"([{"a":1},2])", &why).has_value());
}

TEST(UrlEscape, RoundTripsThroughFormUnescape) {
  const std::string s = "a b&c=d/é%";
  EXPECT_EQ(FormUnescape(UrlEscape(s)), s);
  EXPECT_EQ(UrlEscape("a b"), "a%20b");
}

}  // namespace
}  // namespace credsim::oauth
