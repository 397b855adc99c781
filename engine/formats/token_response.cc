// Token endpoint answers (token_response.h). A 2xx body must be an RFC 6749 §5.1 grant; any other
// status is an error whatever the body holds: RFC 6749 §5.2 {"error": "...", "error_description"},
// OpenAI's {"error": {"code", "message", "type"}}, or anything else (kOther, code "http_<status>").
#include "engine/formats/token_response.h"

#include "base/assert.h"
#include "engine/formats/json_dom.h"
#include "engine/formats/json_tree.h"

namespace credsim::formats {
namespace {

using internal::Element;
using internal::JsonPath;

enum GrantKey : int {
  kAccessToken,
  kRefreshToken,
  kExpiresIn,
  kScope,
  kIdToken,
  kTokenType,
  kGrantKeyCount
};
constexpr std::string_view kGrantKeys[kGrantKeyCount] = {
    "access_token", "refresh_token", "expires_in", "scope", "id_token", "token_type"};

std::optional<ParseError> ReadExpiresIn(Element e, const JsonPath& path,
                                        std::optional<int64_t>* out) {
  // Some servers send "3600" as a string; RFC 6749 says a number. Accept decimal digits only.
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) {
    return internal::ReadOptionalInteger(e, path, out);
  }
  if (text.empty() || text.size() > 18) {
    return internal::Invalid(path,
                             "expected seconds as a number or a string of 1-18 digits; found "
                             "a string of another length");
  }
  int64_t value = 0;
  for (char c : text) {  // at most 18 digits: no overflow
    if (c < '0' || c > '9') {
      return internal::Invalid(path,
                               "expected seconds as a number or a string of digits; found "
                               "a string with other characters");
    }
    value = value * 10 + (c - '0');
  }
  *out = value;
  return std::nullopt;
}

std::optional<ParseError> ReadGrantField(int key, Element value, const JsonPath& path,
                                         TokenGrant* grant) {
  switch (key) {
    case kAccessToken:
      return internal::ReadString(value, path, &grant->access_token);
    case kRefreshToken:
      return internal::ReadOptionalString(value, path, &grant->refresh_token);
    case kExpiresIn:
      return ReadExpiresIn(value, path, &grant->expires_in_s);
    case kScope:
      return internal::ReadOptionalString(value, path, &grant->scope);
    case kIdToken:
      return internal::ReadOptionalString(value, path, &grant->id_token);
    case kTokenType:
      return internal::ReadOptionalString(value, path, &grant->token_type);
  }
  CREDSIM_ASSERT(false, "unknown typed key");
  return std::nullopt;
}

Result<TokenResponse> ParseGrant(std::string_view body) {
  Result<Element> root = internal::ParseDom(body);
  if (!root.ok()) return root.error();
  const JsonPath top;
  simdjson::dom::object object;
  if (auto error = internal::ReadObject(root.value(), top, &object)) return *error;
  TokenGrant grant;
  internal::TypedKeySet seen;
  for (simdjson::dom::key_value_pair field : object) {  // bounded by the body size
    const int key = internal::TypedKeySet::IndexOf(field.key, kGrantKeys, kGrantKeyCount);
    if (key < 0) continue;  // account, organization, ...: not the engine's business
    const JsonPath path = top.Member(kGrantKeys[key]);
    if (!seen.MarkSeen(key)) return internal::DuplicateKey(path);
    if (auto error = ReadGrantField(key, field.value, path, &grant)) return *error;
  }
  if (seen.MarkSeen(kAccessToken)) {
    return internal::Invalid(top.Member("access_token"),
                             "expected this required key in a 2xx answer; found it missing");
  }
  if (grant.access_token.empty()) {
    // An empty access token would be written into every store as if it were a credential.
    return internal::Invalid(top.Member("access_token"), "expected a non-empty string; found \"\"");
  }
  return TokenResponse(std::move(grant));
}

TokenErrorKind KindOfCode(std::string_view code) {
  if (code == "invalid_grant") return TokenErrorKind::kInvalidGrant;
  if (code == "refresh_token_reused") return TokenErrorKind::kRefreshTokenReused;
  if (code == "refresh_token_expired") return TokenErrorKind::kRefreshTokenExpired;
  if (code == "refresh_token_invalidated") return TokenErrorKind::kRefreshTokenInvalidated;
  if (code == "invalid_request") return TokenErrorKind::kInvalidRequest;
  if (code == "invalid_client") return TokenErrorKind::kInvalidClient;
  if (code == "unsupported_grant_type") return TokenErrorKind::kUnsupportedGrantType;
  return TokenErrorKind::kOther;
}

std::string StringAt(simdjson::dom::object object, std::string_view key) {
  std::string_view text;
  if (object.at_key(key).get_string().get(text) != simdjson::SUCCESS) return {};
  return std::string(text);
}

// Fills code and description from either error shape; leaves them empty when the body has neither.
void ReadErrorBody(std::string_view body, TokenError* error) {
  Result<Element> root = internal::ParseDom(body);
  if (!root.ok()) return;
  simdjson::dom::object object;
  if (root.value().get_object().get(object) != simdjson::SUCCESS) return;
  Element error_field;
  if (object.at_key("error").get(error_field) != simdjson::SUCCESS) return;
  simdjson::dom::object nested;
  if (error_field.get_object().get(nested) == simdjson::SUCCESS) {
    // OpenAI: {"error": {"code": "refresh_token_reused" | null, "type": ..., "message": ...}}
    error->code = StringAt(nested, "code");
    if (error->code.empty()) error->code = StringAt(nested, "type");
    error->description = StringAt(nested, "message");
    return;
  }
  error->code = StringAt(object, "error");  // RFC 6749 §5.2
  error->description = StringAt(object, "error_description");
}

}  // namespace

const char* TokenErrorKindName(TokenErrorKind kind) {
  switch (kind) {
    case TokenErrorKind::kInvalidGrant:
      return "invalid_grant";
    case TokenErrorKind::kRefreshTokenReused:
      return "refresh_token_reused";
    case TokenErrorKind::kRefreshTokenExpired:
      return "refresh_token_expired";
    case TokenErrorKind::kRefreshTokenInvalidated:
      return "refresh_token_invalidated";
    case TokenErrorKind::kInvalidRequest:
      return "invalid_request";
    case TokenErrorKind::kInvalidClient:
      return "invalid_client";
    case TokenErrorKind::kUnsupportedGrantType:
      return "unsupported_grant_type";
    case TokenErrorKind::kOther:
      return "other";
  }
  return "other";
}

Result<TokenResponse> ParseTokenResponse(int http_status, std::string_view body) {
  if (http_status >= 200 && http_status <= 299) return ParseGrant(body);
  TokenError error;
  error.http_status = http_status;
  ReadErrorBody(body, &error);
  if (error.code.empty()) {
    // Not JSON, or JSON without an error code (an HTML page from a proxy, a bare 500): the status
    // is all we know. The body is not quoted: it could echo anything.
    error.code = "http_" + std::to_string(http_status);
    error.description.clear();
  }
  error.kind = KindOfCode(error.code);
  return TokenResponse(std::move(error));
}

std::string SerializeTokenGrant(const TokenGrant& grant) {
  JsonValue root = JsonValue::Object();
  root.Set("access_token", JsonValue::String(grant.access_token));
  if (grant.token_type) root.Set("token_type", JsonValue::String(*grant.token_type));
  if (grant.expires_in_s) root.Set("expires_in", JsonValue::Int(*grant.expires_in_s));
  if (grant.refresh_token) root.Set("refresh_token", JsonValue::String(*grant.refresh_token));
  if (grant.scope) root.Set("scope", JsonValue::String(*grant.scope));
  if (grant.id_token) root.Set("id_token", JsonValue::String(*grant.id_token));
  return WriteJsonTree(root);
}

}  // namespace credsim::formats
