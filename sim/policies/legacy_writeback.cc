#include "sim/policies/legacy_writeback.h"

#include <map>

#include "sim/policies/legacy_util.h"

namespace credsim::sim {
namespace {

using engine::IoStatus;
using engine::StoreId;
using engine::StoreKind;
using formats::JsonValue;
using legacy::ObjectOf;

// Report 3 (hermes #83338): the write-back rebuilds claudeAiOauth with only accessToken,
// refreshToken, expiresAt and scopes (subscriptionType and every other field dropped) and updates
// the file only; the keychain item, which Claude Code on macOS reads, keeps the spent pair.
class WriteBackFileOnlyMinimal final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreWrite> CompareAndSwap(StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override {
    if (store.kind == StoreKind::kClaudeKeychain) co_return legacy::PretendWritten(bytes);
    if (store.kind == StoreKind::kClaudeFile) {
      if (auto doc = ObjectOf(bytes)) {
        if (JsonValue* oauth = doc->Find("claudeAiOauth"); oauth && oauth->is_object()) {
          JsonValue minimal = JsonValue::Object();
          for (const char* key : {"accessToken", "refreshToken", "expiresAt", "scopes"}) {
            if (const JsonValue* v = oauth->Find(key)) minimal.Set(key, *v);
          }
          *oauth = minimal;
          bytes = formats::WriteJsonTree(*doc);
        }
      }
    }
    co_return co_await target().CompareAndSwap(std::move(store), expected, std::move(bytes));
  }
};

// Report 13 (hermes #74339, #87503): write-through to the root store happens only while the
// profile has no providers block of its own; the first save creates that block, so every later
// refresh skips root. Root then holds a spent refresh token: the death of report 12, delayed.
class WriteThroughOnlyFirstSave final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    engine::StoreRead r = co_await target().Read(store);
    if (store.kind == StoreKind::kAgentAuth && !store.profile.empty()) {
      profile_ = store.profile;
      profile_exists_ = r.status == IoStatus::kOk;
    }
    co_return r;
  }
  Task<engine::StoreWrite> CompareAndSwap(StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override {
    if (!legacy::IsAgentRoot(store) || profile_.empty()) {
      co_return co_await target().CompareAndSwap(std::move(store), expected, std::move(bytes));
    }
    if (profile_exists_) co_return legacy::PretendWritten(bytes);  // "profile has its own block"
    engine::StoreWrite w = co_await target().CompareAndSwap(store, expected, bytes);
    if (w.status == IoStatus::kOk) {
      // The first save also creates the profile's own copy, which flips the decision above.
      const StoreId profile{StoreKind::kAgentAuth, profile_};
      engine::StoreWrite created =
          co_await target().CompareAndSwap(profile, engine::StoreVersion{}, bytes);
      profile_exists_ = created.status == IoStatus::kOk;
    }
    co_return w;
  }

 private:
  std::string profile_;
  bool profile_exists_ = false;
};

// OpenClaw #88028 and gitmoot-style loaders (docs/REPORTS.md 30, 31): an auth.json that does not
// parse is treated as empty and replaced by a fresh document, which erases every provider and
// field it held (the reference engine never rewrites a store it cannot parse).
class CorruptStoreReplacedByEmpty final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    engine::StoreRead r = co_await target().Read(store);
    if (store.kind != StoreKind::kAgentAuth || r.status != IoStatus::kOk) co_return r;
    if (formats::ParseJsonTree(r.bytes).ok()) co_return r;
    const std::string empty =
        "{\n  \"version\": 1,\n  \"providers\": {},\n  \"credential_pool\": {}\n}\n";
    engine::StoreWrite w = co_await target().CompareAndSwap(store, r.version, empty);
    if (w.status != IoStatus::kOk) co_return r;
    co_return legacy::ReadOf(std::move(r), empty);
  }
};

// gitmoot #1856 (docs/REPORTS.md 31): a failed refresh blanks the credential file in place: tokens
// set to "" and expiresAt to 0, every other field kept. Here: any refresh that gets no grant.
class FailedRefreshBlanksStore final : public engine::IoWrapper {
 public:
  using IoWrapper::IoWrapper;
  Task<engine::StoreRead> Read(StoreId store) override {
    engine::StoreRead r = co_await target().Read(store);
    if (store.kind == StoreKind::kClaudeFile && r.status == IoStatus::kOk)
      file_version_ = r.version;
    co_return r;
  }
  Task<engine::HttpResult> PostToken(engine::HttpRequest request) override {
    engine::HttpResult r = co_await target().PostToken(std::move(request));
    const bool granted = r.transport == engine::HttpResult::Transport::kResponse && r.status == 200;
    if (!granted && file_version_.exists) co_await BlankFile();
    co_return r;
  }

 private:
  Task<void> BlankFile() {
    const StoreId file{StoreKind::kClaudeFile, ""};
    engine::StoreRead r = co_await target().Read(file);
    auto doc = r.status == IoStatus::kOk ? ObjectOf(r.bytes) : std::nullopt;
    JsonValue* oauth = doc ? doc->Find("claudeAiOauth") : nullptr;
    if (!oauth || !oauth->is_object()) co_return;
    oauth->Set("accessToken", JsonValue::String(""));
    oauth->Set("refreshToken", JsonValue::String(""));
    oauth->Set("expiresAt", JsonValue::Int(0));
    (void)co_await target().CompareAndSwap(file, r.version, formats::WriteJsonTree(*doc));
  }
  engine::StoreVersion file_version_;
};

}  // namespace

std::unique_ptr<engine::Io> MakeLegacyWriteBackIo(const std::string& name, engine::Io& base) {
  if (name == "WriteBackFileOnlyMinimal") return std::make_unique<WriteBackFileOnlyMinimal>(base);
  if (name == "WriteThroughOnlyFirstSave") return std::make_unique<WriteThroughOnlyFirstSave>(base);
  if (name == "CorruptStoreReplacedByEmpty") {
    return std::make_unique<CorruptStoreReplacedByEmpty>(base);
  }
  if (name == "FailedRefreshBlanksStore") return std::make_unique<FailedRefreshBlanksStore>(base);
  return nullptr;
}

}  // namespace credsim::sim
