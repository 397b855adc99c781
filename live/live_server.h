// The fake OAuth server of a live run, as a child process, and the admin calls the run makes:
// mint a login, inject faults, move the server clock, read the request log, name a token by its
// label. Loopback only; every call has a timeout.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "live/child_process.h"

namespace credsim::live {

struct ServerSettings {
  std::string binary;        // fake_oauth_server
  std::string provider;      // anthropic | openai
  std::string access_ttl;    // e.g. "20s"
  std::string reuse_policy;  // reject | revoke-family | grace:MS
  uint64_t seed = 1;
  std::string work_dir;  // the server's stdout/stderr go here
};

// One line of GET /admin/log (labels only).
struct ServerLogEntry {
  uint64_t seq = 0;
  int64_t now_ms = 0;
  std::string endpoint, grant, outcome, label, fault, tag;
  int status = 0;
  uint32_t family_id = 0, presented_generation = 0, generation = 0;
};

struct TokenInspection {
  std::string label = "unknown";
  std::string kind = "unknown";   // access, refresh, id, unknown
  std::string state = "unknown";  // live, retired, revoked, expired, unknown
};

class LiveServer {
 public:
  LiveServer() = default;
  ~LiveServer() { Stop(); }

  bool Start(const ServerSettings& settings, std::string* why);
  // SIGTERM, then SIGKILL after 5 s. Idempotent.
  void Stop();
  const std::string& base_url() const { return base_url_; }

  // POST /admin/login: a token response (JSON text) for a fresh family.
  std::optional<std::string> Login(const std::string& client_id, std::string* why);
  // A refresh through the token endpoint (tag credsim-live-setup): the answer's JSON text.
  std::optional<std::string> Refresh(const std::string& refresh_token, const std::string& client_id,
                                     std::string* why);
  bool AddFault(const std::string& rule_json, std::string* why);
  bool ClearFaults();
  bool AdvanceClock(int64_t ms);
  bool RevokeFamily(uint32_t family_id);
  // Every entry the server still holds after sequence number `after_seq` (0: all), oldest first.
  std::vector<ServerLogEntry> Log(uint64_t after_seq = 0);
  TokenInspection Inspect(const std::string& token);
  // Whether the protected resource takes `token` now (a GET under the harness's own tag).
  bool ResourceAccepts(const std::string& token);

 private:
  std::unique_ptr<ChildProcess> child_;
  std::string base_url_;
  std::string host_;
  int port_ = 0;
};

}  // namespace credsim::live
