#include "sim/policies/legacy_refresh.h"

#include <map>

#include "base/assert.h"
#include "sim/policies/legacy_util.h"

namespace credsim::sim {
namespace {

using engine::IoStatus;
using engine::StoreId;
using engine::StoreKind;
using formats::JsonValue;

// claude-code #58066 (docs/REPORTS.md 22): every Claude Code process refreshed about every five
// minutes although the stored expiry was days ahead. The cause is not in the report; the
// deviation reproduces the behaviour: each read sees the stored token as due now, so every use
// rotates, and on a server that revokes the family's other access tokens on each rotation the
// sibling processes keep getting 401s.
class RefreshesEveryUse final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    engine::StoreRead r = co_await target().Read(store);
    if (!legacy::IsClaudeStore(store) || r.status != IoStatus::kOk) co_return r;
    auto doc = legacy::ObjectOf(r.bytes);
    JsonValue* oauth = doc ? doc->Find("claudeAiOauth") : nullptr;
    JsonValue* expires = oauth && oauth->is_object() ? oauth->Find("expiresAt") : nullptr;
    if (!expires) co_return r;
    *expires = JsonValue::Int(target().NowMs());
    // The store's real version stays: the tool's own writes still compare-and-swap against
    // what is on disk.
    r.bytes = formats::WriteJsonTree(*doc);
    co_return r;
  }
};

// pi PR #466 (docs/REPORTS.md 31): a process that lost a refresh race (the server refused its
// refresh token) deleted the credentials it had read, the winner's fresh pair included. Modelled
// as the store rewritten to an empty object after any refused refresh.
class LostRaceDeletesStore final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    engine::StoreRead r = co_await target().Read(store);
    if (store.kind != StoreKind::kClaudeKeychain && store.kind != StoreKind::kEngineRescue) {
      read_.insert_or_assign(store, true);
      CREDSIM_ASSERT(read_.size() <= 16, "a session has a handful of stores");
    }
    co_return r;
  }
  Task<engine::HttpResult> PostToken(engine::HttpRequest request) override {
    engine::HttpResult result = co_await target().PostToken(std::move(request));
    const bool refused = result.transport == engine::HttpResult::Transport::kResponse &&
                         (result.status == 400 || result.status == 401);
    if (!refused) co_return result;
    for (const auto& [store, unused] : read_) {
      engine::StoreRead now = co_await target().Read(store);
      if (now.status == IoStatus::kOk) {
        (void)co_await target().CompareAndSwap(store, now.version, "{}");
      }
    }
    co_return result;
  }

 private:
  std::map<StoreId, bool> read_;  // the stores it loaded credentials from
};

// hermes #12905 (docs/REPORTS.md 4): Hermes read only ~/.claude/.credentials.json; since Claude
// Code 2.1.114 keeps its credentials in the keychain on macOS, Hermes found none. Its writes went
// to the file only.
class KeychainNeverRead final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    if (store.kind == StoreKind::kClaudeKeychain) {
      co_return engine::StoreRead{IoStatus::kNotFound, {}, {}, {}, "not looked at"};
    }
    co_return co_await target().Read(store);
  }
  Task<engine::StoreWrite> CompareAndSwap(StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override {
    if (store.kind == StoreKind::kClaudeKeychain) co_return legacy::PretendWritten(bytes);
    co_return co_await target().CompareAndSwap(store, expected, std::move(bytes));
  }
};

}  // namespace

std::unique_ptr<engine::Io> MakeLegacyRefreshIo(const std::string& name, engine::Io& base) {
  if (name == "RefreshesEveryUse") return std::make_unique<RefreshesEveryUse>(base);
  if (name == "LostRaceDeletesStore") return std::make_unique<LostRaceDeletesStore>(base);
  if (name == "KeychainNeverRead") return std::make_unique<KeychainNeverRead>(base);
  return nullptr;
}

UnauthorizedRetry UnauthorizedRetryOf(const std::string& policy) {
  // About six a second (the report); 60 rotations bound one demand's loop.
  if (policy == "Unbounded401Retry") return {.max_rotations = 60, .pause_ms = 160};
  return {};
}

}  // namespace credsim::sim
