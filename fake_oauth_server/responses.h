// Response bodies in each provider's shape (JSON written with JsonWriter).
#pragma once

#include <string>
#include <string_view>

#include "fake_oauth_server/authority.h"

namespace credsim::oauth {

// RFC 6749 §5.1 success body (plus the provider's extras: account/organization for anthropic,
// id_token for openai).
std::string TokenSuccessBody(const Personality& p, const IssuedTokens& t);
// RFC 6749 §5.2 {"error","error_description"} or OpenAI's nested {"error":{...}}.
std::string TokenErrorBody(const OAuthError& e);
std::string FlatErrorBody(std::string_view error, std::string_view description);
// The protected resource's 401 in the provider's own shape.
std::string ResourceErrorBody(const Personality& p, AccessState state);
std::string_view ResourceErrorMessage(const Personality& p, AccessState state);
// A 5xx from the provider's API layer (faults, the legacy endpoint).
std::string ServerErrorBody(const Personality& p, int status);

}  // namespace credsim::oauth
