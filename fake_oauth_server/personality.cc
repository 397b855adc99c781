#include "fake_oauth_server/personality.h"

namespace credsim::oauth {
namespace {

// Wording copied from the provider answers in engine/formats/testdata/
// (token-error-anthropic-invalid-grant.json, api-error-anthropic-expired.json).
constexpr Personality kAnthropic{
    .provider = Provider::kAnthropic,
    .name = "anthropic",
    .token_paths = {"/v1/oauth/token", "/v1/oauth/token"},
    .authorize_path = "/oauth/authorize",
    .device_path = "/v1/oauth/device/code",
    .resource_paths = {"/v1/messages", "/api/oauth/profile", "/v1/messages"},
    .manual_redirect_uri = "https://console.anthropic.com/oauth/code/callback",
    .default_scope = "user:inference user:profile",
    .default_grant_extra = "user:sessions:claude_code user:mcp_servers user:file_upload",
    .jwt_tokens = false,
    .access_prefix = "sk-ant-oat01-",
    .refresh_prefix = "sk-ant-ort01-",
    .refresh_error_shape = ErrorShape::kOAuthFlat,
    .refresh_requires_client_id = true,
    .invalid_refresh_description = "Refresh token not found or invalid",
    .expired_access_message =
        "OAuth token has expired. Please obtain a new token or refresh your existing token.",
    .invalid_access_message = "Invalid bearer token",
};

constexpr Personality kOpenAi{
    .provider = Provider::kOpenAi,
    .name = "openai",
    .token_paths = {"/oauth/token", "/v1/oauth/token"},
    .authorize_path = "/oauth/authorize",
    .device_path = "/oauth/device/code",
    .resource_paths = {"/v1/messages", "/v1/responses", "/backend-api/codex/responses"},
    .manual_redirect_uri = "urn:ietf:wg:oauth:2.0:oob",
    .default_scope = "openid profile email offline_access",
    .default_grant_extra = "",
    .jwt_tokens = true,
    .access_prefix = "",
    .refresh_prefix = "rt_",
    .refresh_error_shape = ErrorShape::kOpenAiNested,
    .refresh_requires_client_id = false,
    .invalid_refresh_description = "Invalid refresh token",
    .expired_access_message = "Your authentication token has expired. Please try signing in again.",
    .invalid_access_message = "Your authentication token is not valid.",
};

}  // namespace

const Personality& PersonalityFor(Provider provider) {
  return provider == Provider::kOpenAi ? kOpenAi : kAnthropic;
}

std::optional<Provider> ParseProvider(std::string_view name) {
  if (name == "anthropic") return Provider::kAnthropic;
  if (name == "openai") return Provider::kOpenAi;
  return std::nullopt;
}

}  // namespace credsim::oauth
