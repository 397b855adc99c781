#include "fake_oauth_server/auth_codes.h"

#include "base/assert.h"

namespace credsim::oauth {

void AuthCodeStore::Put(std::string code, AuthCode entry) {
  CREDSIM_ASSERT(!Full());
  CREDSIM_ASSERT(by_expiry_.empty() || by_expiry_.back().first <= entry.expires_ms);
  by_expiry_.emplace_back(entry.expires_ms, code);
  const bool inserted = codes_.emplace(std::move(code), std::move(entry)).second;
  CREDSIM_ASSERT(inserted, "codes are derived from a counter and never repeat");
  (void)inserted;
}

AuthCode* AuthCodeStore::Find(const std::string& code) {
  auto it = codes_.find(code);
  return it == codes_.end() ? nullptr : &it->second;
}

void AuthCodeStore::Erase(const std::string& code) { codes_.erase(code); }

size_t AuthCodeStore::Reclaim(int64_t now_ms, size_t budget) {
  size_t n = 0;
  while (n < budget && !by_expiry_.empty() && by_expiry_.front().first <= now_ms) {
    codes_.erase(by_expiry_.front().second);  // may already be gone (Erase); harmless
    by_expiry_.pop_front();
    ++n;
  }
  CREDSIM_ASSERT(codes_.size() <= by_expiry_.size());
  return n;
}

}  // namespace credsim::oauth
