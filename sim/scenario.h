// The scenario format (JSON), documented field by field in scenarios/README.md and described by
// scenarios/scenario.schema.json. Strict: an unknown key, a wrong type or a bad duration is an
// error that names the JSON path and what was expected, so a typo never silently changes a
// scenario.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/world_config.h"

namespace credsim::sim {

// What a run of one policy must show. all_hold: no oracle fires. Otherwise `oracle` fires for
// `consumer` ("*": any consumer, for races whose loser the report does not name) at a time inside
// [from_ms, to_ms]. A legacy run that fails differently, or not at all, is a broken reproduction.
// An outage a scenario expects (oracles/availability.h): `consumer` ("*": any) is out for `cause`
// from a moment inside [from_ms, to_ms]. This is how a tool model is an expectation target: under
// a legacy policy the tool is locked out the way the report says, under the reference it is not.
struct OutageExpectation {
  std::string consumer;
  std::string cause;
  std::string status;  // when not empty: the consumer's own status for its first failed demand
                       // contains it (a tool's exit message, e.g. "refresh token was already used")
  int64_t from_ms = 0, to_ms = 0;
};

// With all_hold, every outage of the run must match one of `outages` and each of `outages` must
// match one: an outage nobody expected fails the verdict, and so does one that did not happen.
struct Expectation {
  std::string policy;
  bool all_hold = true;
  std::string oracle;
  std::string consumer;
  int64_t from_ms = 0, to_ms = 0;
  std::vector<OutageExpectation> outages;
};

struct Scenario {
  std::string name;
  std::string summary;
  std::string source;
  // "report": a public report shows the failure. "derived": no report does; the scenario follows
  // from measured behaviour (docs/REAL_CLIENTS.md) or a report's stated inference, and
  // notes.assumed says which.
  std::string basis = "report";
  std::string known;    // notes.known: what the report establishes
  std::string assumed;  // notes.assumed: what the scenario adds to make it run
  WorldConfig world;    // consumers whose policy is "$policy" take the policy under test
  std::vector<Expectation> expectations;
};

// The oracles an expectation may name (the ones RunWorld installs).
const std::vector<std::string>& KnownOracles();

// The scenario, or an error naming the JSON path and what was expected
// ("$.consumers[1].every: bad duration \"5x\" (expected e.g. 500ms, 10s, 5m, 8h, 30d)").
std::optional<Scenario> ParseScenario(std::string_view json, std::string* error);
// The same for a file; errors start with the file name.
std::optional<Scenario> LoadScenarioFile(const std::string& path, std::string* error);
// The world for one policy under test.
WorldConfig WorldForPolicy(const Scenario& scenario, const std::string& policy);

}  // namespace credsim::sim
