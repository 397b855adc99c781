// Token endpoint answers: RFC 6749 §5.1 success, §5.2 errors, and OpenAI's nested error shape
// {"error": {"code": "refresh_token_reused", "message": ...}} (sent with HTTP 401).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "engine/formats/result.h"

namespace credsim::formats {

struct TokenGrant {
  std::string access_token;
  std::optional<std::string> refresh_token;  // absent: keep the old one (Codex does the same)
  std::optional<int64_t> expires_in_s;
  std::optional<std::string> scope;  // space-separated
  std::optional<std::string> id_token;
  std::optional<std::string> token_type;
  friend bool operator==(const TokenGrant&, const TokenGrant&) = default;
};

enum class TokenErrorKind : uint8_t {
  kInvalidGrant,         // RFC 6749 invalid_grant: dead, revoked, unknown or reused refresh token
  kRefreshTokenReused,   // OpenAI refresh_token_reused
  kRefreshTokenExpired,  // OpenAI refresh_token_expired
  kRefreshTokenInvalidated,  // OpenAI refresh_token_invalidated (the family was revoked)
  kInvalidRequest,
  kInvalidClient,
  kUnsupportedGrantType,
  kOther,  // any other code, or a non-JSON error body (code = "http_<status>")
};
const char* TokenErrorKindName(TokenErrorKind kind);

struct TokenError {
  TokenErrorKind kind = TokenErrorKind::kOther;
  int http_status = 0;
  std::string code;         // as sent, e.g. "invalid_grant"
  std::string description;  // error_description / message, as sent (servers never echo tokens)
  friend bool operator==(const TokenError&, const TokenError&) = default;
};

using TokenResponse = std::variant<TokenGrant, TokenError>;

// 2xx: the body must be a grant (access_token string required) or it is a ParseError. Any other
// status: a TokenError, parsed from the body when it is JSON in either shape, else kind kOther.
Result<TokenResponse> ParseTokenResponse(int http_status, std::string_view body);

// Serialize a grant as a server would (for tests, the stub endpoint and the simulator).
std::string SerializeTokenGrant(const TokenGrant& grant);

}  // namespace credsim::formats
