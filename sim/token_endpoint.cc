#include "sim/token_endpoint.h"

#include "base/assert.h"

namespace credsim::sim {

std::string_view UrlPath(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t path_at = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (path_at == std::string_view::npos) return "/";
  std::string_view path = url.substr(path_at);
  return path.substr(0, path.find_first_of("?#"));
}

engine::HttpResult ToHttpResult(oauth::WireReply wire) {
  CREDSIM_ASSERT(wire.status >= 200 && wire.status <= 599);
  engine::HttpResult r;
  r.transport = engine::HttpResult::Transport::kResponse;
  r.status = wire.status;
  r.body = std::move(wire.body);
  if (wire.retry_after_s >= 0) r.retry_after_ms = int64_t{wire.retry_after_s} * 1000;
  return r;
}

}  // namespace credsim::sim
