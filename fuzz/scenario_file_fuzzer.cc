// credsim check's parser on arbitrary bytes: a scenario file either parses or is refused with a
// message that names the JSON path of the problem; never a crash, never a hang. Round trip: the
// world a file states is written back by the scenario writer (credsim shrink's), and the written
// file parses to the very same world (the writer checks that field for field before it returns).
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "sim/scenario.h"
#include "sim/scenario_writer.h"

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

  credsim::sim::ScenarioHeader header;
  header.name = scenario->name;
  header.summary = scenario->summary;
  header.source = scenario->source;
  header.basis = scenario->basis;
  header.known = scenario->known;
  header.assumed = scenario->assumed;
  header.policy_under_test = "reference";
  header.expectations = scenario->expectations;
  const credsim::sim::WorldConfig world = credsim::sim::WorldForPolicy(*scenario, "reference");
  std::string why;
  const std::optional<std::string> written = credsim::sim::WriteScenario(world, header, &why);
  if (!written) std::fprintf(stderr, "not written back: %s\n", why.c_str());
  CREDSIM_FUZZ_CHECK(written.has_value(), "a world read from a scenario file is written back");
  return 0;
}
