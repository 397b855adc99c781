// MemIo: an in-memory Io for engine tests (LevelDB's memenv, here). Every call completes at once,
// so engine Tasks run with RunToCompletion. Faults are state changes named for what they break.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/io.h"

namespace credsim::engine::testing {

class MemIo : public Io {
 public:
  using Endpoint = std::function<HttpResult(const HttpRequest&)>;

  // --- the world -------------------------------------------------------------------------------
  void Put(const StoreId& id, std::string bytes) { stores_[id] = std::move(bytes); }
  void Erase(const StoreId& id) { stores_.erase(id); }
  bool Has(const StoreId& id) const { return stores_.count(id) > 0; }
  const std::string& Get(const StoreId& id) const { return stores_.at(id); }
  void SetEndpoint(Endpoint endpoint) { endpoint_ = std::move(endpoint); }
  void SetNowMs(int64_t now_ms) { now_ms_ = now_ms; }
  void SetFacts(const StoreId& id, StoreFacts facts) { facts_[id] = std::move(facts); }
  // Runs after every sleep: another process acting while this one waits.
  void OnSleep(std::function<void()> hook) { on_sleep_ = std::move(hook); }

  // --- faults ------------------------------------------------------------------------------------
  void SetStoreLocked(const StoreId& id, bool locked);  // reads and writes answer kLocked
  void FailWrites(const StoreId& id, int count);        // the next `count` writes: kIoError
  void ConflictNextWrite(const StoreId& id, std::string interloper_bytes);  // someone writes first
  void HoldLock(LockId lock, bool held) { held_by_other_[static_cast<int>(lock)] = held; }

  // --- what happened -----------------------------------------------------------------------------
  int token_requests() const { return static_cast<int>(requests_.size()); }
  const std::vector<HttpRequest>& requests() const { return requests_; }
  int64_t slept_ms() const { return slept_ms_; }
  int writes(const StoreId& id) const;
  bool any_lock_held() const;

  // --- Io ----------------------------------------------------------------------------------------
  Task<StoreRead> Read(StoreId store) override;
  // Leaves the bytes out when the version is still `known`, so engine tests exercise that path.
  Task<StoreRead> ReadIfChanged(StoreId store, StoreVersion known) override;
  int unchanged_reads() const { return unchanged_reads_; }
  Task<StoreWrite> CompareAndSwap(StoreId store, StoreVersion expected, std::string bytes) override;
  Task<IoStatus> Lock(LockId lock, int64_t timeout_ms) override;
  Task<void> Unlock(LockId lock) override;
  Task<HttpResult> PostToken(HttpRequest request) override;
  int64_t NowMs() override { return now_ms_; }
  Task<void> SleepMs(int64_t duration_ms) override;
  uint64_t RandomBelow(uint64_t bound_exclusive) override;

 private:
  std::map<StoreId, std::string> stores_;
  std::map<StoreId, StoreFacts> facts_;
  std::function<void()> on_sleep_;
  std::set<StoreId> locked_;
  std::map<StoreId, int> failing_writes_;
  std::map<StoreId, std::string> interlopers_;
  std::map<StoreId, int> write_counts_;
  int unchanged_reads_ = 0;
  bool held_[3] = {false, false, false};
  bool held_by_other_[3] = {false, false, false};
  Endpoint endpoint_;
  std::vector<HttpRequest> requests_;
  int64_t now_ms_ = 1'790'000'000'000;  // 2026-09-21, a fixed and recognizable "now"
  int64_t slept_ms_ = 0;
  uint64_t random_state_ = 42;
};

// A strict single-use refresh-token endpoint for tests: tokens "at-N"/"rt-N" by generation; a
// refresh token works once; anything else is invalid_grant. Optional scripted answers come first.
class TestAuthority {
 public:
  explicit TestAuthority(int64_t access_ttl_s = 8 * 3600) : ttl_s_(access_ttl_s) {}
  // Makes "rt-<generation>" the live refresh token.
  void SetLive(int generation) { live_ = generation; }
  int live() const { return live_; }
  int grants() const { return grants_; }
  // Queue a canned answer (consumed before the authority logic runs).
  void Script(HttpResult result) { script_.push_back(std::move(result)); }
  void ScriptLostAfterRotation() { lose_next_after_rotation_ = true; }
  std::string scope = "user:inference user:profile";
  HttpResult Handle(const HttpRequest& request);

 private:
  int64_t ttl_s_;
  int live_ = 1;
  int grants_ = 0;
  bool lose_next_after_rotation_ = false;
  std::vector<HttpResult> script_;
};

HttpResult JsonResponse(int status, std::string body);

}  // namespace credsim::engine::testing
