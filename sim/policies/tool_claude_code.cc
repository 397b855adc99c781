#include "sim/policies/tool_claude_code.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "base/assert.h"
#include "base/json_string.h"
#include "engine/formats/token_response.h"
#include "sim/policies/tool_common.h"
#include "sim/policies/tool_docs.h"
#include "sim/sim_io.h"
#include "sim/trace.h"
#include "sim/world.h"

namespace credsim::sim {
namespace {

using engine::StoreId;
using engine::StoreKind;

// docs/REAL_CLIENTS.md#claude-code-when-it-refreshes
constexpr int64_t kRefreshWindowMs = 5 * kMinuteMs;
constexpr int64_t kRetryBackoffMs[] = {1000, 2000, 4000, 10000, 20000};
// docs/REAL_CLIENTS.md#claude-code-lock-protocol
constexpr int kLockRetries = 5;
// docs/REAL_CLIENTS.md#claude-code-refresh-request
constexpr const char* kClientId = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";
constexpr const char* kFixedScope =
    "user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload";

const StoreId kFile{StoreKind::kClaudeFile, ""};
const StoreId kKeychain{StoreKind::kClaudeKeychain, ""};

struct ClaudeView {
  StoreId from = kFile;
  std::string bytes;
  std::optional<formats::ClaudeOauth> oauth;  // nullopt: no readable claudeAiOauth
};

struct Ctx {
  World& world;
  size_t index;
  ClaudeCodeFlavor flavor;
  SimIo& io;
  const std::string& name;
};

Task<ClaudeView> ReadOne(Ctx& x, StoreId id) {
  engine::StoreRead read = co_await x.io.Read(id);
  ClaudeView v;
  v.from = id;
  if (read.status != engine::IoStatus::kOk) co_return v;
  v.bytes = read.bytes;
  formats::Result<formats::ClaudeCredentials> parsed = formats::ParseClaudeCredentials(read.bytes);
  if (parsed.ok()) v.oauth = parsed.value().oauth;
  co_return v;
}

// The keychain build reads the keychain item and falls back to the file (docs/REPORTS.md 4, 5).
Task<ClaudeView> ReadCredentials(Ctx& x) {
  if (x.flavor.keychain_first) {
    ClaudeView k = co_await ReadOne(x, kKeychain);
    if (k.oauth) co_return k;
  }
  co_return co_await ReadOne(x, kFile);
}

bool Expiring(Ctx& x, const formats::ClaudeOauth& o, bool report) {
  const int64_t local_ms = x.io.NowMs();
  const bool expiring = o.expires_at_ms - local_ms < kRefreshWindowMs;
  if (report) {
    x.world.ReportExpiryDecision(x.index, x.world.now_ms(), o.expires_at_ms, local_ms,
                                 kRefreshWindowMs, expiring);
  }
  return expiring;
}

// mkdir lock, held across the HTTP request; a waiter retries every 1-2 s up to 5 times, then goes
// on with the stale token. The world keeps a dead holder's lock until it is 10 s stale.
// docs/REAL_CLIENTS.md#claude-code-lock-protocol
Task<bool> TakeRefreshLock(Ctx& x) {
  for (int attempt = 0; attempt <= kLockRetries; ++attempt) {
    const engine::IoStatus s = co_await x.io.Lock(engine::LockId::kClaudeHome, 0);
    if (s == engine::IoStatus::kOk) co_return true;
    if (attempt == kLockRetries) break;
    co_await x.world.scheduler().Delay(x.world.choices().RangeInclusive(1000, 2000));
  }
  x.world.trace().Event(x.world.now_ms(), "tool.lock_gave_up", x.name);
  co_return false;
}

engine::HttpRequest RefreshRequest(const formats::ClaudeOauth& o) {
  // The stored scopes are sent only when the file has a clientId; else the fixed list
  // (docs/REAL_CLIENTS.md#claude-code-refresh-request).
  const std::string scope =
      o.client_id && o.scopes ? JoinScopes(*o.scopes) : std::string(kFixedScope);
  std::string body = "{\"grant_type\":\"refresh_token\",\"refresh_token\":";
  base::AppendJsonString(body, o.refresh_token);
  body += ",\"client_id\":\"" + std::string(kClientId) + "\",\"scope\":";
  base::AppendJsonString(body, scope);
  body += "}";
  return JsonTokenRequest(engine::Provider::kAnthropic, std::move(body));  // JSON, as measured
}

// Which stores this refresh lands in: the flavor's, or (sometimes) only one of the two.
std::vector<StoreId> TargetsFor(Ctx& x) {
  std::vector<StoreId> targets;
  if (x.flavor.writes_keychain) targets.push_back(kKeychain);
  if (x.flavor.writes_file) targets.push_back(kFile);
  if (targets.size() == 2 && x.world.choices().Chance(x.flavor.one_store_per_million)) {
    targets.erase(targets.begin() + static_cast<long>(x.world.choices().BelowU64(2)));
  }
  return targets;
}

Task<void> SaveGrant(Ctx& x, formats::ClaudeOauth next) {
  for (const StoreId& id : TargetsFor(x)) {
    // .storage-write.lock, re-read, temp file renamed over the original
    // (docs/REAL_CLIENTS.md#claude-code-lock-protocol); the rebuild keeps top-level keys and
    // drops unknown keys inside claudeAiOauth (docs/REAL_CLIENTS.md#claude-code-write-back).
    engine::StoreRead current = co_await x.io.Read(id);
    const std::string old = current.status == engine::IoStatus::kOk ? current.bytes : "";
    (void)co_await RenameOver(x.world, id, RebuildClaudeDoc(old, next), Owner::Consumer(x.index));
  }
}

// invalid_grant: wipe the file's tokens, but only if it still holds the refresh token sent
// (docs/REAL_CLIENTS.md#claude-code-refused-refresh).
Task<void> WipeIfStillHolds(Ctx& x, std::string sent_refresh) {
  ClaudeView file = co_await ReadOne(x, kFile);
  if (!file.oauth || file.oauth->refresh_token != sent_refresh) {
    x.world.trace().Event(x.world.now_ms(), "tool.wipe_skipped", x.name);
    co_return;
  }
  x.world.trace().Event(x.world.now_ms(), "tool.wipe", x.name);
  (void)co_await RenameOver(x.world, kFile, WipeClaudeTokens(file.bytes), Owner::Consumer(x.index));
}

// Under the lock: re-read, adopt someone else's fresh token, else POST and handle the answer.
// Returns the access token to use now.
Task<std::string> RefreshLocked(Ctx& x, std::string rejected, std::string stale) {
  ClaudeView v = co_await ReadCredentials(x);
  if (!v.oauth || v.oauth->refresh_token.empty()) co_return stale;
  const formats::ClaudeOauth o = *v.oauth;
  if (o.access_token != rejected && o.access_token != stale && o.scopes && !Expiring(x, o, false)) {
    // A sibling refreshed while this one waited (docs/REAL_CLIENTS.md#claude-code-concurrency).
    co_return o.access_token;
  }
  engine::HttpRequest request = RefreshRequest(o);
  engine::HttpResult http = co_await x.io.PostToken(std::move(request));
  if (http.transport != engine::HttpResult::Transport::kResponse) co_return o.access_token;
  formats::Result<formats::TokenResponse> parsed =
      formats::ParseTokenResponse(http.status, http.body);
  if (!parsed.ok()) co_return o.access_token;
  if (const auto* error = std::get_if<formats::TokenError>(&parsed.value())) {
    if (error->kind == formats::TokenErrorKind::kInvalidGrant) {
      co_await WipeIfStillHolds(x, o.refresh_token);
    }
    co_return o.access_token;
  }
  const auto& grant = std::get<formats::TokenGrant>(parsed.value());
  const std::vector<std::string> scopes = SplitScope(grant.scope.value_or(""));
  if (!grant.expires_in_s ||
      std::find(scopes.begin(), scopes.end(), "user:inference") == scopes.end()) {
    // Without expires_in and a scope holding user:inference it does not save
    // (docs/REAL_CLIENTS.md#claude-code-required-answer-fields).
    x.world.trace().Event(x.world.now_ms(), "tool.grant_not_saved", x.name);
    co_return o.access_token;
  }
  // subscriptionType, rateLimitTier and clientId are carried over; expiresAt is in ms; scopes
  // come from the response (docs/REAL_CLIENTS.md#claude-code-write-back).
  formats::ClaudeOauth next = o;
  next.access_token = grant.access_token;
  if (grant.refresh_token) next.refresh_token = *grant.refresh_token;
  next.expires_at_ms = x.io.NowMs() + *grant.expires_in_s * 1000;
  next.scopes = scopes;
  co_await SaveGrant(x, next);
  co_return next.access_token;
}

Task<std::string> Refresh(Ctx& x, std::string rejected, std::string stale) {
  if (!co_await TakeRefreshLock(x)) co_return stale;  // go on with the stale token
  std::string token = co_await RefreshLocked(x, std::move(rejected), stale);
  co_await x.io.Unlock(engine::LockId::kClaudeHome);
  co_return token;
}

// One `claude -p`: read, refresh if < 5 min left, call the API, on 401 refresh and retry with
// backoff (docs/REAL_CLIENTS.md#claude-code-when-it-refreshes). Returns the status for the
// demand report.
Task<const char*> OneRun(Ctx& x, bool* served, std::string* used) {
  ClaudeView v = co_await ReadCredentials(x);
  if (!v.oauth || v.oauth->access_token.empty()) co_return "not logged in";
  const formats::ClaudeOauth o = *v.oauth;
  const bool expiring = Expiring(x, o, true);
  // Missing scopes: "Not logged in" unless the token expired and a subscriptionType lets it
  // refresh and repair them (docs/REAL_CLIENTS.md#claude-code-missing-scopes).
  if (!o.scopes && !(expiring && o.subscription_type)) co_return "not logged in (no scopes)";
  std::string token = o.access_token;
  if (expiring) token = co_await Refresh(x, "", token);
  for (size_t attempt = 0; attempt <= std::size(kRetryBackoffMs); ++attempt) {
    *used = token;
    if (ApiAccepts(x.world, token)) {
      *served = true;
      co_return "ok";
    }
    if (attempt == std::size(kRetryBackoffMs)) break;
    token = co_await Refresh(x, token, token);  // after any 401
    *used = token;
    if (ApiAccepts(x.world, token)) {
      *served = true;
      co_return "ok";
    }
    co_await x.world.scheduler().Delay(kRetryBackoffMs[attempt]);
  }
  co_return "401 after retries";
}

}  // namespace

ClaudeCodeFlavor ClaudeCodeFlavorFor(const char* policy) {
  if (std::strcmp(policy, "claude-code-cli-keychain") == 0) {
    return {.keychain_first = true,
            .writes_keychain = true,
            .writes_file = true,
            .one_store_per_million = 250'000};
  }
  if (std::strcmp(policy, "claude-code-ide") == 0) {
    return {.keychain_first = true, .writes_keychain = false, .writes_file = true};
  }
  // Claude Code >= 2.1.114 on macOS keeps its credentials in the keychain item only
  // (docs/REPORTS.md 4): it reads the keychain and never writes the file.
  if (std::strcmp(policy, "claude-code-macos") == 0) {
    return {.keychain_first = true, .writes_keychain = true, .writes_file = false};
  }
  return {};
}

Task<void> RunClaudeCode(World& world, size_t index, ClaudeCodeFlavor flavor) {
  World::Consumer& c = world.consumer(index);
  CREDSIM_ASSERT(flavor.writes_file || flavor.writes_keychain);
  Ctx x{world, index, flavor, *c.io, c.spec.name};
  ToolAttempt attempt = [&x](bool* served, std::string* used) { return OneRun(x, served, used); };
  co_await RunToolDemands(world, index, std::move(attempt));
}

}  // namespace credsim::sim
