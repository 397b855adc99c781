// ParseCodexAuth on arbitrary bytes, with the serialize round trip and the JWT readers on whatever
// token text the document holds.
#include <cstdint>
#include <string_view>

#include "engine/formats/codex_auth.h"
#include "engine/formats/json_tree.h"
#include "engine/formats/time_units.h"
#include "fuzz/fuzz_check.h"

using namespace credsim::formats;

namespace {
bool SameTyped(const CodexAuth& a, const CodexAuth& b) {
  return a.auth_mode == b.auth_mode && a.openai_api_key == b.openai_api_key &&
         a.tokens == b.tokens && a.last_refresh == b.last_refresh;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Result<CodexAuth> parsed = ParseCodexAuth(bytes);
  if (!parsed.ok()) return 0;
  const std::string out = SerializeCodexAuth(parsed.value());
  const Result<CodexAuth> again = ParseCodexAuth(out);
  CREDSIM_FUZZ_CHECK(again.ok(), "serialized output parses");
  CREDSIM_FUZZ_CHECK(SameTyped(again.value(), parsed.value()), "typed round trip");
  CREDSIM_FUZZ_CHECK(ParseJsonTree(out).value() == ParseJsonTree(bytes).value(),
                     "document round trip");
  if (parsed.value().tokens) {
    const CodexTokens& t = *parsed.value().tokens;
    if (t.access_token) (void)JwtExpirySeconds(*t.access_token);
    if (t.id_token) (void)JwtStringClaim(*t.id_token, "email");
  }
  CodexAuth modified = parsed.value();
  modified.tokens = CodexTokens{std::nullopt, "at", "rt", std::nullopt};
  modified.last_refresh = FormatRfc3339Ms(1795000000000);
  const Result<CodexAuth> after = ParseCodexAuth(SerializeCodexAuth(modified));
  CREDSIM_FUZZ_CHECK(after.ok(), "modified output parses");
  CREDSIM_FUZZ_CHECK(SameTyped(after.value(), modified), "modified typed round trip");
  return 0;
}
