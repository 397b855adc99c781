// Initial store documents, shaped like the real tools write them (docs/REAL_CLIENTS.md, and the
// samples in engine/formats/testdata/). Each carries an unknown field named credsimMarker (inside
// the credential object and at the top level), so the collateral-damage oracle can see whether a
// writer kept unknown fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/store_id.h"

namespace credsim::sim {

struct DocTokens {
  std::string access_token;
  std::string refresh_token;
  std::string id_token;  // openai only
  int64_t expires_at_ms = 0;
  bool scopes = true;
  bool subscription = true;
  std::string client_id;                // Claude: "clientId" when not empty
  std::vector<std::string> scope_list;  // Claude: stored scopes (empty: inference + profile)
  bool providers_block = true;          // agent + openai: providers.openai-codex present
  std::string pool_status;              // agent: the pool entry's last_status ("" = none)
  int64_t pool_reset_at_s = 0;          // agent: last_error_reset_at (epoch s) with pool_status
  // The number stored as the access token's expiry (nullopt: expires_at_ms), or no such field.
  std::optional<int64_t> stored_expiry;
  bool expiry_absent = false;
  std::optional<int64_t> refresh_token_expires_at_ms;  // Claude: refreshTokenExpiresAt
  std::string last_refresh = "2026-09-21T00:00:00Z";   // Codex: last_refresh
  std::string extra_members;  // top-level members, as written, after the tool's own
};

// RFC 3339 UTC ("2026-09-21T14:13:20Z") for epoch milliseconds (the milliseconds dropped).
std::string Rfc3339(int64_t epoch_ms);

inline constexpr const char* kMarkerKey = "credsimMarker";

std::string ClaudeCredentialsDoc(const DocTokens& tokens);
// An agent auth.json whose credential_pool holds the session (entry "cc1", source claude_code for
// anthropic; an oauth entry plus providers.openai-codex for openai-codex).
std::string AgentAuthDoc(const DocTokens& tokens, bool openai);
std::string CodexAuthDoc(const DocTokens& tokens);
// The right document for a store kind.
std::string DocFor(engine::StoreKind kind, const DocTokens& tokens, bool openai);

}  // namespace credsim::sim
