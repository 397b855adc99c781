// A first scenario format (JSON), documented in sim/README.md. The scenario library (issue 5)
// will extend it; unknown keys are errors so a typo never silently changes a scenario.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/world_config.h"

namespace credsim::sim {

// What a run of one policy must show. kind "all-hold": no oracle fires. kind "fires": `oracle`
// fires for `consumer` with a time inside [from_ms, to_ms].
struct Expectation {
  std::string policy;
  bool all_hold = true;
  std::string oracle;
  std::string consumer;
  int64_t from_ms = 0, to_ms = 0;
};

struct Scenario {
  std::string name;
  std::string summary;
  std::string source;
  WorldConfig world;  // consumers whose policy is "$policy" take the policy under test
  std::vector<Expectation> expectations;
};

// The scenario, or an error naming the JSON path ("$.consumers[1].every: ...").
std::optional<Scenario> ParseScenario(std::string_view json, std::string* error);
// The world for one policy under test.
WorldConfig WorldForPolicy(const Scenario& scenario, const std::string& policy);

}  // namespace credsim::sim
