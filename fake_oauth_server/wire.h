// The token endpoint's wire, shared by the HTTP front and the simulator: one decoding of request
// bodies (request_decode.h) and one encoding of answers in the provider's shape (responses.h), so
// the simulated server and the HTTP server answer the same request with the same status, headers
// and bytes. No HTTP library here: the HTTP front copies a WireReply into its response, the
// simulator into the engine's HttpResult.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fake_oauth_server/authority.h"
#include "fake_oauth_server/request_decode.h"

namespace credsim::oauth {

struct WireReply {
  int status = 200;
  std::string body;  // always JSON
  // Besides Content-Type (always application/json): Cache-Control and Pragma on every token
  // answer (RFC 6749 §5.1), Retry-After on a 429, WWW-Authenticate on invalid_client (§5.2).
  std::vector<std::pair<std::string, std::string>> headers;
  int retry_after_s = -1;  // the Retry-After value, when there is one
};

inline constexpr std::string_view kJsonContentType = "application/json";

// The authority's answer to a decoded token request, in the provider's shape.
WireReply TokenReplyToWire(const Personality& personality, const TokenReply& reply);
// A body the decoder refused (invalid_request, RFC 6749 §5.2).
WireReply InvalidRequestToWire(std::string_view description);
// What the provider's API layer answers when it fails before the authority decides (a 5xx, or a
// 429 with Retry-After in seconds).
WireReply ServerErrorToWire(const Personality& personality, int status, int retry_after_s = -1);
// True when `path` (no scheme, host or query) is one of the personality's token paths.
bool IsTokenPath(const Personality& personality, std::string_view path);

}  // namespace credsim::oauth
