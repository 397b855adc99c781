// The swarm's world generator as a RapidCheck generator: a world's shape is drawn from bytes that
// RapidCheck generates and shrinks (SwarmWorldFrom over TapeChoices: fewer and smaller bytes draw
// fewer consumers, plainer stores, no faults), and its run from a generated seed. Properties, under
// the reference engine with tool models: every oracle holds, and the same world run twice gives the
// same trace.
//
// A failure prints RapidCheck's RC_PARAMS="reproduce=..." line and writes the shrunk world as a
// scenario file (swarm-property-failure.json in the working directory) that `credsim run` replays:
// the world holds every field, and its run draws from the seed the file names.
// Budget: RapidCheck's default 100 worlds of an hour; RC_PARAMS="max_success=2000" runs a long one.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "sim/run.h"
#include "sim/scenario_writer.h"
#include "sim/swarm.h"

namespace credsim::sim {
namespace {

constexpr int64_t kMinutes = 60;

// One byte of entropy per 64-bit word, in its top byte: a choice takes the high word of
// value * bound (ChoiceSource::BelowU64), so 256 steps reach every option a world draws, and
// RapidCheck shrinks a byte in a few steps where a whole word would take sixty-four.
std::string TapeOf(const std::vector<uint8_t>& bytes) {
  std::string tape;
  for (uint8_t b : bytes) {
    tape.append(7, '\0');
    tape.push_back(static_cast<char>(b));
  }
  return tape;
}

WorldConfig GeneratedWorld(const std::vector<uint8_t>& shape, uint64_t seed) {
  TapeChoices choices(TapeOf(shape));
  WorldConfig world = SwarmWorldFrom(choices, seed, SwarmOptions{.minutes = kMinutes});
  world.seed = seed;
  return world;
}

// The failing world as a scenario file; returns its path (or why it could not be written).
std::string SaveAsScenario(const WorldConfig& world, const Violation& v) {
  ScenarioHeader header;
  header.name = "swarm-property-" + std::to_string(world.seed);
  header.source = "sim/swarm_property_test.cc";
  header.summary = "A generated world the reference fails (" + v.oracle + ": " + v.message + ")";
  header.known = "Found by the swarm property test; the file expects what must hold.";
  header.assumed = "Nothing beyond the world below.";
  std::string why;
  const std::optional<std::string> json = WriteScenario(world, header, &why);
  if (!json) return "(no scenario: " + why + ")";
  // One name, overwritten: RapidCheck's last failing evaluation is the shrunk counterexample.
  const std::string path = "swarm-property-failure.json";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return "(cannot write " + path + ")";
  std::fwrite(json->data(), 1, json->size(), f);
  std::fclose(f);
  return path;
}

RC_GTEST_PROP(SwarmProperty, EveryOracleHoldsUnderTheReference, ()) {
  const auto shape = *rc::gen::container<std::vector<uint8_t>>(rc::gen::arbitrary<uint8_t>());
  // Not shrunk: another seed is another run, not a smaller one.
  const auto seed = *rc::gen::noShrink(rc::gen::inRange<uint64_t>(1, 1'000'000));
  const WorldConfig world = GeneratedWorld(shape, seed);
  const RunResult r = RunWorld(world, {});
  if (!r.ok()) {
    RC_FAIL(FormatViolation(r.violations.front(), true) + "\nscenario: " +
            SaveAsScenario(world, r.violations.front()) + "\n" + DescribeWorld(world));
  }
}

RC_GTEST_PROP(SwarmProperty, TheSameWorldRunsToTheSameTrace, ()) {
  const auto shape = *rc::gen::container<std::vector<uint8_t>>(rc::gen::arbitrary<uint8_t>());
  // Not shrunk: another seed is another run, not a smaller one.
  const auto seed = *rc::gen::noShrink(rc::gen::inRange<uint64_t>(1, 1'000'000));
  const WorldConfig world = GeneratedWorld(shape, seed);
  const RunResult first = RunWorld(world, {});
  const RunResult second = RunWorld(world, {});
  RC_ASSERT(first.summary.trace_hash == second.summary.trace_hash);
  RC_ASSERT(first.summary.trace_lines == second.summary.trace_lines);
  RC_ASSERT(first.summary.events == second.summary.events);
}

}  // namespace
}  // namespace credsim::sim
