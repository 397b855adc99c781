#include "fake_oauth_server/duration.h"

namespace credsim::oauth {

std::optional<int64_t> ParseDurationMs(std::string_view text) {
  constexpr int64_t kMaxMs = int64_t{10} * 365 * 24 * 3600 * 1000;
  if (text == "0") return 0;
  size_t digits = 0;
  int64_t value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    if (digits >= 12) return std::nullopt;  // bounds the loop and keeps value far from overflow
    value = value * 10 + (text[digits] - '0');
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  const std::string_view unit = text.substr(digits);
  int64_t unit_ms = 0;
  if (unit == "ms") {
    unit_ms = 1;
  } else if (unit == "s") {
    unit_ms = 1000;
  } else if (unit == "m") {
    unit_ms = 60 * 1000;
  } else if (unit == "h") {
    unit_ms = 3600 * 1000;
  } else if (unit == "d") {
    unit_ms = 24 * 3600 * 1000;
  } else {
    return std::nullopt;
  }
  if (value > kMaxMs / unit_ms) return std::nullopt;
  return value * unit_ms;
}

}  // namespace credsim::oauth
