// StoreTruth: the world's own reading of a store's bytes, for the oracles.
//
// Oracles must not see stores through the engine's decoders: those are under test, and a decoder
// bug would make an oracle agree with it. So the world reads every store itself, format-blind: it
// parses the JSON with simdjson's DOM (not the engine's reader), walks every value (depth and count
// bounded), and asks the token authority what each string is. A string the authority sealed is a
// token whatever key holds it, so a writer that moves a token to a key no tool reads still shows
// up here as holding it (the tools' own acceptance is judged by the consumers that fail).
//
// What it deliberately does not do: decide which token a particular tool would pick from the store.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/store_id.h"
#include "fake_oauth_server/authority.h"

namespace credsim::sim {

struct StoreTruth {
  bool exists = false;
  bool readable = false;                // a JSON object at the top level, nothing after it
  uint32_t family = 0, generation = 0;  // freshest refresh token found (0: none)
  std::vector<std::pair<uint32_t, uint32_t>> refresh_tokens;  // (family, generation), bounded
  // Claude stores: every object holding a refresh token also holds a non-empty "scopes" array.
  bool scopes = false;
  // Claude stores: every object holding a refresh token also names the plan ("subscriptionType":
  // a non-empty string). Claude Code shows and gates features by it (report 3).
  bool subscription = false;
  bool markers = false;  // the world's unknown-field markers are still there
  // The largest amount by which a stored expiry (an access token's sibling "expiresAt" in ms, or
  // "expires_at_ms") claims more life than the authority sealed into that access token; 0 when
  // no stored expiry overstates it. Seconds written where milliseconds belong understate, so they
  // never count here (the clock oracle judges overstatement, the one that keeps dead tokens).
  int64_t expiry_overstated_ms = 0;
  // The access token (family, generation) whose stored expiry is overstated the most (0, 0: none).
  std::pair<uint32_t, uint32_t> overstated_token{0, 0};
  // A digest of the top-level sections that are not the session's credentials in this store's
  // format (Claude: all but claudeAiOauth, e.g. mcpOAuth; agent: all but providers,
  // credential_pool and version; Codex: all but tokens, last_refresh, auth_mode and
  // OPENAI_API_KEY), over each section's key and minified value in key order: a write-back that
  // changes one of them damaged what another tool owns. 0 when unreadable.
  uint64_t foreign_sections_digest = 0;
};

inline constexpr size_t kMaxTruthTokens = 16;  // refresh tokens listed per store
inline constexpr int kMaxTruthDepth = 64;      // deeper values are not visited

// `kind` decides only whether the scopes rule applies (Claude stores).
StoreTruth ReadStoreTruth(engine::StoreKind kind, bool exists, std::string_view bytes,
                          const oauth::TokenAuthority& authority);

}  // namespace credsim::sim
