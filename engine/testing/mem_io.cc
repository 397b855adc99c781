#include "engine/testing/mem_io.h"

#include "base/assert.h"

namespace credsim::engine::testing {

void MemIo::SetStoreLocked(const StoreId& id, bool locked) {
  if (locked) {
    locked_.insert(id);
  } else {
    locked_.erase(id);
  }
}

void MemIo::FailWrites(const StoreId& id, int count) { failing_writes_[id] = count; }

void MemIo::ConflictNextWrite(const StoreId& id, std::string interloper_bytes) {
  interlopers_[id] = std::move(interloper_bytes);
}

int MemIo::writes(const StoreId& id) const {
  auto it = write_counts_.find(id);
  return it == write_counts_.end() ? 0 : it->second;
}

bool MemIo::any_lock_held() const { return held_[0] || held_[1] || held_[2]; }

Task<StoreRead> MemIo::Read(StoreId store) {
  StoreRead read;
  if (locked_.count(store)) {
    read.status = IoStatus::kLocked;
    co_return read;
  }
  auto it = stores_.find(store);
  if (it == stores_.end()) {
    read.status = IoStatus::kNotFound;
    co_return read;
  }
  read.status = IoStatus::kOk;
  if (auto f = facts_.find(store); f != facts_.end()) read.facts = f->second;
  read.bytes = it->second;
  read.version = VersionOf(it->second);
  co_return read;
}

Task<StoreRead> MemIo::ReadIfChanged(StoreId store, StoreVersion known) {
  StoreRead read = co_await Read(std::move(store));
  if (read.status == IoStatus::kOk && known.exists && read.version == known) {
    read.bytes.clear();
    read.unchanged = true;
    ++unchanged_reads_;
  }
  co_return read;
}

Task<StoreWrite> MemIo::CompareAndSwap(StoreId store, StoreVersion expected, std::string bytes) {
  StoreWrite write;
  if (locked_.count(store)) {
    write.status = IoStatus::kLocked;
    co_return write;
  }
  if (auto f = failing_writes_.find(store); f != failing_writes_.end() && f->second > 0) {
    --f->second;
    write.status = IoStatus::kIoError;
    write.detail = "injected write failure";
    co_return write;
  }
  if (auto i = interlopers_.find(store); i != interlopers_.end()) {
    stores_[store] = std::move(i->second);  // another writer got there first
    interlopers_.erase(i);
  }
  auto it = stores_.find(store);
  const StoreVersion actual = it == stores_.end() ? StoreVersion{} : VersionOf(it->second);
  if (!(actual == expected)) {
    write.status = IoStatus::kConflict;
    co_return write;
  }
  write.version = VersionOf(bytes);
  stores_[store] = std::move(bytes);
  ++write_counts_[store];
  write.status = IoStatus::kOk;
  co_return write;
}

Task<IoStatus> MemIo::Lock(LockId lock, int64_t timeout_ms) {
  const int i = static_cast<int>(lock);
  CREDSIM_ASSERT(!held_[i], "engine must not take a lock twice");
  if (held_by_other_[i]) {
    slept_ms_ += timeout_ms;
    co_return IoStatus::kTimeout;
  }
  held_[i] = true;
  co_return IoStatus::kOk;
}

Task<void> MemIo::Unlock(LockId lock) {
  const int i = static_cast<int>(lock);
  CREDSIM_ASSERT(held_[i], "unlock of a lock not held");
  held_[i] = false;
  co_return;
}

Task<HttpResult> MemIo::PostToken(HttpRequest request) {
  requests_.push_back(request);
  if (!endpoint_) {
    HttpResult result;
    result.transport = HttpResult::Transport::kNotSent;
    result.detail = "no endpoint";
    co_return result;
  }
  co_return endpoint_(request);
}

Task<void> MemIo::SleepMs(int64_t duration_ms) {
  CREDSIM_ASSERT(duration_ms >= 0);
  slept_ms_ += duration_ms;
  now_ms_ += duration_ms;
  if (on_sleep_) on_sleep_();
  co_return;
}

uint64_t MemIo::RandomBelow(uint64_t bound_exclusive) {
  CREDSIM_ASSERT(bound_exclusive > 0);
  random_state_ = random_state_ * 6364136223846793005ull + 1442695040888963407ull;
  return (random_state_ >> 33) % bound_exclusive;
}

HttpResult JsonResponse(int status, std::string body) {
  HttpResult result;
  result.transport = HttpResult::Transport::kResponse;
  result.status = status;
  result.body = std::move(body);
  return result;
}

HttpResult TestAuthority::Handle(const HttpRequest& request) {
  if (!script_.empty()) {
    HttpResult canned = std::move(script_.front());
    script_.erase(script_.begin());
    return canned;
  }
  const std::string live_rt = "rt-" + std::to_string(live_);
  // The body carries the token as a JSON string or a form value; both contain it verbatim here
  // because test tokens need no escaping.
  if (request.body.find("\"" + live_rt + "\"") == std::string::npos &&
      request.body.find("refresh_token=" + live_rt + "&") == std::string::npos) {
    return JsonResponse(
        400,
        R"({"error":"invalid_grant","error_description":"Refresh token not found or invalid"})");
  }
  ++live_;
  ++grants_;
  if (lose_next_after_rotation_) {
    lose_next_after_rotation_ = false;
    HttpResult lost;
    lost.transport = HttpResult::Transport::kLostResponse;
    lost.detail = "connection reset after the server rotated";
    return lost;
  }
  const std::string n = std::to_string(live_);
  return JsonResponse(200, R"({"access_token":"at-)" + n + R"(","refresh_token":"rt-)" + n +
                               R"(","expires_in":)" + std::to_string(ttl_s_) +
                               R"(,"token_type":"Bearer","scope":")" + scope + "\"}");
}

}  // namespace credsim::engine::testing
