// Device authorization grant (RFC 8628) state: pending device codes, their user codes, the polling
// interval (raised by 5 s on every poll that comes too early, §3.5), and the decision made through
// the admin API. Limit: max_pending device codes at once.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace credsim::oauth {

enum class DeviceDecision : uint8_t { kPending, kApproved, kDenied };

struct DeviceGrant {
  std::string user_code;
  std::string client_id;
  std::string scope;
  int64_t expires_ms = 0;
  int64_t interval_ms = 0;
  int64_t last_poll_ms = -1;  // -1: never polled
  DeviceDecision decision = DeviceDecision::kPending;
};

class DeviceGrantStore {
 public:
  explicit DeviceGrantStore(uint32_t max_pending) : max_pending_(max_pending) {}
  bool Full() const { return by_device_code_.size() >= max_pending_; }
  void Put(std::string device_code, DeviceGrant grant);  // requires !Full()
  DeviceGrant* FindByDeviceCode(const std::string& device_code);
  DeviceGrant* FindByUserCode(const std::string& user_code);
  void Erase(const std::string& device_code);
  size_t Reclaim(int64_t now_ms, size_t budget);
  size_t size() const { return by_device_code_.size(); }

 private:
  uint32_t max_pending_;
  std::unordered_map<std::string, DeviceGrant> by_device_code_;
  std::unordered_map<std::string, std::string> device_code_by_user_code_;
  std::deque<std::pair<int64_t, std::string>> by_expiry_;
};

// RFC 8628 §6.1: user codes from 20 consonants (no vowels: no words; no look-alikes), XXXX-XXXX.
std::string FormatUserCode(uint64_t entropy);

}  // namespace credsim::oauth
