// Claude Code credentials: ~/.claude/.credentials.json and the keychain item "Claude
// Code-credentials" (same JSON). Example: engine/formats/testdata/claude-credentials.json; what
// Claude Code writes: docs/REAL_CLIENTS.md#claude-code-write-back.
//
//   {"claudeAiOauth": {"accessToken", "refreshToken", "expiresAt" (epoch ms), "scopes": [...],
//                      "subscriptionType", "rateLimitTier", "refreshTokenExpiresAt" (ms),
//                      "clientId"?},
//    "mcpOAuth": {...}, ...other top-level keys...}
//
// Parse extracts the typed view and remembers the original bytes. Serialize patches the original:
// only fields whose typed value differs from what was parsed are rewritten; every other byte of
// meaning (unknown keys at any level, their order, mcpOAuth) survives. parse(serialize(x)) == x.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/formats/result.h"

namespace credsim::formats {

struct ClaudeOauth {
  std::string access_token;   // "" after Claude Code wiped the file on invalid_grant
  std::string refresh_token;  // ""  likewise
  int64_t expires_at_ms = 0;  // 0 likewise
  std::optional<std::vector<std::string>> scopes;  // Claude Code >= 2.1.81 requires user:inference
  std::optional<std::string> subscription_type;
  std::optional<std::string> rate_limit_tier;
  std::optional<int64_t> refresh_token_expires_at_ms;
  std::optional<std::string> client_id;
  friend bool operator==(const ClaudeOauth&, const ClaudeOauth&) = default;
};

struct ClaudeCredentials {
  std::optional<ClaudeOauth> oauth;  // nullopt: the document has no claudeAiOauth key
  std::vector<UnitNote> notes;       // e.g. expiresAt given in seconds
  std::string original;              // the bytes that were parsed ("" for a new document)
};

// Errors name the path: a non-object document, claudeAiOauth not an object, a missing or mistyped
// accessToken/refreshToken/expiresAt, scopes not an array of strings, ... Trailing bytes are
// errors.
Result<ClaudeCredentials> ParseClaudeCredentials(std::string_view bytes);

// Always yields valid JSON (2-space indented). Starts from `original` ("{}" when empty).
// Absent optional values are removed from claudeAiOauth (Claude Code's JSON.stringify omits them);
// oauth == nullopt removes the claudeAiOauth key. "claudeAiOauth": null parses as nullopt.
std::string SerializeClaudeCredentials(const ClaudeCredentials& creds);

// True when scopes are present and contain "user:inference" (what Claude Code gates on).
bool HasInferenceScope(const ClaudeOauth& oauth);

}  // namespace credsim::formats
