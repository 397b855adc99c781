#include "live/fuzz_store_main.h"

#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "fake_oauth_server/duration.h"
#include "live/files.h"
#include "live/fuzz_store.h"

namespace credsim::sim {
namespace {

namespace fs = std::filesystem;
using live::FindingKind;
using live::FuzzStoreConfig;

constexpr const char* kUsage =
    "usage: credsim fuzz-store --store claude|agent|codex --cmd TEMPLATE [options]\n"
    "  Writes mutated credential files (real shapes, near-valid: duplicate keys, BOM, numbers\n"
    "  at the limits, deep nesting, expiry in s or ms, torn files...) holding a fresh login's\n"
    "  pair into a sandbox home, runs TEMPLATE on each against fake_oauth_server on loopback,\n"
    "  and flags what the command did wrong (docs/FUZZ_STORE.md).\n"
    "  --cmd TEMPLATE       shell command; placeholders {home} {token_url} {base_url} {engine}\n"
    "                       {provider} {codex_home} {claude_dir} {tag}; HOME and CODEX_HOME\n"
    "                       are the sandbox's, CREDSIM_<PLACEHOLDER> as in credsim live\n"
    "  --seconds N          stop starting cases after N seconds (default 30)\n"
    "  --cases N            run exactly N cases instead (same seed: same inputs)\n"
    "  --seed N             (default 1)\n"
    "  --timeout D          per command, e.g. 5s (default 10s): longer is a hang\n"
    "  --prints-token       the command prints the access token as its last stdout line\n"
    "  --verbose            a line for every case (mutations, exit, refreshes)\n"
    "  --corpus DIR         take the files of DIR (with @AT@ @RT@ @EXP_MS@ ... placeholders)\n"
    "                       instead of the built-in templates\n"
    "  --replay FILE        run one saved input (a reproducer's `input`) as it is\n"
    "  --out DIR            reproducers (default credsim-fuzz-store/)\n"
    "  --work DIR           keep sandbox homes and the server's output here\n"
    "  --expect KIND,...    the run must find exactly these kinds (to test a known-bad reader)\n"
    "  --server PATH --engine PATH  binaries (default: beside this credsim)\n"
    "finding kinds: crash hang token-leak store-lost torn fields-lost mode-widened\n"
    "               rewrote-unreadable unjustified-refresh\n"
    "exit: 0 nothing found (or exactly what --expect names), 1 findings, 2 bad usage or setup\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "credsim fuzz-store: %s\n%s", why.c_str(), kUsage);
  return 2;
}

struct Args {
  FuzzStoreConfig config;
  bool have_store = false;
  std::string work;
  std::optional<std::set<FindingKind>> expect;
};

bool ParseExpect(const std::string& list, std::set<FindingKind>* out, std::string* why) {
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    const std::string name = list.substr(start, comma == std::string::npos ? comma : comma - start);
    FindingKind kind;
    if (!live::ParseFindingKind(name, &kind)) return *why = "unknown finding kind: " + name, false;
    out->insert(kind);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

bool ReadTemplates(const std::string& dir, std::vector<std::string>* out, std::string* why) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (ec) return *why = "cannot list " + dir + ": " + ec.message(), false;
  std::sort(files.begin(), files.end());  // the seed picks by index: keep the order stable
  for (const fs::path& f : files) {
    std::string bytes;
    if (!live::ReadWholeFile(f.string(), &bytes)) return *why = "cannot read " + f.string(), false;
    out->push_back(std::move(bytes));
  }
  if (out->empty()) return *why = dir + " holds no file", false;
  return true;
}

bool ParseNumber(const std::string& text, int64_t lo, int64_t hi, int64_t* out) {
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

// One option with its value; false + why when it is malformed.
bool ApplyOption(Args& a, const std::string& arg, const std::string& value, std::string* why) {
  FuzzStoreConfig& c = a.config;
  int64_t n = 0;
  if (arg == "--store") {
    a.have_store = live::ParseFuzzedStore(value, &c.store);
    return a.have_store || (*why = "--store takes claude, agent or codex", false);
  }
  if (arg == "--cmd") return c.command = value, true;
  if (arg == "--seconds") {
    if (!ParseNumber(value, 1, 24 * 3600, &n)) return *why = "--seconds takes 1..86400", false;
    return c.seconds = n, true;
  }
  if (arg == "--cases") {
    if (!ParseNumber(value, 1, 1'000'000, &n)) return *why = "--cases takes 1..1000000", false;
    return c.max_cases = static_cast<int>(n), true;
  }
  if (arg == "--seed") {
    if (!ParseNumber(value, 0, INT64_MAX, &n)) return *why = "--seed takes a number", false;
    return c.seed = static_cast<uint64_t>(n), true;
  }
  if (arg == "--timeout") {
    const std::optional<int64_t> ms = oauth::ParseDurationMs(value);
    if (!ms || *ms <= 0) return *why = "--timeout takes a duration such as 5s", false;
    return c.timeout_ms = *ms, true;
  }
  if (arg == "--corpus") return ReadTemplates(value, &c.templates, why);
  if (arg == "--replay") {
    std::string bytes;
    if (!live::ReadWholeFile(value, &bytes)) return *why = "cannot read " + value, false;
    return c.replay = std::move(bytes), true;
  }
  if (arg == "--out") return c.out_dir = value, true;
  if (arg == "--work") return a.work = value, true;
  if (arg == "--server") return c.server_binary = value, true;
  if (arg == "--engine") return c.engine_binary = value, true;
  if (arg == "--expect") {
    a.expect.emplace();
    return ParseExpect(value, &*a.expect, why);
  }
  return *why = "unknown option " + arg, false;
}

std::optional<Args> ParseArgs(int argc, char** argv, int from, std::string* why) {
  Args a;
  a.config.out_dir = "credsim-fuzz-store";
  for (int i = from; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--prints-token" || arg == "--verbose") {
      (arg == "--verbose" ? a.config.verbose : a.config.prints_token) = true;
      continue;
    }
    if (i + 1 >= argc) return *why = arg + " needs a value", std::nullopt;
    if (!ApplyOption(a, arg, argv[++i], why)) return std::nullopt;
  }
  if (!a.have_store) return *why = "--store is required", std::nullopt;
  if (a.config.command.empty()) return *why = "--cmd is required", std::nullopt;
  if (a.config.server_binary.empty()) {
    a.config.server_binary = live::BesideThisBinary("fake_oauth_server");
  }
  if (a.config.engine_binary.empty()) {
    a.config.engine_binary = live::BesideThisBinary("credsim-engine");
  }
  return a;
}

void PrintSummary(const Args& a, const live::FuzzStoreSummary& s) {
  std::printf("credsim fuzz-store: store %s, %d case(s) in %.1f s, seed %llu\n",
              live::FuzzedStoreName(a.config.store), s.cases, s.elapsed_ms / 1000.0,
              static_cast<unsigned long long>(a.config.seed));
  std::printf("  the command succeeded in %d, refreshed in %d\n", s.exited_zero, s.refreshed);
  int total = 0;
  for (int i = 0; i < live::kFindingKinds; ++i) {
    if (s.by_kind[i] == 0) continue;
    std::printf("  %-20s %d case(s)\n", live::FindingKindName(static_cast<FindingKind>(i)),
                s.by_kind[i]);
    total += s.by_kind[i];
  }
  if (total == 0) {
    std::printf("  no finding\n");
  } else {
    std::printf("reproducers: %s/ (%zu case(s))\n", a.config.out_dir.c_str(),
                s.with_findings.size());
  }
}

int ExitCode(const Args& a, const live::FuzzStoreSummary& s) {
  if (!a.expect) {
    for (int count : s.by_kind) {
      if (count > 0) return 1;
    }
    return 0;
  }
  bool as_expected = true;
  for (int i = 0; i < live::kFindingKinds; ++i) {
    const FindingKind kind = static_cast<FindingKind>(i);
    const bool expected = a.expect->count(kind) != 0;
    if (expected == (s.by_kind[i] > 0)) continue;
    std::printf("expectation: %s %s\n", live::FindingKindName(kind),
                expected ? "was expected and not found" : "was found and not expected");
    as_expected = false;
  }
  return as_expected ? 0 : 1;
}

}  // namespace

int FuzzStoreMain(int argc, char** argv, int from) {
  for (int i = from; i < argc; ++i) {
    if (std::string(argv[i]) == "-h" || std::string(argv[i]) == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  std::string why;
  std::optional<Args> parsed = ParseArgs(argc, argv, from, &why);
  if (!parsed) return Usage(why);
  Args& a = *parsed;
  const bool temporary = a.work.empty();
  if (temporary) {
    a.work = live::MakeTempDirectory("credsim-fuzz-store");
    if (a.work.empty()) return Usage("cannot create a temp directory");
  }
  a.config.work_dir = a.work;
  live::FuzzStoreSummary summary;
  if (!live::RunFuzzStore(a.config, &summary, &why, stdout)) {
    std::fprintf(stderr, "credsim fuzz-store: setup failed: %s (files kept in %s)\n", why.c_str(),
                 a.work.c_str());
    return 2;
  }
  if (temporary) {
    std::error_code ec;
    fs::remove_all(a.work, ec);
  }
  PrintSummary(a, summary);
  std::fflush(stdout);
  return ExitCode(a, summary);
}

}  // namespace credsim::sim
