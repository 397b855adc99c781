// A main() for fuzz targets on ordinary builds: runs LLVMFuzzerTestOneInput over every file named
// on the command line, or inside a directory named there (one level, sorted, so runs are
// repeatable). This is how every target is exercised by ctest (label fuzz-replay) without clang or
// libFuzzer.
//
// `--mutants N` also runs N mutants of every input: a short smoke run with the compiler at hand.
// The mutants are byte edits (flip, insert a JSON byte, erase, duplicate, truncate) drawn from a
// fixed-seed generator, so the same corpus always yields the same inputs and a failure replays;
// coverage-guided search is ci/fuzz's job.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fake_oauth_server/rng.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

constexpr size_t kMaxMutants = 100000;

// One to four byte edits of `bytes`, drawn from `rng`.
std::string Mutant(std::string bytes, credsim::oauth::SplitMix64& rng) {
  static constexpr char kJsonBytes[] = "{}[]\":,0123456789.eE-+ \\ntfu@";
  const int edits = 1 + static_cast<int>(rng.Next() % 4);
  for (int e = 0; e < edits; ++e) {
    const size_t at = bytes.empty() ? 0 : rng.Next() % bytes.size();
    const size_t span =
        bytes.empty() ? 0 : 1 + rng.Next() % std::min<size_t>(16, bytes.size() - at);
    switch (rng.Next() % 5) {
      case 0:
        if (!bytes.empty()) bytes[at] = static_cast<char>(bytes[at] ^ (1u << (rng.Next() % 8)));
        break;
      case 1:
        bytes.insert(at, 1, kJsonBytes[rng.Next() % (sizeof kJsonBytes - 1)]);
        break;
      case 2:
        bytes.erase(at, span);
        break;
      case 3:
        bytes.insert(at, bytes.substr(at, span));
        break;
      default:
        bytes.resize(at);
        break;
    }
  }
  return bytes;
}

bool Replay(const std::filesystem::path& file, size_t mutants, size_t* ran) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", file.c_str());
    return false;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ++*ran;
  uint64_t seed = 1469598103934665603ULL;  // FNV-1a of the name: std::hash differs by library
  for (const char c : file.filename().string()) seed = (seed ^ uint8_t(c)) * 1099511628211ULL;
  credsim::oauth::SplitMix64 rng(seed);
  for (size_t i = 0; i < mutants; ++i) {
    const std::string m = Mutant(bytes, rng);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(m.data()), m.size());
    ++*ran;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  size_t replayed = 0, ran = 0, mutants = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--mutants" && i + 1 < argc) {
      mutants = std::min<size_t>(kMaxMutants, std::strtoull(argv[++i], nullptr, 10));
      continue;
    }
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        if (!Replay(file, mutants, &ran)) return 2;
        ++replayed;
      }
    } else {
      if (!Replay(arg, mutants, &ran)) return 2;
      ++replayed;
    }
  }
  std::printf("%zu inputs replayed", replayed);
  if (mutants > 0) std::printf(", %zu runs with %zu mutants each", ran, mutants);
  std::printf("\n");
  return replayed > 0 ? 0 : 2;  // an empty corpus means the target tested nothing
}
