// The engine's normalized view of one OAuth credential, wherever it was stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/formats/agent_auth.h"
#include "engine/store_id.h"

namespace credsim::engine {

enum class Provider : uint8_t { kAnthropic, kOpenAiCodex };
const char* ProviderName(Provider provider);  // "anthropic", "openai-codex"
std::optional<Provider> ParseProvider(std::string_view name);

struct Credential {
  std::string access_token;
  std::string refresh_token;
  int64_t expires_at_ms = 0;  // 0: unknown (e.g. an opaque access token with no recorded expiry)
  std::optional<std::vector<std::string>> scopes;
  std::optional<std::string> subscription_type;
  std::optional<std::string> id_token;
  std::optional<std::string> account_id;

  bool empty() const { return access_token.empty() && refresh_token.empty(); }
  friend bool operator==(const Credential&, const Credential&) = default;
};

// Where inside a store a credential sits.
struct Slot {
  enum class Kind : uint8_t {
    kClaudeOauth,    // claudeAiOauth of a Claude Code file or keychain item
    kAgentProvider,  // providers.<provider> of an agent auth.json
    kAgentPool,      // credential_pool.<provider>[id == pool_entry_id]
    kCodexTokens,    // tokens of ~/.codex/auth.json
  };
  Kind kind = Kind::kClaudeOauth;
  std::string pool_entry_id;
  friend bool operator==(const Slot&, const Slot&) = default;
};

// A slot of a store that belongs to the shared session, and what it holds now. A slot may hold
// nothing (Claude Code wipes its file on invalid_grant): it is still written on the next refresh,
// which repairs it.
struct Candidate {
  StoreId store;
  Slot slot;
  Credential credential;
  formats::PoolStatus pool_status = formats::PoolStatus::kUnset;  // kAgentPool only
};

// A token-free label for logs and reports: "rt~3f9a" (16 bits of a hash, enough to tell copies
// apart, far too little to recover anything). "-" for an empty token.
std::string RedactedLabel(std::string_view prefix, std::string_view token);

}  // namespace credsim::engine
