#include "fake_oauth_server/responses.h"

#include "fake_oauth_server/json_writer.h"

namespace credsim::oauth {

std::string TokenSuccessBody(const Personality& p, const IssuedTokens& t) {
  JsonWriter w;
  w.BeginObject();
  w.Field("access_token", t.access_token).Field("refresh_token", t.refresh_token);
  if (!t.id_token.empty()) w.Field("id_token", t.id_token);
  w.Field("expires_in", t.expires_in_s).Field("token_type", "Bearer").Field("scope", t.scope);
  if (p.provider == Provider::kAnthropic) {
    w.Key("account")
        .BeginObject()
        .Field("uuid", t.account_uuid)
        .Field("email_address", "user@example.invalid")
        .EndObject();
    w.Key("organization").BeginObject().Field("uuid", t.organization_uuid).EndObject();
  }
  w.EndObject();
  return w.Take();
}

std::string FlatErrorBody(std::string_view error, std::string_view description) {
  JsonWriter w;
  w.BeginObject().Field("error", error).Field("error_description", description).EndObject();
  return w.Take();
}

std::string TokenErrorBody(const OAuthError& e) {
  if (e.shape == ErrorShape::kOAuthFlat) return FlatErrorBody(e.error, e.description);
  JsonWriter w;
  w.BeginObject().Key("error").BeginObject();
  w.Field("message", e.description).Field("type", "invalid_request_error");
  w.Key("param").Null().Field("code", e.nested_code);
  w.EndObject().EndObject();
  return w.Take();
}

std::string_view ResourceErrorMessage(const Personality& p, AccessState state) {
  switch (state) {
    case AccessState::kExpired:
      return p.expired_access_message;
    case AccessState::kRevoked:
      return "OAuth token has been revoked. Please obtain a new token.";
    default:
      return p.invalid_access_message;
  }
}

std::string ResourceErrorBody(const Personality& p, AccessState state) {
  const std::string_view message = ResourceErrorMessage(p, state);
  JsonWriter w;
  w.BeginObject();
  if (p.provider == Provider::kAnthropic) {
    w.Field("type", "error");
    w.Key("error")
        .BeginObject()
        .Field("type", "authentication_error")
        .Field("message", message)
        .EndObject();
    w.Field("request_id", "req_fake_oauth_server");
  } else {
    w.Key("error").BeginObject().Field("message", message).Field("type", "invalid_request_error");
    w.Key("param").Null();
    w.Field("code", state == AccessState::kExpired ? "token_expired" : "invalid_api_key");
    w.EndObject();
  }
  w.EndObject();
  return w.Take();
}

std::string ServerErrorBody(const Personality& p, int status) {
  JsonWriter w;
  w.BeginObject();
  const bool overloaded = status == 429 || status == 503 || status == 529;
  if (p.provider == Provider::kAnthropic) {
    w.Field("type", "error");
    w.Key("error")
        .BeginObject()
        .Field("type", status == 429 ? "rate_limit_error"
                       : overloaded  ? "overloaded_error"
                                     : "api_error")
        .Field("message", status == 429 ? "Rate limited" : "Internal server error")
        .EndObject();
  } else {
    w.Field("error", status == 429 ? "rate_limited"
                     : overloaded  ? "temporarily_unavailable"
                                   : "server_error");
    w.Field("error_description", "fault injected by fake_oauth_server");
  }
  w.EndObject();
  return w.Take();
}

}  // namespace credsim::oauth
