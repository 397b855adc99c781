// The tape shrinker: what it keeps, what it drops, its budget, and that a recorded swarm tape
// draws the same world as the seed.
#include "sim/shrink.h"

#include <gtest/gtest.h>

#include "sim/choice.h"
#include "sim/run.h"

namespace credsim::sim {
namespace {

std::string RandomTape(size_t words, uint64_t seed) {
  PrngChoices p(seed);
  std::string tape;
  for (size_t w = 0; w < words; ++w) {
    const uint64_t v = p.NextU64() | 1;  // never a zero word
    for (int b = 0; b < 8; ++b) tape.push_back(static_cast<char>(v >> (8 * b)));
  }
  return tape;
}

uint64_t Word(const std::string& tape, size_t w) {
  TapeChoices t(tape.substr(w * 8, 8));
  return t.NextU64();
}

// "Fails" while word 10 is non-zero and word 40 is still what it was: the shrinker must zero
// every other word and trim the tape after word 40.
TEST(ShrinkTape, KeepsExactlyTheWordsTheFailureNeeds) {
  const std::string tape = RandomTape(64, 7);
  const uint64_t w40 = Word(tape, 40);
  auto fails = [&](const std::string& t) {
    return t.size() >= 41 * 8 && Word(t, 10) != 0 && Word(t, 40) == w40;
  };
  ShrinkStats stats;
  const std::string small = ShrinkTape(tape, fails, 1000, &stats);
  ASSERT_TRUE(fails(small));
  EXPECT_EQ(small.size(), 41u * 8);
  EXPECT_EQ(stats.words_before, 64u);
  EXPECT_EQ(stats.words_after, 2u);
  EXPECT_LE(stats.runs, 1000);
}

TEST(ShrinkTape, StopsAtItsBudget) {
  const std::string tape = RandomTape(64, 8);
  int calls = 0;
  ShrinkStats stats;
  const std::string same = ShrinkTape(
      tape, [&](const std::string&) { return ++calls, false; }, 5, &stats);
  EXPECT_EQ(calls, 5);
  EXPECT_EQ(stats.runs, 5);
  EXPECT_EQ(same, tape) << "nothing kept: no candidate failed";
}

// The recorded tape, replayed as `credsim replay --tape` does, draws the seed's world and run.
TEST(RecordSwarmTape, DrawsTheSameWorldAsTheSeed) {
  const SwarmOptions options{.minutes = 120, .policy = "RefreshOutsideLock", .tools = false};
  const uint64_t seed = 13;
  const RunResult direct = RunWorld(SwarmWorld(seed, options), {});
  const std::string tape = RecordSwarmTape(seed, options);
  ASSERT_FALSE(tape.empty());
  TapeChoices choices(tape);
  const WorldConfig world = SwarmWorldFrom(choices, 0, options);
  EXPECT_EQ(DescribeWorld(world).substr(DescribeWorld(world).find('\n')),
            DescribeWorld(SwarmWorld(seed, options))
                .substr(DescribeWorld(SwarmWorld(seed, options)).find('\n')))
      << "same shape but for the seed line";
  const RunResult replayed = RunWorld(world, choices, {});
  EXPECT_EQ(replayed.summary.events, direct.summary.events);
  EXPECT_EQ(replayed.summary.refreshes, direct.summary.refreshes);
  ASSERT_FALSE(direct.ok()) << "seed 13 is a failing RefreshOutsideLock world";
  ASSERT_FALSE(replayed.ok());
  EXPECT_EQ(replayed.violations.front().oracle, direct.violations.front().oracle);
  EXPECT_EQ(replayed.violations.front().t_ms, direct.violations.front().t_ms);
}

}  // namespace
}  // namespace credsim::sim
