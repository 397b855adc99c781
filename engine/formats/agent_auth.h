// An agent's auth.json in the shape of Hermes' (example: engine/formats/testdata/agent-auth.json):
//
//   {"version": 1, "updated_at": ..., "active_provider": ...,
//    "providers": {"openai-codex": {"tokens": {"access_token", "refresh_token", "id_token",
//                  "account_id"}, "last_refresh": RFC 3339, "auth_mode", "last_auth_error":
//                  {...}}},
//    "credential_pool": {"anthropic": [ {entry}, ... ], "openai-codex": [ ... ]},
//    "suppressed_sources": {...}, ...}
//
// Pool entry timestamps: expires_at_ms is epoch ms; last_status_at and last_error_reset_at are
// epoch seconds. Per-profile stores have the same shape (a profile without a providers block falls
// back to the root store; that rule lives in the engine, not here).
//
// Serialize patches `original` like claude_credentials.h: only typed values that differ from what
// was parsed are rewritten; a typed value changed from present to nullopt is written as JSON null.
// Pool entries are matched by "id"; typed entries whose id is not in the original are appended;
// original entries missing from the typed view are kept (never lose a credential).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/formats/result.h"

namespace credsim::formats {

enum class PoolStatus : uint8_t { kUnset /* null or absent */, kOk, kExhausted, kDead };
const char* PoolStatusName(PoolStatus status);  // "null", "ok", "exhausted", "dead"

struct PoolEntry {
  std::string id;
  std::optional<std::string> label;
  std::optional<std::string> auth_type;  // "oauth", "api_key"
  std::optional<int64_t> priority;
  std::optional<std::string> source;  // "claude_code", "hermes_pkce", "manual:device_code", ...
  std::optional<std::string> access_token;
  std::optional<std::string> refresh_token;
  std::optional<int64_t> expires_at_ms;
  std::optional<std::string> last_refresh;  // RFC 3339 text, as stored
  PoolStatus last_status = PoolStatus::kUnset;
  std::optional<int64_t> last_status_at_s;
  std::optional<int64_t> last_error_code;  // HTTP status
  std::optional<std::string> last_error_reason;
  std::optional<std::string> last_error_message;
  std::optional<int64_t> last_error_reset_at_s;
  std::optional<std::string> secret_fingerprint;  // borrowed entries hold this instead of tokens
  std::optional<std::string> scope;               // space-separated
  friend bool operator==(const PoolEntry&, const PoolEntry&) = default;
};

struct ProviderTokens {
  std::optional<std::string> access_token;
  std::optional<std::string> refresh_token;
  std::optional<std::string> id_token;
  std::optional<std::string> account_id;
  friend bool operator==(const ProviderTokens&, const ProviderTokens&) = default;
};

struct AuthErrorRecord {
  std::optional<std::string> code;     // "refresh_token_reused", "invalid_grant", ...
  std::optional<std::string> message;  // never token text
  std::optional<std::string> reason;
  std::optional<bool> relogin_required;
  std::optional<std::string> at;  // RFC 3339
  friend bool operator==(const AuthErrorRecord&, const AuthErrorRecord&) = default;
};

struct ProviderBlock {
  std::optional<ProviderTokens> tokens;
  std::optional<std::string> last_refresh;  // RFC 3339 text
  std::optional<std::string> auth_mode;
  std::optional<AuthErrorRecord> last_auth_error;  // nullopt: absent or null
  friend bool operator==(const ProviderBlock&, const ProviderBlock&) = default;
};

struct AgentAuth {
  std::optional<int64_t> version;
  std::map<std::string, ProviderBlock> providers;
  std::map<std::string, std::vector<PoolEntry>> pool;  // provider -> entries in file order
  std::vector<UnitNote> notes;
  std::string original;
};

Result<AgentAuth> ParseAgentAuth(std::string_view bytes);
std::string SerializeAgentAuth(const AgentAuth& auth);

}  // namespace credsim::formats
