// Codex CLI ~/.codex/auth.json (example: engine/formats/testdata/codex-auth.json; what Codex does
// with it: docs/REAL_CLIENTS.md#codex-write-back):
//   {"auth_mode": "chatgpt", "OPENAI_API_KEY": null | "sk-...",
//    "tokens": {"id_token", "access_token", "refresh_token", "account_id"},
//    "last_refresh": RFC 3339}
// Access and id tokens are JWTs; the access token's expiry is its `exp` claim (see time_units.h).
// Serialize patches `original` like claude_credentials.h (Codex itself drops unknown top-level
// keys; we do not).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/formats/result.h"

namespace credsim::formats {

struct CodexTokens {
  std::optional<std::string> id_token;
  std::optional<std::string> access_token;
  std::optional<std::string> refresh_token;
  std::optional<std::string> account_id;
  friend bool operator==(const CodexTokens&, const CodexTokens&) = default;
};

struct CodexAuth {
  std::optional<std::string> auth_mode;
  std::optional<std::string> openai_api_key;  // nullopt: null or absent
  std::optional<CodexTokens> tokens;
  std::optional<std::string> last_refresh;  // RFC 3339 text, as stored
  std::vector<UnitNote> notes;
  std::string original;
};

Result<CodexAuth> ParseCodexAuth(std::string_view bytes);
std::string SerializeCodexAuth(const CodexAuth& auth);

}  // namespace credsim::formats
