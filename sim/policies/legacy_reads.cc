#include "sim/policies/legacy_reads.h"

#include <map>

#include "engine/session.h"
#include "engine/store_codec.h"
#include "engine/token_client.h"
#include "sim/policies/legacy_util.h"

namespace credsim::sim {
namespace {

using engine::IoStatus;
using engine::StoreId;
using engine::StoreKind;
using formats::JsonValue;

// claude-code #41507, #88947 (docs/REPORTS.md 20): a session that waited for the refresh lock goes
// on with the refresh token it read before waiting; it never re-reads under the lock, so every
// waiter presents the token the lock holder just rotated.
class NoReReadUnderLock final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    if (locks_held_ > 0) {
      if (auto it = before_lock_.find(store); it != before_lock_.end()) co_return it->second;
    }
    engine::StoreRead r = co_await target().Read(store);
    if (locks_held_ == 0) before_lock_[store] = r;
    co_return r;
  }
  Task<IoStatus> Lock(engine::LockId lock, int64_t timeout_ms) override {
    IoStatus s = co_await target().Lock(lock, timeout_ms);
    if (s == IoStatus::kOk) ++locks_held_;
    co_return s;
  }
  Task<void> Unlock(engine::LockId lock) override {
    if (locks_held_ > 0) --locks_held_;
    co_await target().Unlock(lock);
  }

 private:
  int locks_held_ = 0;
  std::map<StoreId, engine::StoreRead> before_lock_;  // bounded by the session's stores
};

// pi #6079, opencode #9111 (docs/REPORTS.md 31): a live session keeps the credential it loaded at
// start-up and never looks at the store again; another process's refresh goes unnoticed until
// this one replays the spent refresh token. Its own writes update its copy.
class NoReReadCachedCredential final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    if (auto it = loaded_.find(store); it != loaded_.end()) co_return it->second;
    engine::StoreRead r = co_await target().Read(store);
    loaded_[store] = r;
    co_return r;
  }
  Task<engine::StoreWrite> CompareAndSwap(StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override {
    // It writes over whatever is there: it believes its copy is the store.
    engine::StoreRead now = co_await target().Read(store);
    engine::StoreWrite w = co_await target().CompareAndSwap(store, now.version, bytes);
    if (w.status == IoStatus::kOk) {
      loaded_[store] = engine::StoreRead{IoStatus::kOk, bytes, w.version, {}, {}};
    }
    (void)expected;
    co_return w;
  }

 private:
  std::map<StoreId, engine::StoreRead> loaded_;  // bounded by the session's stores
};

// OpenClaw #34117, #17274 (docs/REPORTS.md 30): `configure` saved the Claude login as a static
// token profile (no refresh token), and the anthropic:claude-cli profile, which Claude Code keeps
// fresh, is never read: every ~8 h the token expires and nothing can renew it.
class StaticTokenProfile final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    if (legacy::IsClaudeStore(store)) co_return engine::StoreRead{};  // never consulted
    engine::StoreRead r = co_await target().Read(store);
    co_return legacy::EditAgentRead(store, std::move(r), [](JsonValue& doc) {
      const JsonValue* pool = doc.Find("credential_pool");
      if (!pool || !pool->is_object()) return false;  // nothing to rewrite: read as it is
      legacy::ForEachPoolEntry(doc, [](JsonValue& entry) {
        entry.Remove("refresh_token");  // type "token": no refresh
      });
      return true;
    });
  }
  Task<engine::StoreWrite> CompareAndSwap(StoreId, engine::StoreVersion,
                                          std::string bytes) override {
    co_return legacy::PretendWritten(bytes);  // a static profile is never rewritten
  }
};

// hermes #15099 (docs/REPORTS.md 9): a health check reads each store and POSTs every refresh token
// it finds to the token endpoint "to see if it still works", throwing the answer away. Each POST
// spends the token; the next one is a reuse.
class ObserverSpendsRefreshTokens final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    engine::StoreRead r = co_await target().Read(store);
    const engine::Provider provider = ProviderOf(store, r.bytes);
    const engine::SessionConfig session = engine::DefaultSession(provider, "");
    engine::StoreView view = engine::DecodeStore(provider, store, r);
    for (size_t i = 0; i < view.slots.size() && i < 8; ++i) {
      const std::string& rt = view.slots[i].credential.refresh_token;
      if (rt.empty()) continue;
      engine::HttpRequest probe = engine::BuildRefreshRequest(session, view.slots[i].credential);
      (void)co_await target().PostToken(std::move(probe));
    }
    co_return r;
  }

 private:
  static engine::Provider ProviderOf(const StoreId& store, const std::string& bytes) {
    if (store.kind == StoreKind::kCodexAuth) return engine::Provider::kOpenAiCodex;
    const bool codex =
        store.kind == StoreKind::kAgentAuth && bytes.find("\"openai-codex\"") != std::string::npos;
    return codex ? engine::Provider::kOpenAiCodex : engine::Provider::kAnthropic;
  }
};

}  // namespace

std::unique_ptr<engine::Io> MakeLegacyReadsIo(const std::string& name, engine::Io& base) {
  if (name == "NoReReadUnderLock") return std::make_unique<NoReReadUnderLock>(base);
  if (name == "NoReReadCachedCredential") return std::make_unique<NoReReadCachedCredential>(base);
  if (name == "StaticTokenProfile") return std::make_unique<StaticTokenProfile>(base);
  if (name == "ObserverSpendsRefreshTokens") {
    return std::make_unique<ObserverSpendsRefreshTokens>(base);
  }
  return nullptr;
}

}  // namespace credsim::sim
