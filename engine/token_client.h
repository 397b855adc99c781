// The refresh request the engine sends and what it makes of the answer. Pure: Io carries the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/credential.h"
#include "engine/formats/token_response.h"
#include "engine/io.h"
#include "engine/session.h"

namespace credsim::engine {

// JSON or form body as the session says; anthropic and openai-codex bodies are what the real
// clients send (docs/REAL_CLIENTS.md#claude-code-refresh-request,
// docs/REAL_CLIENTS.md#codex-refresh-request): grant_type, refresh_token, client_id, plus
// refresh_reason for Codex and `scope` for anthropic. The scope asked for is the credential's
// stored scopes, or Claude Code's fixed list when none are stored. Without a scope the server
// answers with the login's scope, and a refresh by the engine narrowed Claude Code's five scopes to
// a login's two (docs/REAL_CLIENTS.md#fake-server-scope-narrowing). Claude Code itself sends the
// stored scopes only when its file has a clientId, the fixed list otherwise; the engine prefers the
// stored ones always, since asking for more than a login was granted is refused (invalid_scope).
// Form bodies (an older endpoint's format) carry no scope.
// kAsTheClientSends: the scope above; kNone: no scope at all, which RFC 6749 §6 answers with the
// scope originally granted (the engine's fallback when a scope is refused: see RefreshOutcome).
enum class RefreshScope : uint8_t { kAsTheClientSends, kNone };
HttpRequest BuildRefreshRequest(const SessionConfig& config, const Credential& current,
                                RefreshScope scope = RefreshScope::kAsTheClientSends);
// What Claude Code asks for on every refresh when its file names no clientId.
inline constexpr std::string_view kClaudeCodeRefreshScope =
    "user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload";

struct RefreshOutcome {
  enum class Kind : uint8_t {
    kGranted,    // a new pair; see grant
    kDead,       // invalid_grant / refresh_token_reused / refresh_token_expired: this RT is spent
    kTransient,  // 5xx, 429, or not sent: the RT was not consumed, retrying is safe
    kLost,      // sent but no readable answer: the server may have rotated; re-read before retrying
    kRejected,  // the request itself was refused (invalid_request, invalid_client, ...): a config
                // bug
  };
  Kind kind = Kind::kTransient;
  formats::TokenGrant grant;
  int http_status = 0;
  std::optional<int64_t> retry_after_ms;
  std::string reason;  // token-free, e.g. "400 invalid_grant: Refresh token not found or invalid"
  // kRejected with invalid_scope: the server will not grant the scope asked for (a store's scopes
  // edited, or from another login). It spends nothing; the engine asks again without a scope.
  bool scope_refused = false;
};
const char* RefreshKindName(RefreshOutcome::Kind kind);

RefreshOutcome ClassifyRefresh(const HttpResult& result);

// The credential after a grant: the new access token; the new refresh token, or the old one when
// the answer has none; expiry from the access token's JWT exp (server truth), else expires_in, else
// default_ttl_ms; scopes from the answer's `scope` when it names any, else the previous scopes
// (never dropped); the id_token and, when none is known, the account id from its ChatGPT claim;
// other fields kept. Lifetimes are clamped to 10 years (no overflow).
Credential MergeGrant(const Credential& previous, const formats::TokenGrant& grant, int64_t now_ms,
                      int64_t default_ttl_ms);

// The access token's lifetime as the answer states it (expires_in, clamped like MergeGrant's), or
// nullopt when it states none. Unlike an expiry, no clock enters it.
std::optional<int64_t> StatedLifetimeMs(const formats::TokenGrant& grant);

// Delay before transient retry number `attempt` (0-based): jitter over an exponential window
// [backoff_ms_min, backoff_ms_max], at least Retry-After when given. -1 when Retry-After exceeds
// retry_after_ms_max (give up now rather than hold the locks that long).
int64_t BackoffDelayMs(const SessionConfig& config, int attempt,
                       std::optional<int64_t> retry_after_ms, uint64_t random);

}  // namespace credsim::engine
