#include "sim/policies/tool_agent_gateway.h"

#include <optional>
#include <string>
#include <vector>

#include "base/assert.h"
#include "engine/store_codec.h"
#include "engine/token_client.h"
#include "sim/policies/tool_common.h"
#include "sim/sim_io.h"
#include "sim/trace.h"
#include "sim/world.h"

namespace credsim::sim {
namespace {

using engine::StoreId;
using engine::StoreKind;

constexpr int64_t kLeewayMs = 5 * kMinuteMs;  // assumption: the same window as the CLIs
constexpr int64_t kExhaustedTtlMs = kHourMs;  // R1: PR #6504 cut the 24 h default to 1 h
constexpr int64_t kFlockTimeoutMs = 30 * kSecondMs;

struct Ctx {
  World& world;
  size_t index;
  SimIo& io;
  const engine::SessionConfig& session;
  const std::string& name;
  std::vector<StoreId> own;  // profile (if any), then root: where the gateway reads and writes
  StoreId tool_file;
  int64_t exhausted_until_ms = 0;  // pool entry status (R1), in local time
};

// The freshest credential with a refresh token among `ids`, in order (profile before root, R12).
Task<std::optional<engine::Credential>> ReadFirst(Ctx& x, std::vector<StoreId> ids) {
  std::optional<engine::Credential> best;
  for (const StoreId& id : ids) {
    engine::StoreRead read = co_await x.io.Read(id);
    engine::StoreView view = engine::DecodeStore(x.session.provider, id, read);
    for (const engine::Candidate& slot : view.slots) {
      if (slot.credential.refresh_token.empty()) continue;
      if (!best || slot.credential.expires_at_ms > best->expires_at_ms) best = slot.credential;
    }
    if (best) co_return best;  // a profile with its own entry does not look at root (R12)
  }
  co_return best;
}

// Sync from the tool's file before cooldown checks and before refreshing (R1, R10 fixes): a
// different, later copy there replaces the pool's and clears the bench.
Task<std::optional<engine::Credential>> ReadSynced(Ctx& x) {
  std::optional<engine::Credential> pool = co_await ReadFirst(x, x.own);
  std::vector<StoreId> file_only{x.tool_file};
  std::optional<engine::Credential> file = co_await ReadFirst(x, file_only);
  if (file && (!pool || (file->refresh_token != pool->refresh_token &&
                         file->expires_at_ms >= pool->expires_at_ms))) {
    x.exhausted_until_ms = 0;
    co_return file;
  }
  co_return pool;
}

// Write-back into the profile, root (write-through, R12/R13) and the tool file (R1), each one
// compare-and-swap through the store codec; a lost swap is left for the next refresh.
Task<void> WriteEverywhere(Ctx& x, engine::Credential next) {
  std::vector<StoreId> targets = x.own;
  targets.push_back(x.tool_file);
  for (const StoreId& id : targets) {
    engine::StoreRead read = co_await x.io.Read(id);
    engine::StoreView view = engine::DecodeStore(x.session.provider, id, read);
    std::optional<std::string> bytes =
        engine::EncodeCredential(x.session.provider, view, next, x.io.NowMs());
    if (bytes) (void)co_await x.io.CompareAndSwap(id, view.version, std::move(*bytes));
  }
}

// Under the agent's flock held across sync, POST and write-back (R11 fix, PR #56233).
Task<std::string> Refresh(Ctx& x, std::string rejected) {
  const engine::IoStatus locked = co_await x.io.Lock(engine::LockId::kAgentHome, kFlockTimeoutMs);
  if (locked != engine::IoStatus::kOk) co_return "";
  std::string token;
  std::optional<engine::Credential> current = co_await ReadSynced(x);
  if (current && current->access_token != rejected &&
      current->expires_at_ms - x.io.NowMs() >= kLeewayMs) {
    token = current->access_token;  // the waiter re-syncs and skips its POST (R11)
  } else if (current) {
    engine::HttpRequest request = engine::BuildRefreshRequest(x.session, *current);
    engine::HttpResult http = co_await x.io.PostToken(std::move(request));
    engine::RefreshOutcome outcome = engine::ClassifyRefresh(http);
    if (outcome.kind == engine::RefreshOutcome::Kind::kGranted) {
      engine::Credential next = engine::MergeGrant(*current, outcome.grant, x.io.NowMs(),
                                                   x.session.default_access_ttl_ms);
      co_await WriteEverywhere(x, next);
      token = next.access_token;
    } else if (outcome.kind == engine::RefreshOutcome::Kind::kDead) {
      x.exhausted_until_ms = x.io.NowMs() + kExhaustedTtlMs;  // R1
      x.world.trace().Event(x.world.now_ms(), "tool.pool_exhausted", x.name);
    }
  }
  co_await x.io.Unlock(engine::LockId::kAgentHome);
  co_return token;
}

Task<const char*> OneRequest(Ctx& x, bool* served, std::string* used) {
  std::optional<engine::Credential> c = co_await ReadSynced(x);
  if (!c) co_return "no credentials";
  if (x.io.NowMs() < x.exhausted_until_ms) co_return "pool exhausted";
  std::string token = c->access_token;
  if (c->expires_at_ms > 0) {
    const int64_t local_ms = x.io.NowMs();
    const bool expiring = c->expires_at_ms - local_ms < kLeewayMs;
    x.world.ReportExpiryDecision(x.index, x.world.now_ms(), c->expires_at_ms, local_ms, kLeewayMs,
                                 expiring);
    if (expiring) token = co_await Refresh(x, "");
  }
  *used = token;
  if (ApiAccepts(x.world, token)) {
    *served = true;
    co_return "ok";
  }
  token = co_await Refresh(x, token);  // one recovery per request: a bounded streak (R17)
  *used = token;
  *served = ApiAccepts(x.world, token);
  co_return *served ? "ok" : "401";
}

}  // namespace

Task<void> RunAgentGateway(World& world, size_t index) {
  World::Consumer& c = world.consumer(index);
  const bool openai = c.session.provider == engine::Provider::kOpenAiCodex;
  Ctx x{world, index, *c.io, c.session, c.spec.name, {}, {}};
  if (!c.spec.profile.empty()) x.own.push_back({StoreKind::kAgentAuth, c.spec.profile});
  x.own.push_back({StoreKind::kAgentAuth, ""});
  x.tool_file = {openai ? StoreKind::kCodexAuth : StoreKind::kClaudeFile, ""};
  CREDSIM_ASSERT(!x.own.empty() && x.own.size() <= 2);
  ToolAttempt attempt = [&x](bool* served, std::string* used) {
    return OneRequest(x, served, used);
  };
  co_await RunToolDemands(world, index, std::move(attempt));
}

}  // namespace credsim::sim
