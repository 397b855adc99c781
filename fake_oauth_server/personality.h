// Provider personalities: the parts of a real provider's protocol that a client can observe (paths,
// token shapes, error shapes, wording), as data on top of one authority core. Everything here is
// constant; nothing decides policy.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace credsim::oauth {

enum class Provider { kAnthropic, kOpenAi };

// How a failed refresh is shaped on the wire.
//  kOAuthFlat:     RFC 6749 §5.2 {"error":"invalid_grant","error_description":"..."}
//  kOpenAiNested:  {"error":{"message":...,"type":"invalid_request_error","param":null,"code":...}}
enum class ErrorShape { kOAuthFlat, kOpenAiNested };

struct Personality {
  Provider provider;
  std::string_view name;
  // Token endpoint paths. The first is the provider's own; every personality also answers the
  // contract path /v1/oauth/token (README.md, "Contracts").
  std::array<std::string_view, 2> token_paths;
  std::string_view authorize_path;
  std::string_view device_path;
  // Protected resources that answer 200 for a live access token and 401 otherwise.
  std::array<std::string_view, 3> resource_paths;
  // The redirect URI of the provider's "paste this code" flow (answered with a page, not a 302).
  std::string_view manual_redirect_uri;
  std::string_view default_scope;
  // Also granted to a login that names no scope (its tokens still carry default_scope), so that a
  // refresh may ask for them: Claude Code asks for these on every refresh
  // (docs/REAL_CLIENTS.md#claude-code-refresh-request) and the real server grants them. Anything
  // else is beyond the grant (RFC 6749 §6).
  std::string_view default_grant_extra;
  // anthropic: opaque "sk-ant-oat01-..." / "sk-ant-ort01-..."; openai: unsigned JWTs and "rt_...".
  bool jwt_tokens;
  std::string_view access_prefix;
  std::string_view refresh_prefix;
  ErrorShape refresh_error_shape;
  // A refresh without client_id is invalid_request. Anthropic's own clients always send it
  // (docs/REAL_CLIENTS.md#claude-code-refresh-request), so a client that omits it would fail
  // against the real server too.
  bool refresh_requires_client_id;
  // Wording of refresh failures (flat shape) and of the protected resource's 401.
  std::string_view invalid_refresh_description;
  std::string_view expired_access_message;
  std::string_view invalid_access_message;
};

const Personality& PersonalityFor(Provider provider);
std::optional<Provider> ParseProvider(std::string_view name);

// OpenAI's nested error codes for a refresh token that cannot be used. Codex shows "refresh token
// was already used" for refresh_token_reused and handles refresh_token_expired the same way
// (docs/REAL_CLIENTS.md#codex-errors); refresh_token_invalidated was not measured.
inline constexpr std::string_view kOpenAiReusedCode = "refresh_token_reused";
inline constexpr std::string_view kOpenAiExpiredCode = "refresh_token_expired";
inline constexpr std::string_view kOpenAiInvalidatedCode = "refresh_token_invalidated";

}  // namespace credsim::oauth
