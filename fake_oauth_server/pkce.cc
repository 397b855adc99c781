#include "fake_oauth_server/pkce.h"

#include "base/assert.h"
#include "fake_oauth_server/base64url.h"
#include "fake_oauth_server/sha256.h"

namespace credsim::oauth {

std::string S256Challenge(std::string_view code_verifier) {
  const Sha256Digest digest = Sha256Of(code_verifier);
  std::string challenge = Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  CREDSIM_ASSERT(challenge.size() == 43);
  return challenge;
}

bool IsWellFormedVerifier(std::string_view v) {
  if (v.size() < 43 || v.size() > 128) return false;
  for (char c : v) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (!unreserved) return false;
  }
  return true;
}

bool IsWellFormedS256Challenge(std::string_view c) {
  if (c.size() != 43) return false;
  return Base64UrlDecode(c).has_value();
}

bool VerifyS256(std::string_view code_verifier, std::string_view code_challenge) {
  if (!IsWellFormedVerifier(code_verifier) || !IsWellFormedS256Challenge(code_challenge)) {
    return false;
  }
  const std::string expected = S256Challenge(code_verifier);
  unsigned diff = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    diff |= static_cast<unsigned>(expected[i] ^ code_challenge[i]);
  }
  return diff == 0;
}

}  // namespace credsim::oauth
