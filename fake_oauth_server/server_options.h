// Command-line options of the fake_oauth_server binary (also used by tests that start the front
// in-process). Parsing is total: any argv gives options or one clear message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fake_oauth_server/authority.h"

namespace credsim::oauth {

// The names the CONNECT proxy terminates unless --proxy-host says otherwise: where Claude Code
// sends its token refresh and its API calls (docs/REAL_CLIENTS.md#claude-code-endpoints).
std::vector<std::string> DefaultProxyHosts();

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  AuthorityConfig authority;
  std::optional<uint64_t> seed;  // deterministic key and fault draws; otherwise from getrandom
  // Anthropic's old console endpoint answered HTTP 500 to form-encoded refreshes; "" disables it.
  std::string legacy_path = "/v1/oauth/legacy/token";
  bool www_authenticate = false;  // RFC 6750 WWW-Authenticate on the protected resource's 401
  bool admin = true;
  size_t max_body_bytes = 64 * 1024;
  int64_t read_timeout_ms = 2000;
  int64_t keep_alive_timeout_ms = 2000;
  int workers = 8;
  size_t request_log_capacity = 4096;
  // The CONNECT proxy (connect_proxy.h) for clients whose token URL is a fixed https address.
  std::optional<int> proxy_port;  // absent: no proxy; 0: any free port
  std::string proxy_ca_out;       // where the CA certificate a client must trust is written
  std::vector<std::string> proxy_hosts = DefaultProxyHosts();
};

struct ParsedArgs {
  std::optional<ServerOptions> options;  // nullopt: see error (or help)
  std::string error;
  bool help = false;
};

ParsedArgs ParseServerArgs(const std::vector<std::string>& args);
const char* ServerUsage();

}  // namespace credsim::oauth
