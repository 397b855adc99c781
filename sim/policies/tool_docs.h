// The documents the tool models write, rebuilt the way the real tools rebuild them
// (docs/REAL_CLIENTS.md#claude-code-write-back, docs/REAL_CLIENTS.md#codex-write-back), which is
// not how the reference engine patches them: Claude Code rebuilds claudeAiOauth from its known
// keys (unknown inner keys dropped, top-level keys kept); Codex rewrites auth.json from its known
// fields (unknown top-level fields dropped).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/formats/claude_credentials.h"
#include "engine/formats/codex_auth.h"

namespace credsim::sim {

// `old_bytes` with claudeAiOauth replaced by exactly {accessToken, refreshToken, expiresAt,
// scopes, subscriptionType, rateLimitTier, clientId?}; other top-level keys kept.
std::string RebuildClaudeDoc(const std::string& old_bytes, const formats::ClaudeOauth& oauth);
// `old_bytes` with claudeAiOauth's accessToken "", refreshToken "", expiresAt 0, other fields kept.
std::string WipeClaudeTokens(const std::string& old_bytes);
// auth.json from Codex's known fields only.
std::string RebuildCodexDoc(const formats::CodexAuth& auth);

std::vector<std::string> SplitScope(const std::string& scope);
std::string JoinScopes(const std::vector<std::string>& scopes);

}  // namespace credsim::sim
