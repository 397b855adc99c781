// credsim check's parser on arbitrary bytes: a scenario file either parses or is refused with a
// message that names the JSON path of the problem; never a crash, never a hang.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "sim/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string error;
  const std::optional<credsim::sim::Scenario> scenario = credsim::sim::ParseScenario(bytes, &error);
  if (!scenario) {
    CREDSIM_FUZZ_CHECK(!error.empty(), "a refused file says why");
    CREDSIM_FUZZ_CHECK(error.find('$') != std::string::npos, "the message names a JSON path");
    return 0;
  }
  CREDSIM_FUZZ_CHECK(!scenario->name.empty(), "a scenario has a name");
  CREDSIM_FUZZ_CHECK(!scenario->expectations.empty(), "a scenario expects something");
  return 0;
}
