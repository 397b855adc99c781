// ChoiceSource: every decision the simulated world makes is drawn here, and only here.
//
// Why one interface: the same world can then be driven by a seeded PRNG (swarm), by a recorded
// byte tape (replay, `credsim replay --tape`), or by the shrinker's tapes (sim/shrink.h,
// `credsim shrink`), and a fuzzer's input is just another tape (fuzz/world_choices_fuzzer.cc),
// without the world knowing which. The integer distributions are our own (std::*_distribution
// differ between standard libraries, which would make a seed mean different worlds on different
// machines), and each method carries its bounds in its name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace credsim::sim {

class ChoiceSource {
 public:
  virtual ~ChoiceSource() = default;
  // 64 raw bits. Everything else is derived from this.
  virtual uint64_t NextU64() = 0;

  // Uniform in [0, bound_exclusive); bound_exclusive > 0. Lemire's multiply-and-shift with
  // rejection, so no modulo bias; larger raw values give larger results. A rejected value (for a
  // bound that is not a power of two, 0 is one) draws again, so a run of zero words gives 0. The
  // loop is bounded: after 64 rejections the last value is used.
  uint64_t BelowU64(uint64_t bound_exclusive);
  // Uniform in [lo, hi]; lo <= hi.
  int64_t RangeInclusive(int64_t lo, int64_t hi);
  // True with probability per_million / 1e6; per_million in [0, 1e6].
  bool Chance(uint32_t per_million);
  // How many values have been drawn (for reports and divergence messages).
  uint64_t draws() const { return draws_; }

 protected:
  uint64_t draws_ = 0;
};

// xoshiro256** seeded through splitmix64: fast, well-studied, and fully specified here so that a
// seed means the same world everywhere.
class PrngChoices final : public ChoiceSource {
 public:
  explicit PrngChoices(uint64_t seed);
  uint64_t NextU64() override;

 private:
  uint64_t s_[4];
};

// Replays a byte tape: each NextU64 consumes 8 bytes (little-endian); past the end it yields
// zeros, so any byte string is a valid world (what a fuzzer or shrinker needs).
class TapeChoices final : public ChoiceSource {
 public:
  explicit TapeChoices(std::string tape) : tape_(std::move(tape)) {}
  uint64_t NextU64() override;
  size_t consumed() const { return pos_; }

 private:
  std::string tape_;
  size_t pos_ = 0;
};

// Forwards to another source and records every value as a tape (so a swarm failure can be saved
// and replayed without the seed, or shrunk).
class RecordingChoices final : public ChoiceSource {
 public:
  explicit RecordingChoices(ChoiceSource& inner, size_t max_tape_bytes)
      : inner_(inner), max_tape_bytes_(max_tape_bytes) {}
  uint64_t NextU64() override;
  const std::string& tape() const { return tape_; }
  bool truncated() const { return truncated_; }

 private:
  ChoiceSource& inner_;
  size_t max_tape_bytes_;
  std::string tape_;
  bool truncated_ = false;
};

// splitmix64, exposed because seeds are derived with it (per-world, per-shard).
uint64_t SplitMix64(uint64_t& state);

}  // namespace credsim::sim
