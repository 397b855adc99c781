// base64url without padding (RFC 4648 §5), the alphabet of PKCE challenges (RFC 7636 §4.2) and JWT
// segments (RFC 7515 §2).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace credsim::oauth {

std::string Base64UrlEncode(std::string_view bytes);
// Refuses padding, characters outside the alphabet and impossible lengths (len % 4 == 1).
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace credsim::oauth
