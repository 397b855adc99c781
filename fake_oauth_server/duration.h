// Durations on the command line and in admin requests are written with a unit: 500ms, 10s, 5m, 8h,
// 30d. A bare "0" is allowed; any other bare number is refused, because "3600" is ambiguous between
// seconds (OAuth's expires_in) and milliseconds (credsim's clock) and guessing wrong silently is
// exactly the class of bug credsim exists to catch.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace credsim::oauth {

// Milliseconds, or nullopt for malformed text, a missing unit, or a value above 10 years.
std::optional<int64_t> ParseDurationMs(std::string_view text);

}  // namespace credsim::oauth
