// SerializeTokenGrant then ParseTokenResponse(200, ...) is the identity; error bodies never fail.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "engine/formats/test_support.h"
#include "engine/formats/token_response.h"

namespace credsim::formats {
namespace {

using testing::GenOptional;
using testing::GenText;

RC_GTEST_PROP(TokenResponseProperty, GrantRoundTrips, ()) {
  const TokenGrant grant = *rc::gen::build<TokenGrant>(
      // Never empty: an empty access token is refused (it would be stored as a credential).
      rc::gen::set(&TokenGrant::access_token,
                   rc::gen::map(GenText(), [](std::string t) { return "a" + t; })),
      rc::gen::set(&TokenGrant::refresh_token, GenOptional(GenText())),
      rc::gen::set(&TokenGrant::expires_in_s, GenOptional(rc::gen::arbitrary<int64_t>())),
      rc::gen::set(&TokenGrant::scope, GenOptional(GenText())),
      rc::gen::set(&TokenGrant::id_token, GenOptional(GenText())),
      rc::gen::set(&TokenGrant::token_type, GenOptional(GenText())));
  const Result<TokenResponse> r = ParseTokenResponse(200, SerializeTokenGrant(grant));
  RC_ASSERT(r.ok());
  RC_ASSERT(std::get<TokenGrant>(r.value()) == grant);
}

RC_GTEST_PROP(TokenResponseProperty, ErrorStatusesAlwaysGiveAnError, (const std::string& body)) {
  const int status = *rc::gen::element(400, 401, 403, 429, 500, 503);
  const Result<TokenResponse> r = ParseTokenResponse(status, body);
  RC_ASSERT(r.ok());
  RC_ASSERT(std::get<TokenError>(r.value()).http_status == status);
  RC_ASSERT(!std::get<TokenError>(r.value()).code.empty());
}

RC_GTEST_PROP(TokenResponseProperty, Rfc6749ErrorsReadBack, ()) {
  const std::string code = *GenText();
  const std::string description = *GenText();
  JsonValue body = JsonValue::Object();
  body.Set("error", JsonValue::String(code));
  body.Set("error_description", JsonValue::String(description));
  const TokenError e = std::get<TokenError>(ParseTokenResponse(400, WriteJsonTree(body)).value());
  if (code.empty()) {
    RC_ASSERT(e.code == "http_400");
  } else {
    RC_ASSERT(e.code == code);
    RC_ASSERT(e.description == description);
  }
}

}  // namespace
}  // namespace credsim::formats
