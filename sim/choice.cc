#include "sim/choice.h"

#include "base/assert.h"

namespace credsim::sim {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t ChoiceSource::BelowU64(uint64_t bound_exclusive) {
  CREDSIM_ASSERT(bound_exclusive > 0);
  if (bound_exclusive == 1) return 0;  // no draw: keeps tapes short for forced choices
  // Lemire's multiply-and-shift (2019): the high word of value * bound is uniform in [0, bound)
  // once the values whose low word falls below 2^64 mod bound are rejected. That remainder (a
  // 64-bit division) is computed only when the low word is small, so a draw costs one
  // multiplication instead of two divisions; the simulator draws several times an event. Larger
  // tape values map to larger choices, so a tape of small bytes means small choices. At most 64
  // rejections (each has probability < 1/2), then the last value is used, so a hostile or
  // exhausted tape cannot loop forever.
  unsigned __int128 product = 0;
  for (int attempt = 0; attempt < 64; ++attempt) {
    ++draws_;
    product = static_cast<unsigned __int128>(NextU64()) * bound_exclusive;
    const auto low = static_cast<uint64_t>(product);
    if (low >= bound_exclusive) break;  // above every possible threshold: accept
    const uint64_t threshold = (0 - bound_exclusive) % bound_exclusive;  // 2^64 mod bound
    if (low >= threshold) break;
  }
  return static_cast<uint64_t>(product >> 64);
}

int64_t ChoiceSource::RangeInclusive(int64_t lo, int64_t hi) {
  CREDSIM_ASSERT(lo <= hi);
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == UINT64_MAX) {
    ++draws_;
    return static_cast<int64_t>(NextU64());
  }
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + BelowU64(span + 1));
}

bool ChoiceSource::Chance(uint32_t per_million) {
  CREDSIM_ASSERT(per_million <= 1'000'000);
  if (per_million == 0) return false;
  if (per_million == 1'000'000) return true;
  return BelowU64(1'000'000) < per_million;
}

PrngChoices::PrngChoices(uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t& word : s_) word = SplitMix64(state);
}

uint64_t PrngChoices::NextU64() {
  auto rotl = [](uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t TapeChoices::NextU64() {
  uint64_t value = 0;
  for (int byte = 0; byte < 8; ++byte) {
    const uint64_t b = pos_ < tape_.size() ? static_cast<unsigned char>(tape_[pos_]) : 0;
    if (pos_ < tape_.size()) ++pos_;
    value |= b << (8 * byte);
  }
  return value;
}

uint64_t RecordingChoices::NextU64() {
  const uint64_t value = inner_.NextU64();
  if (tape_.size() + 8 > max_tape_bytes_) {
    truncated_ = true;
    return value;
  }
  for (int byte = 0; byte < 8; ++byte) tape_.push_back(static_cast<char>(value >> (8 * byte)));
  return value;
}

}  // namespace credsim::sim
