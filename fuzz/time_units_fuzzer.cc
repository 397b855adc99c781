// RFC 3339 parsing and JWT claim decoding on arbitrary text. A timestamp that parses must format
// and parse back to the same instant (to the millisecond, inside years 0000-9999).
#include <cstdint>
#include <string_view>

#include "engine/formats/time_units.h"
#include "fuzz/fuzz_check.h"

using namespace credsim::formats;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Result<int64_t> ms = ParseRfc3339Ms(text);
  if (ms.ok()) {
    constexpr int64_t kMin = -62167219200000, kMaxExclusive = 253402300800000;  // 0000..9999
    if (ms.value() >= kMin && ms.value() < kMaxExclusive) {
      const Result<int64_t> again = ParseRfc3339Ms(FormatRfc3339Ms(ms.value()));
      CREDSIM_FUZZ_CHECK(again.ok() && again.value() == ms.value(), "rfc3339 round trip");
    }
  }
  (void)JwtExpirySeconds(text);
  (void)JwtStringClaim(text, "email");
  if (size >= 8) {
    int64_t raw = 0;
    for (int i = 0; i < 8; ++i) raw = (raw << 8) | data[i];
    const EpochReading reading = ReadEpochGuessingUnit(raw);
    CREDSIM_FUZZ_CHECK(reading.assumed_seconds == (raw < 100'000'000'000), "unit boundary");
  }
  return 0;
}
