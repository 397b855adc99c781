#include "engine/token_client.h"

#include <algorithm>

#include "base/assert.h"
#include "base/json_string.h"
#include "engine/formats/time_units.h"

namespace credsim::engine {
namespace {

constexpr int64_t kMaxLifetimeS =
    int64_t{10} * 365 * 24 * 3600;  // clamp: no overflow, no "forever"

void AppendFormValue(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) {
    if (s.empty()) continue;
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

std::vector<std::string> SplitScopes(const std::string& scope) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < scope.size()) {
    size_t end = scope.find(' ', start);
    if (end == std::string::npos) end = scope.size();
    if (end > start) out.push_back(scope.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

const char* RefreshKindName(RefreshOutcome::Kind kind) {
  switch (kind) {
    case RefreshOutcome::Kind::kGranted:
      return "granted";
    case RefreshOutcome::Kind::kDead:
      return "dead";
    case RefreshOutcome::Kind::kTransient:
      return "transient";
    case RefreshOutcome::Kind::kLost:
      return "lost";
    case RefreshOutcome::Kind::kRejected:
      return "rejected";
  }
  return "unknown";
}

HttpRequest BuildRefreshRequest(const SessionConfig& config, const Credential& current,
                                RefreshScope scope) {
  const std::string& refresh_token = current.refresh_token;
  CREDSIM_ASSERT(!refresh_token.empty());
  HttpRequest request;
  request.url = config.token_url;
  if (config.body_format == BodyFormat::kForm) {
    request.content_type = "application/x-www-form-urlencoded";
    request.body = "grant_type=refresh_token&refresh_token=";
    AppendFormValue(request.body, refresh_token);
    request.body += "&client_id=";
    AppendFormValue(request.body, config.client_id);
    return request;
  }
  request.content_type = "application/json";
  std::string& b = request.body;
  b = "{\"grant_type\":\"refresh_token\",\"refresh_token\":";
  base::AppendJsonString(b, refresh_token);
  b += ",\"client_id\":";
  base::AppendJsonString(b, config.client_id);
  switch (config.provider) {
    case Provider::kOpenAiCodex:
      b += ",\"refresh_reason\":\"proactive_expiry\"";
      break;
    case Provider::kAnthropic: {
      if (scope == RefreshScope::kNone) break;
      const std::string stored = current.scopes ? JoinScopes(*current.scopes) : std::string();
      b += ",\"scope\":";
      base::AppendJsonString(b, stored.empty() ? kClaudeCodeRefreshScope : stored);
      break;
    }
  }
  b += '}';
  return request;
}

RefreshOutcome ClassifyRefresh(const HttpResult& result) {
  using Kind = RefreshOutcome::Kind;
  RefreshOutcome out;
  out.http_status = result.status;
  out.retry_after_ms = result.retry_after_ms;
  if (result.transport == HttpResult::Transport::kNotSent) {
    out.kind = Kind::kTransient;
    out.reason = "request not sent: " + result.detail;
    return out;
  }
  if (result.transport == HttpResult::Transport::kLostResponse) {
    out.kind = Kind::kLost;
    out.reason = "no answer: " + result.detail;
    return out;
  }
  if (result.status == 429 || result.status >= 500) {
    out.kind = Kind::kTransient;
    out.reason = "HTTP " + std::to_string(result.status);
    return out;
  }
  auto parsed = formats::ParseTokenResponse(result.status, result.body);
  if (!parsed) {
    // A 2xx we cannot read may still have rotated the token: treat it like a lost answer.
    out.kind = result.status < 300 ? Kind::kLost : Kind::kRejected;
    out.reason = "unreadable answer (HTTP " + std::to_string(result.status) +
                 "): " + parsed.error().ToString();
    return out;
  }
  if (const auto* grant = std::get_if<formats::TokenGrant>(&parsed.value())) {
    out.kind = Kind::kGranted;
    out.grant = *grant;
    return out;
  }
  const auto& error = std::get<formats::TokenError>(parsed.value());
  out.reason = std::to_string(result.status) + " " + error.code +
               (error.description.empty() ? "" : ": " + error.description);
  switch (error.kind) {
    case formats::TokenErrorKind::kInvalidGrant:
    case formats::TokenErrorKind::kRefreshTokenReused:
    case formats::TokenErrorKind::kRefreshTokenExpired:
    case formats::TokenErrorKind::kRefreshTokenInvalidated:
      out.kind = Kind::kDead;
      break;
    default:
      out.kind = Kind::kRejected;
      out.scope_refused = error.code == "invalid_scope";
  }
  return out;
}

std::optional<int64_t> StatedLifetimeMs(const formats::TokenGrant& grant) {
  if (!grant.expires_in_s || *grant.expires_in_s <= 0) return std::nullopt;
  return std::min(*grant.expires_in_s, kMaxLifetimeS) * 1000;
}

Credential MergeGrant(const Credential& previous, const formats::TokenGrant& grant, int64_t now_ms,
                      int64_t default_ttl_ms) {
  CREDSIM_ASSERT(!grant.access_token.empty());
  Credential next = previous;
  next.access_token = grant.access_token;
  if (grant.refresh_token && !grant.refresh_token->empty())
    next.refresh_token = *grant.refresh_token;
  // The server's own exp (a JWT access token) first: it is the same number every reader of every
  // store will compute, whatever its clock. Else expires_in on our clock, else the default.
  const auto exp_s = formats::JwtExpirySeconds(grant.access_token);
  if (exp_s && *exp_s > 0 && *exp_s < now_ms / 1000 + kMaxLifetimeS) {
    next.expires_at_ms = *exp_s * 1000;
  } else if (const std::optional<int64_t> lifetime_ms = StatedLifetimeMs(grant)) {
    next.expires_at_ms = now_ms + *lifetime_ms;
  } else {
    next.expires_at_ms = now_ms + default_ttl_ms;
  }
  // A blank scope would wipe the stored one (Claude Code then reports "Not logged in"): ignore it.
  if (grant.scope) {
    auto scopes = SplitScopes(*grant.scope);
    if (!scopes.empty()) next.scopes = std::move(scopes);
  }
  if (grant.id_token) {
    next.id_token = grant.id_token;
    // Codex CLI refuses to refresh an auth.json without tokens.account_id (it takes the file for
    // another account's): take it from the id_token's ChatGPT claim when none is known yet.
    if (!next.account_id) next.account_id = formats::JwtOpenAiAccountId(*grant.id_token);
  }
  return next;
}

int64_t BackoffDelayMs(const SessionConfig& config, int attempt,
                       std::optional<int64_t> retry_after_ms, uint64_t random) {
  CREDSIM_ASSERT(attempt >= 0);
  CREDSIM_ASSERT(config.backoff_ms_min > 0 && config.backoff_ms_max >= config.backoff_ms_min);
  if (retry_after_ms && *retry_after_ms > config.retry_after_ms_max) return -1;
  const int shift = std::min(attempt, 20);  // bound the exponent: no overflow
  const int64_t window = std::min(config.backoff_ms_max, config.backoff_ms_min << shift);
  // "Equal jitter" over [window/2, window]: spreads a herd, never retries immediately.
  const int64_t jittered = window / 2 + static_cast<int64_t>(random % (window / 2 + 1));
  const int64_t delay = std::max(jittered, retry_after_ms.value_or(0));
  CREDSIM_ASSERT(delay >= 0);
  return delay;
}

}  // namespace credsim::engine
