// Builders for store documents used by engine tests. Tokens are "at-N" / "rt-N" (generation N), so
// an assertion can say which generation a store holds.
#pragma once

#include <cstdint>
#include <string>

namespace credsim::engine::testing {

inline constexpr int64_t kNowMs = 1'790'000'000'000;  // MemIo's default clock
inline constexpr int64_t kHourMs = 3'600'000;

struct ClaudeDocOptions {
  bool scopes = true;
  bool subscription = true;
};

// A Claude Code credentials file as Claude Code writes it, plus an mcpOAuth sibling and an unknown
// key inside claudeAiOauth (both must survive every rewrite).
inline std::string ClaudeDoc(int generation, int64_t expires_at_ms, ClaudeDocOptions o = {}) {
  const std::string n = std::to_string(generation);
  std::string doc = "{\n  \"claudeAiOauth\": {\n    \"accessToken\": \"at-" + n +
                    "\",\n    \"refreshToken\": \"rt-" + n +
                    "\",\n    \"expiresAt\": " + std::to_string(expires_at_ms);
  if (o.scopes) doc += ",\n    \"scopes\": [\"user:inference\", \"user:profile\"]";
  if (o.subscription) doc += ",\n    \"subscriptionType\": \"max\"";
  doc += ",\n    \"futureField\": {\"keep\": true}\n  },\n";
  doc += "  \"mcpOAuth\": {\"srv|1\": {\"accessToken\": \"mcp-secret\", \"expiresAt\": 1}}\n}\n";
  return doc;
}

// An agent auth.json with a credential pool entry imported from Claude Code.
inline std::string AgentDocWithClaudeEntry(int generation, int64_t expires_at_ms,
                                           const std::string& status = "null") {
  const std::string n = std::to_string(generation);
  const std::string quoted = status == "null" ? "null" : "\"" + status + "\"";
  return R"({
  "version": 1,
  "providers": {"other-provider": {"tokens": {"access_token": "other-at",
                                            "refresh_token": "other-rt"}}},
  "credential_pool": {
    "anthropic": [
      {"id": "cc1", "label": "claude-code", "auth_type": "oauth", "priority": 0,
       "source": "claude_code", "access_token": "at-)" +
         n + R"(", "refresh_token": "rt-)" + n + R"(", "expires_at_ms": )" +
         std::to_string(expires_at_ms) + R"(, "last_status": )" + quoted +
         R"(, "last_status_at": 1789990000, "last_error_code": 400,
       "last_error_reset_at": 1790086400, "custom": "kept"},
      {"id": "own1", "label": "hermes-pkce", "auth_type": "oauth", "priority": 1,
       "source": "hermes_pkce", "access_token": "own-at", "refresh_token": "own-rt",
       "expires_at_ms": 1}
    ]
  },
  "suppressed_sources": {"x": ["y"]}
}
)";
}

}  // namespace credsim::engine::testing
