// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), written out so the pure authority core has no
// OpenSSL dependency: PKCE S256 (RFC 7636) and the token MACs are the only users, both on inputs of
// a few hundred bytes, where a straightforward implementation costs about a microsecond.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace credsim::oauth {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view bytes);
  Sha256Digest Finish();  // the object must not be reused afterwards

 private:
  void Compress(const uint8_t* block);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_;
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
  bool finished_ = false;
};

Sha256Digest Sha256Of(std::string_view bytes);
Sha256Digest HmacSha256(std::string_view key, std::string_view message);

}  // namespace credsim::oauth
