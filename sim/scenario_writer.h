// The inverse of ParseScenario: a WorldConfig as a scenario file that `credsim run` replays to the
// very same world (a swarm world, a shrunk world, a hand-built test world, kept as a file). Every
// field that differs from what the parser produces by default is written; the world holds no
// token text, so none is written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "sim/world_config.h"

namespace credsim::sim {

// What a world does not hold: the file's description and what a run must show.
struct ScenarioHeader {
  std::string name;
  std::string summary;
  std::string source;
  std::string basis = "derived";  // a generated file is no public report
  // notes.known and notes.assumed; both empty: no notes.
  std::string known;
  std::string assumed;
  // Consumers running this policy are written as "$policy" (the policy under test); "" keeps
  // every consumer's concrete policy.
  std::string policy_under_test;
  // "expect", in order; each in the shape ParseScenario reads (all_hold, outages, or an oracle
  // that fires for a consumer inside [from_ms, to_ms]).
  std::vector<Expectation> expectations = {Expectation{.policy = "reference"}};
};

// The scenario JSON (2-space indent, keys in the order of the files in scenarios/), or
// std::nullopt with *why naming the WorldConfig field the scenario language cannot state
// ("stores[0].raw_bytes: ..."). The result is checked before it is returned: it parses, and
// WorldForPolicy(parsed, policy_under_test) is `world` field for field.
std::optional<std::string> WriteScenario(const WorldConfig& world, const ScenarioHeader& header,
                                         std::string* why);

}  // namespace credsim::sim
