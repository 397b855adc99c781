#include "fake_oauth_server/wire.h"

#include "base/assert.h"
#include "fake_oauth_server/responses.h"

namespace credsim::oauth {
namespace {

WireReply Json(int status, std::string body) {
  CREDSIM_ASSERT(status >= 200 && status <= 599);
  WireReply w;
  w.status = status;
  w.body = std::move(body);
  w.headers = {{"Cache-Control", "no-store"}, {"Pragma", "no-cache"}};
  return w;
}

}  // namespace

WireReply TokenReplyToWire(const Personality& personality, const TokenReply& reply) {
  if (reply.ok()) return Json(200, TokenSuccessBody(personality, reply.tokens));
  CREDSIM_ASSERT(reply.status >= 400, "an error answer has an error status");
  WireReply w = Json(reply.status, TokenErrorBody(reply.error));
  if (reply.status == 401 && reply.error.error == "invalid_client") {
    w.headers.push_back({"WWW-Authenticate", "Basic realm=\"fake_oauth_server\""});
  }
  return w;
}

WireReply InvalidRequestToWire(std::string_view description) {
  return Json(400, FlatErrorBody("invalid_request", description));
}

WireReply ServerErrorToWire(const Personality& personality, int status, int retry_after_s) {
  CREDSIM_ASSERT(status == 429 || status >= 500, "only a server's own failures");
  WireReply w = Json(status, ServerErrorBody(personality, status));
  if (status == 429 && retry_after_s >= 0) {
    w.retry_after_s = retry_after_s;
    w.headers.push_back({"Retry-After", std::to_string(retry_after_s)});
  }
  return w;
}

bool IsTokenPath(const Personality& personality, std::string_view path) {
  for (std::string_view p : personality.token_paths) {
    if (!p.empty() && p == path) return true;
  }
  return false;
}

}  // namespace credsim::oauth
