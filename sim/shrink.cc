#include "sim/shrink.h"

#include <algorithm>

#include "base/assert.h"
#include "sim/choice.h"
#include "sim/run.h"

namespace credsim::sim {
namespace {

constexpr size_t kWord = 8;
constexpr size_t kMaxTapeBytes = size_t{64} << 20;  // as `credsim replay --tape` reads

bool ZeroWords(const std::string& tape, size_t first, size_t count) {
  const size_t end = std::min(tape.size(), (first + count) * kWord);
  for (size_t i = first * kWord; i < end; ++i) {
    if (tape[i] != '\0') return false;
  }
  return true;
}

size_t NonZeroWords(const std::string& tape) {
  size_t n = 0;
  for (size_t w = 0; w * kWord < tape.size(); ++w) n += ZeroWords(tape, w, 1) ? 0 : 1;
  return n;
}

}  // namespace

std::string ShrinkTape(std::string tape, const std::function<bool(const std::string&)>& still_fails,
                       int max_runs, ShrinkStats* stats) {
  CREDSIM_ASSERT(max_runs >= 0 && stats != nullptr);
  tape.resize((tape.size() + kWord - 1) / kWord * kWord, '\0');
  stats->words_before = NonZeroWords(tape);
  const size_t words = tape.size() / kWord;
  size_t chunk = 1;
  while (chunk * 2 <= words) chunk *= 2;
  // Halving chunks: at most log2(words) + 1 passes, each bounded by the budget of runs.
  for (; chunk >= 1 && stats->runs < max_runs; chunk /= 2) {
    for (size_t first = 0; first < words && stats->runs < max_runs; first += chunk) {
      if (ZeroWords(tape, first, chunk)) continue;
      std::string candidate = tape;
      const size_t end = std::min(candidate.size(), (first + chunk) * kWord);
      std::fill(candidate.begin() + static_cast<std::ptrdiff_t>(first * kWord),
                candidate.begin() + static_cast<std::ptrdiff_t>(end), '\0');
      ++stats->runs;
      if (still_fails(candidate)) tape = std::move(candidate);
    }
  }
  // Past its end a tape reads as zeros: trailing zero words carry nothing.
  while (tape.size() >= kWord && ZeroWords(tape, tape.size() / kWord - 1, 1)) {
    tape.resize(tape.size() - kWord);
  }
  stats->words_after = NonZeroWords(tape);
  return tape;
}

std::string RecordSwarmTape(uint64_t seed, const SwarmOptions& options) {
  PrngChoices shape_source(SwarmShapeSeed(seed));
  RecordingChoices shape(shape_source, kMaxTapeBytes);
  const WorldConfig world = SwarmWorldFrom(shape, seed, options);
  PrngChoices run_source(world.seed);
  RecordingChoices run(run_source, kMaxTapeBytes - shape.tape().size());
  (void)RunWorld(world, run, {});
  if (shape.truncated() || run.truncated()) return {};
  return shape.tape() + run.tape();
}

RunResult RunSwarmTape(std::string tape, const SwarmOptions& options) {
  TapeChoices choices(std::move(tape));
  const WorldConfig world = SwarmWorldFrom(choices, 0, options);
  return RunWorld(world, choices, {});
}

}  // namespace credsim::sim
