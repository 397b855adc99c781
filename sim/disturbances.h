// Disturbances: the world-wide state that scripted events change, each change named: the
// keychain locked, the server down, disks full, scripted 429s and lost answers waiting for the
// next requests, the server's clock moved, the API refusing every access token. Disturbances of
// one consumer (killed at its next refresh, its next answer lost, dying after a grant) stay on
// that consumer (World::Consumer).
#pragma once

#include <algorithm>
#include <cstdint>
#include <set>

#include "sim/store_path.h"

namespace credsim::sim {

class Disturbances {
 public:
  bool keychain_locked() const { return keychain_locked_; }
  void set_keychain_locked(bool locked) { keychain_locked_ = locked; }

  bool server_down() const { return server_down_; }
  void set_server_down(bool down) { server_down_ = down; }

  // Writes to a full disk's file fail (the resolved path: a link's target).
  bool disk_full(const StorePath& file) const { return disk_full_.count(file) > 0; }
  void set_disk_full(const StorePath& file, bool full) {
    if (full) {
      disk_full_.insert(file);
    } else {
      disk_full_.erase(file);
    }
  }

  // Scripted 429s and lost answers wait for the next token requests, one each (bounded).
  void RateLimitNextRequest() { rate_limited_ = std::min(rate_limited_ + 1, kMaxWaiting); }
  bool TakeRateLimit() { return Take(rate_limited_); }
  void LoseNextAnswer() { lost_answers_ = std::min(lost_answers_ + 1, kMaxWaiting); }
  bool TakeLostAnswer() { return Take(lost_answers_); }

  int64_t server_clock_offset_ms() const { return server_clock_offset_ms_; }
  void JumpServerClock(int64_t by_ms) { server_clock_offset_ms_ += by_ms; }

  bool api_rejecting() const { return api_rejecting_; }
  void set_api_rejecting(bool rejecting) { api_rejecting_ = rejecting; }

 private:
  static constexpr uint32_t kMaxWaiting = 1024;
  static bool Take(uint32_t& waiting) {
    if (waiting == 0) return false;
    --waiting;
    return true;
  }

  bool keychain_locked_ = false;
  bool server_down_ = false;
  std::set<StorePath> disk_full_;
  uint32_t rate_limited_ = 0;
  uint32_t lost_answers_ = 0;
  int64_t server_clock_offset_ms_ = 0;
  bool api_rejecting_ = false;
};

}  // namespace credsim::sim
