#include "sim/policies/legacy_io.h"

#include "engine/formats/json_tree.h"
#include "sim/policies/legacy_pool.h"
#include "sim/policies/legacy_reads.h"
#include "sim/policies/legacy_refresh.h"
#include "sim/policies/legacy_util.h"
#include "sim/policies/legacy_writeback.h"

namespace credsim::sim {
namespace {

using engine::IoStatus;
using engine::StoreId;
using engine::StoreKind;

using legacy::IsClaudeStore;

// Report 11 (hermes PR 56233): two processes refresh "under a lock" that excludes nobody.
class RefreshOutsideLock final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<IoStatus> Lock(engine::LockId, int64_t) override { co_return IoStatus::kOk; }
  Task<void> Unlock(engine::LockId) override { co_return; }
};

// Reports 2 and 3 (hermes 4118, 83338): the write-back rebuilds claudeAiOauth without `field`.
class WriteBackDropsField final : public engine::IoWrapper {
 public:
  WriteBackDropsField(engine::Io& target, const char* field) : IoWrapper(target), field_(field) {}
  Task<engine::StoreWrite> CompareAndSwap(StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override {
    if (IsClaudeStore(store)) {
      auto tree = formats::ParseJsonTree(bytes);
      if (tree.ok() && tree.value().is_object()) {
        if (formats::JsonValue* oauth = tree.value().Find("claudeAiOauth");
            oauth && oauth->is_object()) {
          oauth->Remove(field_);
          bytes = formats::WriteJsonTree(tree.value());
        }
      }
    }
    co_return co_await target().CompareAndSwap(std::move(store), expected, std::move(bytes));
  }

 private:
  const char* field_;
};

// Report 5 (hermes 21107): the keychain is read first and, when it has anything, the file is never
// looked at, so an expired keychain copy hides a fresh file.
class KeychainFirstRead final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    if (store.kind == StoreKind::kClaudeFile) {
      // A named local: g++ 12 mishandles a braced temporary passed to a coroutine in co_await.
      const StoreId keychain_id{StoreKind::kClaudeKeychain, ""};
      engine::StoreRead keychain = co_await target().Read(keychain_id);
      if (keychain.status == IoStatus::kOk) co_return engine::StoreRead{};  // "not found"
    }
    co_return co_await target().Read(std::move(store));
  }
};

// A write to one kind of store "succeeds" without happening, so that store keeps the spent refresh
// token (reports 3 and 6, hermes 83338, 98334: the keychain; report 15: the Codex home).
class SkipsWritesTo final : public engine::IoWrapper {
 public:
  SkipsWritesTo(engine::Io& target, StoreKind skipped) : IoWrapper(target), skipped_(skipped) {}
  Task<engine::StoreWrite> CompareAndSwap(StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override {
    if (store.kind == skipped_) co_return legacy::PretendWritten(bytes);
    co_return co_await target().CompareAndSwap(std::move(store), expected, std::move(bytes));
  }

 private:
  StoreKind skipped_;
};

// Report 12 (hermes 43589): a profile's refresh is written to the profile only; the root store
// keeps the spent refresh token (the write to root is skipped yet reported done).
class ProfileNotWrittenThrough final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreWrite> CompareAndSwap(StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override {
    if (store.kind == StoreKind::kAgentAuth && store.profile.empty()) {
      co_return engine::StoreWrite{IoStatus::kOk, engine::VersionOf(bytes), {}};
    }
    co_return co_await target().CompareAndSwap(std::move(store), expected, std::move(bytes));
  }
};

// Report 7 (hermes credential_pool.py): a failed write-back after a rotation is logged at debug
// level and reported as success, so the rotated pair is lost and the store keeps the consumed one.
class WriteBackErrorSwallowed final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreWrite> CompareAndSwap(StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override {
    engine::StoreWrite w = co_await target().CompareAndSwap(store, expected, bytes);
    if (w.status == IoStatus::kIoError) w = {IoStatus::kOk, engine::VersionOf(bytes), {}};
    co_return w;
  }
};

// A headless gateway, reported without a public issue
// (docs/REPORTS.md#unconfirmed-a-headless-gateway-refreshes-at-a-legacy-endpoint): the refresh
// goes form-encoded to a legacy endpoint, which answers 500; the engine treats that as transient
// forever. Only the URL is changed here; the body stays JSON.
class WrongEndpoint final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::HttpResult> PostToken(engine::HttpRequest request) override {
    const size_t path = request.url.find("/v1/oauth/token");
    if (path != std::string::npos) request.url.replace(path, 15, "/oauth2/token");
    co_return co_await target().PostToken(std::move(request));
  }
};

// The canary (PolicyKind::kCanary), no report: every write "succeeds" without happening, so every
// store keeps the first pair forever and the next rotation replays a spent refresh token. A search
// that does not catch this within a few seeds is blind.
class NeverWritesBack final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreWrite> CompareAndSwap(StoreId, engine::StoreVersion,
                                          std::string bytes) override {
    co_return legacy::PretendWritten(bytes);
  }
};

}  // namespace

std::unique_ptr<engine::Io> MakeLegacyIo(const std::string& name, engine::Io& base) {
  if (name == "RefreshOutsideLock") return std::make_unique<RefreshOutsideLock>(base);
  if (name == "WriteBackDropsScopes") return std::make_unique<WriteBackDropsField>(base, "scopes");
  if (name == "WriteBackDropsSubscriptionType") {
    return std::make_unique<WriteBackDropsField>(base, "subscriptionType");
  }
  if (name == "KeychainFirstRead") return std::make_unique<KeychainFirstRead>(base);
  if (name == "KeychainNotWritten") {
    return std::make_unique<SkipsWritesTo>(base, StoreKind::kClaudeKeychain);
  }
  // hermes PRs #8277, #34820 (docs/REPORTS.md 15): Hermes imported the Codex CLI's session into
  // its pool and, once write-back to ~/.codex was removed, rotated it without writing it back.
  if (name == "CodexHomeNotWrittenBack") {
    return std::make_unique<SkipsWritesTo>(base, StoreKind::kCodexAuth);
  }
  if (name == "ProfileNotWrittenThrough") return std::make_unique<ProfileNotWrittenThrough>(base);
  if (name == "WriteBackErrorSwallowed") return std::make_unique<WriteBackErrorSwallowed>(base);
  if (name == "WrongEndpoint") return std::make_unique<WrongEndpoint>(base);
  if (name == "CanaryNeverWritesBack") return std::make_unique<NeverWritesBack>(base);
  if (auto io = MakeLegacyPoolIo(name, base)) return io;
  if (auto io = MakeLegacyWriteBackIo(name, base)) return io;
  if (auto io = MakeLegacyRefreshIo(name, base)) return io;
  return MakeLegacyReadsIo(name, base);
}

}  // namespace credsim::sim
