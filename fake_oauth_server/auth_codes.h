// Authorization codes (RFC 6749 §4.1, PKCE RFC 7636): single use, bound to client_id, redirect_uri
// and the S256 code_challenge, short-lived. A redeemed code is remembered until it would have
// expired, so a second redemption is recognised (RFC 6749 §4.1.2: deny it and revoke what the
// first one issued). Limit: max_pending entries (pending + redeemed) at once.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace credsim::oauth {

struct AuthCode {
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;
  std::string scope;
  int64_t expires_ms = 0;
  uint32_t redeemed_family = 0;  // 0 while unredeemed
};

class AuthCodeStore {
 public:
  explicit AuthCodeStore(uint32_t max_pending) : max_pending_(max_pending) {}
  bool Full() const { return codes_.size() >= max_pending_; }
  void Put(std::string code, AuthCode entry);  // requires !Full(); expiry ordered by insertion
  AuthCode* Find(const std::string& code);
  void Erase(const std::string& code);
  size_t Reclaim(int64_t now_ms, size_t budget);
  size_t size() const { return codes_.size(); }

 private:
  uint32_t max_pending_;
  std::unordered_map<std::string, AuthCode> codes_;
  std::deque<std::pair<int64_t, std::string>> by_expiry_;  // same entries, oldest first
};

}  // namespace credsim::oauth
