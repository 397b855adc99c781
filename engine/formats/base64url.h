// Internal: base64url (RFC 4648 §5) decoding for JWT segments, by hand.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace credsim::formats::internal {

// Decodes base64url text; '=' padding is accepted but not required (JWTs omit it). Standard
// base64's
// '+' and '/' are rejected, as are stray characters and impossible lengths (4n+1). Leftover bits of
// the last character must be zero, so every byte string has exactly one accepted encoding.
std::optional<std::string> DecodeBase64Url(std::string_view text);

// Encodes without padding (for tests and the fake JWTs of the simulator).
std::string EncodeBase64Url(std::string_view bytes);

}  // namespace credsim::formats::internal
