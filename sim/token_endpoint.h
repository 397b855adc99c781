// The simulated server's token endpoint: the engine's HttpRequest goes through the same wire as
// the HTTP server's (fake_oauth_server/wire.h: one request decoder, one answer encoder in the
// provider's shape), and the WireReply comes back as the engine's HttpResult. Nothing here decides
// anything: the world applies faults and asks the authority.
#pragma once

#include <string_view>

#include "engine/io.h"
#include "fake_oauth_server/wire.h"

namespace credsim::sim {

// The path of a URL: no scheme, host, query or fragment ("/" when there is none).
std::string_view UrlPath(std::string_view url);

// What the engine receives for a wire answer: status, body, and Retry-After in milliseconds.
engine::HttpResult ToHttpResult(oauth::WireReply wire);

}  // namespace credsim::sim
