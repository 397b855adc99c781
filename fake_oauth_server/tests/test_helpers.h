// Small helpers shared by the authority tests.
#pragma once

#include <string>

#include "fake_oauth_server/authority.h"

namespace credsim::oauth::testing {

inline constexpr int64_t kT0 = 1'790'000'000'000;  // an epoch-ms instant in 2026
inline constexpr int64_t kHourMs = 3600 * 1000;

// A refresh as the real clients send it: always with a client_id (the anthropic personality
// requires one). Families logged in without a client_id accept any.
inline TokenRequest Refresh(const std::string& refresh_token,
                            uint64_t seen = TokenRequest::kSequential,
                            const std::string& client_id = "c") {
  TokenRequest r;
  r.grant_type = GrantType::kRefreshToken;
  r.refresh_token = refresh_token;
  r.client_id = client_id;
  r.seen_commit_seq = seen;
  return r;
}

inline AuthorityConfig Config(ReuseKind kind = ReuseKind::kReject, int64_t grace_ms = 0) {
  AuthorityConfig c;
  c.reuse.kind = kind;
  c.reuse.grace_ms = grace_ms;
  return c;
}

}  // namespace credsim::oauth::testing
