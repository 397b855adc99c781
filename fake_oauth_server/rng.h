// Deterministic pseudo-random source for the token authority and the fault plan.
//
// Why our own: std::random_device is not reproducible and std::*_distribution differ across
// standard libraries, so a simulator seed would not replay byte for byte. SplitMix64 expands one
// 64-bit seed into state; xoshiro256** (Blackman & Vigna, public domain algorithm) produces the
// stream. NOT a CSPRNG: secrets come from a key drawn once (the HTTP binary seeds that key from
// getrandom).
#pragma once

#include <cstdint>

#include "base/assert.h"

namespace credsim::oauth {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    SplitMix64 expand(seed);
    for (uint64_t& word : s_) word = expand.Next();
    // All-zero state is the one fixed point; SplitMix64 never yields four zeros, but say so.
    CREDSIM_ASSERT((s_[0] | s_[1] | s_[2] | s_[3]) != 0);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound_exclusive) by the multiply-high method; the bias is below 2^-32 for the
  // bounds used here (<= 10^6), which no test can observe. Same on every platform.
  uint64_t Below(uint64_t bound_exclusive) {
    CREDSIM_ASSERT(bound_exclusive > 0);
    const unsigned __int128 product =
        static_cast<unsigned __int128>(Next()) * static_cast<unsigned __int128>(bound_exclusive);
    const uint64_t value = static_cast<uint64_t>(product >> 64);
    CREDSIM_ASSERT(value < bound_exclusive);
    return value;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace credsim::oauth
