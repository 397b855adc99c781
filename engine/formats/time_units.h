// Timestamps as real credential files hold them, without silently mixing units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/formats/result.h"

namespace credsim::formats {

// RFC 3339 / ISO 8601 UTC timestamps as written by Codex and Hermes: "2026-11-20T08:15:02Z",
// fractional seconds of any length ("...02.123456789Z"), or a numeric offset ("+02:00").
Result<int64_t> ParseRfc3339Ms(std::string_view text);
// "2026-11-20T08:15:02.123Z" (milliseconds, always UTC, always 'Z').
std::string FormatRfc3339Ms(int64_t epoch_ms);

// A numeric epoch timestamp whose unit is uncertain: values below 10^11 are read as seconds (10^11
// s is the year 5138; 10^11 ms is 1973), anything else as milliseconds. `assumed_seconds` tells
// which.
struct EpochReading {
  int64_t epoch_ms = 0;
  bool assumed_seconds = false;
};
EpochReading ReadEpochGuessingUnit(int64_t value);

// The `exp` claim (epoch seconds) of a JWT's payload, decoded from base64url without verifying the
// signature. nullopt when the text is not a JWT or has no numeric exp.
std::optional<int64_t> JwtExpirySeconds(std::string_view jwt);
// A string claim of the payload, e.g. "https://api.openai.com/auth" is an object, so this returns
// only top-level string claims such as "email". nullopt when absent or not a string.
std::optional<std::string> JwtStringClaim(std::string_view jwt, std::string_view claim);
// The ChatGPT account a Codex token belongs to: payload["https://api.openai.com/auth"]
// ["chatgpt_account_id"]. nullopt when absent.
std::optional<std::string> JwtOpenAiAccountId(std::string_view jwt);

}  // namespace credsim::formats
