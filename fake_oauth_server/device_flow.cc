#include "fake_oauth_server/device_flow.h"

#include "base/assert.h"

namespace credsim::oauth {

void DeviceGrantStore::Put(std::string device_code, DeviceGrant grant) {
  CREDSIM_ASSERT(!Full());
  CREDSIM_ASSERT(by_expiry_.empty() || by_expiry_.back().first <= grant.expires_ms);
  by_expiry_.emplace_back(grant.expires_ms, device_code);
  device_code_by_user_code_[grant.user_code] = device_code;
  const bool inserted = by_device_code_.emplace(std::move(device_code), std::move(grant)).second;
  CREDSIM_ASSERT(inserted);
  (void)inserted;
}

DeviceGrant* DeviceGrantStore::FindByDeviceCode(const std::string& device_code) {
  auto it = by_device_code_.find(device_code);
  return it == by_device_code_.end() ? nullptr : &it->second;
}

DeviceGrant* DeviceGrantStore::FindByUserCode(const std::string& user_code) {
  auto it = device_code_by_user_code_.find(user_code);
  return it == device_code_by_user_code_.end() ? nullptr : FindByDeviceCode(it->second);
}

void DeviceGrantStore::Erase(const std::string& device_code) {
  auto it = by_device_code_.find(device_code);
  if (it == by_device_code_.end()) return;
  device_code_by_user_code_.erase(it->second.user_code);
  by_device_code_.erase(it);
}

size_t DeviceGrantStore::Reclaim(int64_t now_ms, size_t budget) {
  size_t n = 0;
  while (n < budget && !by_expiry_.empty() && by_expiry_.front().first <= now_ms) {
    Erase(by_expiry_.front().second);
    by_expiry_.pop_front();
    ++n;
  }
  CREDSIM_ASSERT(device_code_by_user_code_.size() == by_device_code_.size());
  return n;
}

std::string FormatUserCode(uint64_t entropy) {
  static constexpr char kAlphabet[] = "BCDFGHJKLMNPQRSTVWXZ";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == 4) out += '-';
    out += kAlphabet[entropy % 20];
    entropy /= 20;
  }
  CREDSIM_ASSERT(out.size() == 9);
  return out;
}

}  // namespace credsim::oauth
