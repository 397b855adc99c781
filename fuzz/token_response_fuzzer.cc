// ParseTokenResponse on arbitrary bodies: the first byte picks the HTTP status. Error statuses must
// always give a TokenError with a code; a parsed grant must survive SerializeTokenGrant.
#include <cstdint>
#include <string_view>

#include "engine/formats/token_response.h"
#include "fuzz/fuzz_check.h"

using namespace credsim::formats;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr int kStatuses[] = {200, 201, 204, 400, 401, 403, 429, 500, 502, 503, 0, 302};
  const int status = kStatuses[data[0] % (sizeof kStatuses / sizeof kStatuses[0])];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const Result<TokenResponse> r = ParseTokenResponse(status, body);
  if (status < 200 || status > 299) {
    CREDSIM_FUZZ_CHECK(r.ok(), "error statuses always give a TokenError");
    CREDSIM_FUZZ_CHECK(!std::get<TokenError>(r.value()).code.empty(), "error code");
    return 0;
  }
  if (!r.ok()) return 0;
  const TokenGrant& grant = std::get<TokenGrant>(r.value());
  const Result<TokenResponse> again = ParseTokenResponse(200, SerializeTokenGrant(grant));
  CREDSIM_FUZZ_CHECK(again.ok(), "serialized grant parses");
  CREDSIM_FUZZ_CHECK(std::get<TokenGrant>(again.value()) == grant, "grant round trip");
  return 0;
}
