// Token endpoint answers: RFC 6749 success and errors, OpenAI's nested errors, non-JSON bodies.
#include "engine/formats/token_response.h"

#include <gtest/gtest.h>

#include "engine/formats/test_support.h"

namespace credsim::formats {
namespace {

TEST(TokenResponse, ReadsTheAnthropicGrant) {
  const Result<TokenResponse> r =
      ParseTokenResponse(200, testing::ReadTestdata("token-response-anthropic.json"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const TokenGrant& grant = std::get<TokenGrant>(r.value());
  EXPECT_EQ(grant.access_token, "sk-ant-oat01-EXAMPLE-access-0004");
  EXPECT_EQ(grant.refresh_token, "sk-ant-ort01-EXAMPLE-refresh-0004");
  EXPECT_EQ(grant.expires_in_s, 28800);
  EXPECT_EQ(grant.token_type, "Bearer");
  EXPECT_EQ(grant.scope, "user:inference user:profile");
  EXPECT_EQ(grant.id_token, std::nullopt);
}

TEST(TokenResponse, GrantWithoutRefreshTokenKeepsTheOldOne) {
  const Result<TokenResponse> r =
      ParseTokenResponse(200, R"({"access_token": "a", "expires_in": "3600"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<TokenGrant>(r.value()).refresh_token, std::nullopt);
  EXPECT_EQ(std::get<TokenGrant>(r.value()).expires_in_s, 3600);
}

TEST(TokenResponse, ReadsRfc6749InvalidGrant) {
  const Result<TokenResponse> r =
      ParseTokenResponse(400, testing::ReadTestdata("token-error-anthropic-invalid-grant.json"));
  ASSERT_TRUE(r.ok());
  const TokenError& e = std::get<TokenError>(r.value());
  EXPECT_EQ(e.kind, TokenErrorKind::kInvalidGrant);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "invalid_grant");
  EXPECT_EQ(e.description, "Refresh token not found or invalid");
}

TEST(TokenResponse, ReadsOpenAiNestedReuse) {
  const Result<TokenResponse> r =
      ParseTokenResponse(401, testing::ReadTestdata("token-error-openai-reused.json"));
  ASSERT_TRUE(r.ok());
  const TokenError& e = std::get<TokenError>(r.value());
  EXPECT_EQ(e.kind, TokenErrorKind::kRefreshTokenReused);
  EXPECT_EQ(e.code, "refresh_token_reused");
  EXPECT_EQ(e.description,
            "Your refresh token has already been used to generate a new access token. Please try "
            "signing in again.");
  EXPECT_STREQ(TokenErrorKindName(e.kind), "refresh_token_reused");
}

TEST(TokenResponse, EveryKnownCodeHasItsKind) {
  const std::vector<std::pair<const char*, TokenErrorKind>> codes = {
      {"invalid_grant", TokenErrorKind::kInvalidGrant},
      {"refresh_token_reused", TokenErrorKind::kRefreshTokenReused},
      {"refresh_token_expired", TokenErrorKind::kRefreshTokenExpired},
      {"refresh_token_invalidated", TokenErrorKind::kRefreshTokenInvalidated},
      {"invalid_request", TokenErrorKind::kInvalidRequest},
      {"invalid_client", TokenErrorKind::kInvalidClient},
      {"unsupported_grant_type", TokenErrorKind::kUnsupportedGrantType},
      {"slow_down", TokenErrorKind::kOther}};
  for (const auto& [code, kind] : codes) {
    const std::string rfc = std::string(R"({"error": ")") + code + "\"}";
    EXPECT_EQ(std::get<TokenError>(ParseTokenResponse(400, rfc).value()).kind, kind) << code;
    const std::string openai = std::string(R"({"error": {"code": ")") + code + "\"}}";
    EXPECT_EQ(std::get<TokenError>(ParseTokenResponse(401, openai).value()).kind, kind) << code;
  }
}

TEST(TokenResponse, NonJsonOrCodelessErrorsAreHttpStatus) {
  for (const char* body :
       {"<html>502 Bad Gateway</html>", "", R"({"message": "x"})", R"({"error": 5})", "[]"}) {
    const Result<TokenResponse> r = ParseTokenResponse(502, body);
    ASSERT_TRUE(r.ok());
    const TokenError& e = std::get<TokenError>(r.value());
    EXPECT_EQ(e.kind, TokenErrorKind::kOther) << body;
    EXPECT_EQ(e.code, "http_502") << body;
    EXPECT_EQ(e.description, "") << body;
  }
}

TEST(TokenResponse, The401ApiErrorBodyFallsBackToItsType) {
  const Result<TokenResponse> r =
      ParseTokenResponse(401, testing::ReadTestdata("api-error-anthropic-expired.json"));
  const TokenError& e = std::get<TokenError>(r.value());
  EXPECT_EQ(e.code, "authentication_error");
  EXPECT_EQ(e.kind, TokenErrorKind::kOther);
}

TEST(TokenResponse, BadGrantsAreErrorsWithPaths) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "$"},
      {R"({"refresh_token": "r"})", "$.access_token"},
      {R"({"access_token": 1})", "$.access_token"},
      {R"({"access_token": "a", "expires_in": "1h"})", "$.expires_in"},
      {R"({"access_token": "a", "expires_in": 1.5})", "$.expires_in"},
      {R"({"error": "invalid_grant"})", "$.access_token"},
      {R"({"access_token": "", "refresh_token": "r"})", "$.access_token"},
  };
  for (const auto& [body, path] : cases) {
    const Result<TokenResponse> r = ParseTokenResponse(200, body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().path, path) << r.error().ToString();
  }
}

}  // namespace
}  // namespace credsim::formats
