#include "sim/choice.h"

#include <gtest/gtest.h>

#include <array>

namespace credsim::sim {
namespace {

// splitmix64 reference values for seed 0 (Vigna's splitmix64.c, first three outputs).
TEST(SplitMix64, MatchesReference) {
  uint64_t state = 0;
  EXPECT_EQ(SplitMix64(state), 0xe220a8397b1dcdafull);
  EXPECT_EQ(SplitMix64(state), 0x6e789e6aa1b965f4ull);
  EXPECT_EQ(SplitMix64(state), 0x06c45d188009454full);
}

TEST(PrngChoices, SameSeedSameSequenceDifferentSeedDifferent) {
  PrngChoices a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t va = a.NextU64();
    EXPECT_EQ(va, b.NextU64());
    differs |= va != c.NextU64();
  }
  EXPECT_TRUE(differs);
}

TEST(ChoiceSource, BoundsHold) {
  PrngChoices p(1);
  for (int i = 0; i < 10000; ++i) {
    EXPECT_LT(p.BelowU64(7), 7u);
    const int64_t r = p.RangeInclusive(-3, 3);
    EXPECT_GE(r, -3);
    EXPECT_LE(r, 3);
  }
  EXPECT_EQ(p.BelowU64(1), 0u);
  EXPECT_EQ(p.RangeInclusive(5, 5), 5);
  EXPECT_FALSE(p.Chance(0));
  EXPECT_TRUE(p.Chance(1'000'000));
}

TEST(ChoiceSource, BelowIsRoughlyUniform) {
  // 60,000 draws over 6 buckets: each expected 10,000; 5 sigma is about 460.
  PrngChoices p(3);
  std::array<int, 6> counts{};
  for (int i = 0; i < 60000; ++i) ++counts[p.BelowU64(6)];
  for (int n : counts) EXPECT_NEAR(n, 10000, 460);
}

// A choice is the high word of value * bound: the tape's value, scaled. So a shrinker that makes
// tape bytes smaller makes the world's choices smaller, and the mapping is exact.
TEST(TapeChoices, ChoicesScaleWithTheTapeValue) {
  // 2^63 + 1: just above half (exactly half times 10 would leave a low word of 0, rejected).
  const std::string half("\x01\0\0\0\0\0\0\x80", 8);
  TapeChoices t(half + half + std::string(8, '\xff') + std::string(8, '\0'));
  EXPECT_EQ(t.BelowU64(10), 5u);
  EXPECT_EQ(t.BelowU64(1u << 20), 1u << 19);
  EXPECT_EQ(t.BelowU64(1000), 999u);  // the largest value: the largest choice
  EXPECT_EQ(t.BelowU64(1u << 20), 0u);
  EXPECT_EQ(t.draws(), 4u);
}

// 2^64 mod 3 == 1: the value 0 is the one a draw below 3 must reject (else 0 would be likelier).
TEST(TapeChoices, RejectsTheValuesThatWouldBiasTheChoice) {
  TapeChoices t(std::string(8, '\0') + std::string("\0\0\0\0\0\0\0\x80", 8));
  EXPECT_EQ(t.BelowU64(3), 1u);  // 0 rejected; 2^63 * 3 / 2^64 = 1.5 -> 1
  EXPECT_EQ(t.draws(), 2u);
}

TEST(TapeChoices, ReadsLittleEndianThenZeros) {
  TapeChoices t(std::string("\x01\x02\0\0\0\0\0\0\x05", 9));
  EXPECT_EQ(t.NextU64(), 0x0201u);
  EXPECT_EQ(t.NextU64(), 5u);
  EXPECT_EQ(t.NextU64(), 0u);
  EXPECT_EQ(t.consumed(), 9u);
}

TEST(RecordingChoices, TapeReplaysTheSameValues) {
  PrngChoices p(11);
  RecordingChoices rec(p, 1 << 16);
  std::vector<int64_t> drawn;
  for (int i = 0; i < 50; ++i) drawn.push_back(rec.RangeInclusive(0, 1000));
  TapeChoices replay(rec.tape());
  for (int64_t v : drawn) EXPECT_EQ(replay.RangeInclusive(0, 1000), v);
}

}  // namespace
}  // namespace credsim::sim
