// What the protected resources answer to a live access token: just enough of each provider's model
// and profile APIs that a real client can finish a turn (docs/REAL_CLIENTS.md#fake-server-model-
// calls). The answers carry no intelligence; the bearer check in front of them is what matters.
#pragma once

#include <string>
#include <string_view>

namespace credsim::oauth {

struct ModelAnswer {
  std::string content_type;
  std::string body;
};

// The kind of answer a protected path gives.
enum class ResourceKind {
  kAnthropicMessages,  // POST /v1/messages: a message, streamed when the request asks for it
  kOpenAiResponses,    // POST /v1/responses, /backend-api/codex/responses: always streamed
  kAnthropicProfile,   // GET /api/oauth/profile
};

// True when `body` is a JSON object whose top-level "stream" member is true. A cheap textual test
// is enough: the fake answers either shape, and a client that asked for a stream gets one.
bool AsksForStream(std::string_view body);

// Anthropic Messages API: a JSON message, or the server-sent events message_start ...
// message_stop with one text block.
ModelAnswer AnthropicMessage(bool stream);
// OpenAI Responses API as server-sent events, ending with `response.completed`, which Codex waits
// for ("stream disconnected before completion" otherwise).
ModelAnswer OpenAiResponseStream();

// GET /api/oauth/profile in the shape Claude Code reads: the organization's type ("claude_max")
// is what a client turns into the stored `subscriptionType` ("max"), and `rate_limit_tier` into
// `rateLimitTier`.
ModelAnswer AnthropicProfile(std::string_view account_uuid, std::string_view organization_uuid);

}  // namespace credsim::oauth
