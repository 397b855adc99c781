// The token endpoint's wire, simulator side: the engine's HttpRequest bytes become the authority's
// TokenRequest, and its TokenReply becomes the bytes a real server sends back.
//
// Why a small adapter here: the fake server's own decoder lives in its HTTP library (simdjson +
// httplib), which the simulator does not need; this one reads the same two body kinds (JSON,
// RFC 6749 form) with formats/' JSON tree, and writes replies with the authority's own JSON
// writer, so the bytes match what the HTTP front sends for the fields the engine reads.
#pragma once

#include <optional>
#include <string>

#include "engine/io.h"
#include "fake_oauth_server/authority.h"

namespace credsim::sim {

struct DecodedRequest {
  bool ok = false;
  std::string why;  // when !ok: the invalid_request description (token-free)
  oauth::TokenRequest request;
};

DecodedRequest DecodeTokenRequest(const engine::HttpRequest& http);

// True when the URL's path is one the personality serves tokens at.
bool IsTokenEndpoint(const oauth::Personality& personality, const std::string& url);

engine::HttpResult EncodeTokenReply(const oauth::TokenReply& reply,
                                    const oauth::Personality& personality);
engine::HttpResult InvalidRequestReply(const std::string& why);

}  // namespace credsim::sim
