#include "sim/policies/legacy_pool.h"

#include <algorithm>

#include "engine/token_client.h"
#include "sim/policies/legacy_util.h"

namespace credsim::sim {
namespace {

using engine::IoStatus;
using engine::StoreId;
using engine::StoreKind;
using formats::JsonValue;
using legacy::EditAgentRead;
using legacy::ForEachPoolEntry;
using legacy::ObjectOf;

constexpr int64_t kHourMs = 60 * 60 * 1000;

bool IsExhausted(const JsonValue& entry) {
  const JsonValue* s = entry.Find("last_status");
  return s && s->kind == formats::JsonKind::kString && s->string == "exhausted";
}

// An HTTP answer the pool makes up without sending anything: the entry is benched.
engine::HttpResult Benched(int64_t retry_after_ms) {
  engine::HttpResult r;
  r.transport = engine::HttpResult::Transport::kResponse;
  r.status = 429;
  r.body = "{\"error\":\"pool_exhausted\"}";
  r.retry_after_ms = std::max<int64_t>(retry_after_ms, 0);
  return r;
}

// Report 1 (hermes PR 4765, before the fix): the pool refreshes from its own entry and never syncs
// from, nor writes back to, Claude Code's stores; the pool's refresh token goes stale the moment
// Claude Code rotates, and the pool's verdict on it (exhausted) stands until the pool itself
// changes. The pool path does not see the Claude stores at all.
class PoolNotSyncedFromFile final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    if (legacy::IsClaudeStore(store)) co_return engine::StoreRead{};  // "not found"
    co_return co_await target().Read(std::move(store));
  }
  Task<engine::StoreWrite> CompareAndSwap(StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override {
    if (legacy::IsClaudeStore(store)) co_return legacy::PretendWritten(bytes);
    co_return co_await target().CompareAndSwap(std::move(store), expected, std::move(bytes));
  }
};

// Hermes, openai-codex, reported without a public issue
// (docs/REPORTS.md#unconfirmed-a-login-written-to-the-pool-only): `auth add` wrote the login into
// the pool only, and the runtime resolves credentials from providers.<provider> only: "missing
// access_token".
class ReadsProvidersBlockOnly final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    engine::StoreRead real = co_await target().Read(store);
    co_return EditAgentRead(store, std::move(real), [](JsonValue& doc) {
      doc.Remove("credential_pool");
      return true;
    });
  }
};

// Reports 16 and 19 (hermes #119163, #104635, #89415): an entry marked exhausted stays benched
// whatever its tokens are now; only a manual `auth reset` clears the flag. Reads hide the
// tokens of exhausted entries (the selector skips them); writes never clear the flag.
class ExhaustedFlagSticky final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    engine::StoreRead real = co_await target().Read(store);
    co_return EditAgentRead(store, std::move(real), [](JsonValue& doc) {
      ForEachPoolEntry(doc, [](JsonValue& entry) {
        if (!IsExhausted(entry)) return;
        entry.Remove("access_token");
        entry.Remove("refresh_token");
      });
      return true;
    });
  }
};

// Report 19 (hermes #104635): while an entry's cooldown runs (exhausted until last_error_reset_at)
// the pool never refreshes it, so its access token expires inside the cooldown and the entry is
// frozen until reset_at. Modelled as the pool answering its own refresh attempts with "benched".
class CooldownBlocksRefresh final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    engine::StoreRead real = co_await target().Read(store);
    if (store.kind == StoreKind::kAgentAuth && real.status == IoStatus::kOk) {
      if (auto doc = ObjectOf(real.bytes)) {
        ForEachPoolEntry(*doc, [this](JsonValue& entry) {
          const JsonValue* reset = entry.Find("last_error_reset_at");
          if (IsExhausted(entry) && reset && reset->kind == formats::JsonKind::kInt64) {
            cooldown_until_ms_ = std::max(cooldown_until_ms_, reset->int64 * 1000);
          }
        });
      }
    }
    co_return real;
  }
  Task<engine::HttpResult> PostToken(engine::HttpRequest request) override {
    const int64_t now_ms = NowMs();
    if (now_ms < cooldown_until_ms_) co_return Benched(cooldown_until_ms_ - now_ms);
    co_return co_await target().PostToken(std::move(request));
  }

 private:
  int64_t cooldown_until_ms_ = 0;
};

// Report 16 (hermes #53041, before PR #78380): one 429 benches the only credential for an hour;
// nothing is sent for it until the hour is over.
class SoleCredentialBenchedOnRateLimit final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::HttpResult> PostToken(engine::HttpRequest request) override {
    const int64_t now_ms = NowMs();
    if (now_ms < benched_until_ms_) co_return Benched(benched_until_ms_ - now_ms);
    engine::HttpResult r = co_await target().PostToken(std::move(request));
    if (r.transport == engine::HttpResult::Transport::kResponse && r.status == 429) {
      benched_until_ms_ = NowMs() + kHourMs;
    }
    co_return r;
  }

 private:
  int64_t benched_until_ms_ = 0;
};

// Report 10 (hermes #19611, before PRs #19612/#26469): the runtime takes the Codex session from
// the pool entry, but the refresh path (resolve_codex_runtime_credentials) writes the rotated
// pair into providers.openai-codex only, so the pool keeps replaying the spent refresh token.
// Reads hide the providers block; a write of the pool entry lands in the providers block.
class SingletonRefreshNotMirrored final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    engine::StoreRead real = co_await target().Read(store);
    const engine::StoreVersion version = real.version;
    std::string bytes = real.bytes;
    co_return EditAgentRead(store, std::move(real), [&](JsonValue& doc) {
      real_version_ = version;  // what the runtime's own write must replace
      real_bytes_ = std::move(bytes);
      doc.Remove("providers");
      return true;
    });
  }
  Task<engine::StoreWrite> CompareAndSwap(StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override {
    if (store.kind != StoreKind::kAgentAuth) {
      co_return co_await target().CompareAndSwap(std::move(store), expected, std::move(bytes));
    }
    auto written = ObjectOf(bytes);
    auto real = ObjectOf(real_bytes_);
    if (!written || !real) co_return engine::StoreWrite{IoStatus::kIoError, {}, {}};
    JsonValue tokens = JsonValue::Object();
    ForEachPoolEntry(*written, [&tokens](JsonValue& entry) {
      for (const char* key : {"access_token", "refresh_token"}) {
        if (const JsonValue* v = entry.Find(key)) tokens.Set(key, *v);
      }
    });
    if (tokens.members.empty()) co_return engine::StoreWrite{IoStatus::kIoError, {}, {}};
    JsonValue providers = JsonValue::Object();
    if (const JsonValue* old = real->Find("providers"); old && old->is_object()) providers = *old;
    JsonValue block = JsonValue::Object();
    block.Set("tokens", tokens);
    providers.Set("openai-codex", block);
    real->Set("providers", providers);
    engine::StoreWrite w =
        co_await target().CompareAndSwap(store, real_version_, formats::WriteJsonTree(*real));
    if (w.status == IoStatus::kOk) w.version = engine::VersionOf(bytes);  // the engine's view
    co_return w;
  }

 private:
  engine::StoreVersion real_version_;
  std::string real_bytes_;
};

}  // namespace

std::unique_ptr<engine::Io> MakeLegacyPoolIo(const std::string& name, engine::Io& base) {
  if (name == "PoolNotSyncedFromFile") return std::make_unique<PoolNotSyncedFromFile>(base);
  if (name == "ReadsProvidersBlockOnly") return std::make_unique<ReadsProvidersBlockOnly>(base);
  if (name == "ExhaustedFlagSticky") return std::make_unique<ExhaustedFlagSticky>(base);
  if (name == "CooldownBlocksRefresh") return std::make_unique<CooldownBlocksRefresh>(base);
  if (name == "SoleCredentialBenchedOnRateLimit") {
    return std::make_unique<SoleCredentialBenchedOnRateLimit>(base);
  }
  if (name == "SingletonRefreshNotMirrored") {
    return std::make_unique<SingletonRefreshNotMirrored>(base);
  }
  return nullptr;
}

}  // namespace credsim::sim
