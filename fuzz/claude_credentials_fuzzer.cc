// ParseClaudeCredentials on arbitrary bytes. When they parse: serialize, re-parse, and require the
// same typed value and the same full document (parse -> serialize -> parse is the identity); then
// rotate the tokens and require that only the typed view changed.
#include <cstdint>
#include <string_view>

#include "engine/formats/claude_credentials.h"
#include "engine/formats/json_tree.h"
#include "fuzz/fuzz_check.h"

using namespace credsim::formats;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Result<ClaudeCredentials> parsed = ParseClaudeCredentials(bytes);
  if (!parsed.ok()) {
    CREDSIM_FUZZ_CHECK(!parsed.error().path.empty() && parsed.error().path[0] == '$', "error path");
    CREDSIM_FUZZ_CHECK(!parsed.error().message.empty(), "error message");
    return 0;
  }
  const std::string out = SerializeClaudeCredentials(parsed.value());
  const Result<ClaudeCredentials> again = ParseClaudeCredentials(out);
  CREDSIM_FUZZ_CHECK(again.ok(), "serialized output parses");
  CREDSIM_FUZZ_CHECK(again.value().oauth == parsed.value().oauth, "typed round trip");
  CREDSIM_FUZZ_CHECK(ParseJsonTree(out).value() == ParseJsonTree(bytes).value(),
                     "document round trip");

  ClaudeCredentials rotated = parsed.value();
  if (!rotated.oauth) rotated.oauth = ClaudeOauth{};
  rotated.oauth->access_token += "\"\\x";
  rotated.oauth->expires_at_ms = 1795000000000;
  rotated.oauth->scopes = std::vector<std::string>{"user:inference"};
  const Result<ClaudeCredentials> after =
      ParseClaudeCredentials(SerializeClaudeCredentials(rotated));
  CREDSIM_FUZZ_CHECK(after.ok(), "modified output parses");
  CREDSIM_FUZZ_CHECK(after.value().oauth == rotated.oauth, "modified typed round trip");
  return 0;
}
