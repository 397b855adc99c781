#include "sim/policies/tool_codex.h"

#include <optional>
#include <string>

#include "base/assert.h"
#include "base/json_string.h"
#include "engine/formats/time_units.h"
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

// docs/REAL_CLIENTS.md#codex-when-it-refreshes
constexpr int64_t kRefreshWindowMs = 5 * kMinuteMs;
// docs/REAL_CLIENTS.md#codex-refresh-request
constexpr const char* kClientId = "app_EMoamEEZ73f0CkXaXp7hrann";
// 500s are retried, 16 requests in one run (docs/REAL_CLIENTS.md#codex-errors).
constexpr int kMaxRequests = 16;
constexpr int64_t kServerErrorPauseMs = 1000;  // assumption: the count was measured, not the pause
// Losers recover if the winner's answer lands within ~0.5 s: they reload auth.json
// (docs/REAL_CLIENTS.md#codex-concurrency). The 100 ms cadence of the reloads is an assumption;
// the 0.5 s window is measured.
constexpr int kReloads = 5;
constexpr int64_t kReloadEveryMs = 100;
constexpr int64_t kFlockTimeoutMs = 60 * kSecondMs;  // flock blocks; the bound is ours

const StoreId kAuth{StoreKind::kCodexAuth, ""};

struct CodexView {
  bool ok = false;
  std::string bytes;
  formats::CodexAuth auth;
  std::string access, refresh;
};

struct Ctx {
  World& world;
  size_t index;
  SimIo& io;
  const std::string& name;
};

Task<CodexView> ReadAuth(Ctx& x) {
  engine::StoreRead read = co_await x.io.Read(kAuth);
  CodexView v;
  if (read.status != engine::IoStatus::kOk) co_return v;
  formats::Result<formats::CodexAuth> parsed = formats::ParseCodexAuth(read.bytes);
  if (!parsed.ok() || !parsed.value().tokens) co_return v;
  v.ok = true;
  v.bytes = read.bytes;
  v.auth = parsed.value();
  v.access = v.auth.tokens->access_token.value_or("");
  v.refresh = v.auth.tokens->refresh_token.value_or("");
  co_return v;
}

// The body Codex sends: JSON, no scope (docs/REAL_CLIENTS.md#codex-refresh-request).
engine::HttpRequest RefreshRequest(const std::string& refresh_token, const char* reason) {
  std::string body = "{\"client_id\":\"" + std::string(kClientId) +
                     "\",\"grant_type\":\"refresh_token\",\"refresh_reason\":\"" + reason +
                     "\",\"refresh_token\":";
  base::AppendJsonString(body, refresh_token);
  body += "}";
  return JsonTokenRequest(engine::Provider::kOpenAiCodex, std::move(body));
}

// POST, retrying 5xx and unsent requests; nullopt when every attempt failed that way.
Task<std::optional<formats::TokenResponse>> PostWithRetries(Ctx& x, std::string rt,
                                                            const char* reason) {
  for (int attempt = 0; attempt < kMaxRequests; ++attempt) {
    engine::HttpRequest request = RefreshRequest(rt, reason);
    engine::HttpResult http = co_await x.io.PostToken(std::move(request));
    if (http.transport == engine::HttpResult::Transport::kResponse && http.status < 500) {
      formats::Result<formats::TokenResponse> parsed =
          formats::ParseTokenResponse(http.status, http.body);
      if (parsed.ok()) co_return parsed.value();
      co_return std::nullopt;
    }
    co_await x.world.scheduler().Delay(kServerErrorPauseMs);
  }
  co_return std::nullopt;
}

// The write-back: flock, re-read; if auth.json changed since this process read it, its own
// result is discarded and the disk copy wins; else temp+rename, unknown top-level fields dropped
// (docs/REAL_CLIENTS.md#codex-write-back). A grant without refresh_token or id_token keeps the
// stored one (docs/REAL_CLIENTS.md#codex-refresh-request). Returns the access token to use.
Task<std::string> WriteBack(Ctx& x, CodexView before, formats::TokenGrant grant) {
  const engine::IoStatus locked = co_await x.io.Lock(engine::LockId::kCodexHome, kFlockTimeoutMs);
  if (locked != engine::IoStatus::kOk) co_return grant.access_token;
  CodexView now = co_await ReadAuth(x);
  std::string use = grant.access_token;
  if (!now.ok || now.bytes != before.bytes) {
    x.world.trace().Event(x.world.now_ms(), "tool.result_discarded", x.name);
    use = now.ok ? now.access : grant.access_token;
  } else {
    formats::CodexAuth next = now.auth;
    next.tokens->access_token = grant.access_token;
    if (grant.refresh_token) next.tokens->refresh_token = *grant.refresh_token;
    if (grant.id_token) next.tokens->id_token = *grant.id_token;
    std::string bytes = RebuildCodexDoc(next);
    if (x.world.config().codex_in_place_rewrite) {
      (void)co_await RewriteInPlace(x.world, kAuth, std::move(bytes), Owner::Consumer(x.index));
    } else {
      (void)co_await RenameOver(x.world, kAuth, std::move(bytes), Owner::Consumer(x.index));
    }
  }
  co_await x.io.Unlock(engine::LockId::kCodexHome);
  co_return use;
}

// After refresh_token_reused: reload auth.json for ~0.5 s; a new refresh token there is adopted.
Task<std::optional<std::string>> ReloadAfterReuse(Ctx& x, std::string sent) {
  for (int i = 0; i < kReloads; ++i) {
    CodexView v = co_await ReadAuth(x);
    if (v.ok && v.refresh != sent && !v.access.empty()) co_return v.access;
    co_await x.world.scheduler().Delay(kReloadEveryMs);
  }
  co_return std::nullopt;
}

// The refresh, outside any lock (docs/REAL_CLIENTS.md#codex-write-back). auth.json is never
// touched on failure (docs/REAL_CLIENTS.md#codex-errors). Sets *exit_message when the process
// would exit 1.
Task<std::string> Refresh(Ctx& x, CodexView v, const char* reason, const char** exit_message) {
  std::optional<formats::TokenResponse> answer = co_await PostWithRetries(x, v.refresh, reason);
  if (!answer) co_return v.access;  // auth.json untouched
  if (const auto* error = std::get_if<formats::TokenError>(&*answer)) {
    if (error->kind == formats::TokenErrorKind::kInvalidGrant) {
      *exit_message = kCodexSignInAgain;
      co_return v.access;
    }
    if (error->kind == formats::TokenErrorKind::kRefreshTokenReused ||
        error->kind == formats::TokenErrorKind::kRefreshTokenExpired) {
      std::optional<std::string> adopted = co_await ReloadAfterReuse(x, v.refresh);
      if (adopted) co_return *adopted;
      *exit_message = kCodexAlreadyUsed;  // docs/REAL_CLIENTS.md#codex-concurrency
    }
    co_return v.access;
  }
  formats::TokenGrant grant = std::get<formats::TokenGrant>(*answer);
  co_return co_await WriteBack(x, std::move(v), std::move(grant));
}

// One `codex exec`: proactive refresh when the JWT exp is < 5 min away, else after a 401
// (docs/REAL_CLIENTS.md#codex-when-it-refreshes). Returns the demand's status.
Task<const char*> OneRun(Ctx& x, bool* served, std::string* used) {
  CodexView v = co_await ReadAuth(x);
  if (!v.ok || v.refresh.empty()) co_return "not logged in";
  const char* exit_message = nullptr;
  std::string token = v.access;
  const std::optional<int64_t> exp_s = formats::JwtExpirySeconds(v.access);
  if (exp_s) {
    const int64_t local_ms = x.io.NowMs();
    const bool expiring = *exp_s * 1000 - local_ms < kRefreshWindowMs;
    x.world.ReportExpiryDecision(x.index, x.world.now_ms(), *exp_s * 1000, local_ms,
                                 kRefreshWindowMs, expiring);
    if (expiring) token = co_await Refresh(x, v, "proactive_expiry", &exit_message);
  }
  *used = token;
  if (exit_message) co_return exit_message;
  if (ApiAccepts(x.world, token)) {
    *served = true;
    co_return "ok";
  }
  CodexView again = co_await ReadAuth(x);
  if (!again.ok) co_return "not logged in";
  token = co_await Refresh(x, again, "unauthorized_recovery", &exit_message);
  *used = token;
  if (exit_message) co_return exit_message;
  *served = ApiAccepts(x.world, token);
  co_return *served ? "ok" : "401";
}

}  // namespace

Task<void> RunCodexCli(World& world, size_t index) {
  World::Consumer& c = world.consumer(index);
  CREDSIM_ASSERT(c.session.provider == engine::Provider::kOpenAiCodex);
  Ctx x{world, index, *c.io, c.spec.name};
  // A named variable, not a temporary inside co_await (a g++ 12 coroutine bug, see sim/README).
  ToolAttempt attempt = [&x](bool* served, std::string* used) -> Task<const char*> {
    const char* status = co_await OneRun(x, served, used);
    if (!*served) x.world.trace().Event(x.world.now_ms(), "tool.exit", x.name).Str("why", status);
    co_return status;
  };
  co_await RunToolDemands(world, index, std::move(attempt));
}

}  // namespace credsim::sim
