// ParseAgentAuth on arbitrary bytes; what parses must survive serialize -> parse unchanged, and a
// re-probed pool entry must come back as written while the rest of the document stays.
#include <cstdint>
#include <string_view>

#include "engine/formats/agent_auth.h"
#include "engine/formats/json_tree.h"
#include "fuzz/fuzz_check.h"

using namespace credsim::formats;

namespace {
bool SameTyped(const AgentAuth& a, const AgentAuth& b) {
  return a.version == b.version && a.providers == b.providers && a.pool == b.pool;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Result<AgentAuth> parsed = ParseAgentAuth(bytes);
  if (!parsed.ok()) return 0;
  const std::string out = SerializeAgentAuth(parsed.value());
  const Result<AgentAuth> again = ParseAgentAuth(out);
  CREDSIM_FUZZ_CHECK(again.ok(), "serialized output parses");
  CREDSIM_FUZZ_CHECK(SameTyped(again.value(), parsed.value()), "typed round trip");
  CREDSIM_FUZZ_CHECK(ParseJsonTree(out).value() == ParseJsonTree(bytes).value(),
                     "document round trip");

  AgentAuth modified = parsed.value();
  for (auto& [provider, entries] : modified.pool) {
    for (PoolEntry& e : entries) {
      e.last_status = PoolStatus::kOk;
      e.last_status_at_s = 1795000000;
      e.last_error_code.reset();
    }
  }
  modified.providers["fuzz"].auth_mode = "chatgpt";
  const Result<AgentAuth> after = ParseAgentAuth(SerializeAgentAuth(modified));
  CREDSIM_FUZZ_CHECK(after.ok(), "modified output parses");
  CREDSIM_FUZZ_CHECK(SameTyped(after.value(), modified), "modified typed round trip");
  return 0;
}
