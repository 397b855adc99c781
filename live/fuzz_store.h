// `credsim fuzz-store`: another tool's credential reader under mutated store files. Each case lays
// one mutated file (live/store_mutator.h) holding a fresh login's pair into a sandbox home, runs
// the user's command on it against fake_oauth_server on loopback, and judges what the command did:
//   crash            killed by a signal, or an unhandled exception's trace on stderr
//   hang             no exit within the timeout
//   token-leak       a real token of the run on stdout/stderr (the access token on stdout's last
//                    line is allowed with --prints-token: that is what a token command is for)
//   store-lost       the file is gone
//   torn             the file was readable to its owner before and is not after
//   fields-lost      a rewrite dropped a member the file had (an unknown field, scopes, a
//   duplicate's
//                    key path)
//   mode-widened     the file is readable by others after the command
//   rewrote-unreadable  a file its owner cannot read was rewritten or removed (its bytes are lost)
//   unjustified-refresh a refresh although the file held the live access token, readable to its
//                    owner, with more than 30 minutes left
// A case with a finding is saved as a reproducer directory (input with placeholders, report,
// redacted output); `--replay DIR/input` runs it again.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "live/store_mutator.h"

namespace credsim::live {

enum class FindingKind : uint8_t {
  kCrash,
  kHang,
  kTokenLeak,
  kStoreLost,
  kTorn,
  kFieldsLost,
  kModeWidened,
  kRewroteUnreadable,
  kUnjustifiedRefresh,
};
inline constexpr int kFindingKinds = 9;
const char* FindingKindName(FindingKind kind);
bool ParseFindingKind(const std::string& name, FindingKind* out);

struct FuzzStoreConfig {
  FuzzedStore store = FuzzedStore::kClaude;
  std::string command;          // template: {home} {token_url} {base_url} {engine} ...
  int64_t seconds = 30;         // stop starting cases after this long
  int max_cases = 0;            // 0: as many as fit in `seconds`
  uint64_t seed = 1;            // case i uses a seed derived from (seed, i)
  int64_t timeout_ms = 10'000;  // per command
  bool prints_token = false;    // the command's job is to print the access token
  bool verbose = false;         // a progress line for every case, not only those with findings
  std::string out_dir;          // reproducers go here (created on the first finding)
  std::string work_dir;         // scratch: sandbox homes, the server's output
  std::string server_binary;    // fake_oauth_server
  std::string engine_binary;    // for {engine}
  std::vector<std::string> templates;  // files with placeholders; empty: the built-in ones
  std::optional<std::string> replay;   // one saved input, run as is
};

struct Finding {
  FindingKind kind;
  std::string detail;  // labels only, never token text
};

struct CaseReport {
  int index = 0;
  uint64_t seed = 0;
  std::vector<std::string> mutations;
  int exit_code = -1;
  int signal = 0;
  bool timed_out = false;
  int refreshes = 0;
  std::vector<Finding> findings;
  std::string saved_to;  // the reproducer directory, when there were findings
};

struct FuzzStoreSummary {
  int cases = 0;
  int exited_zero = 0;  // cases whose command succeeded (a reader that always fails finds nothing)
  int refreshed = 0;    // cases whose command refreshed
  int64_t elapsed_ms = 0;
  int by_kind[kFindingKinds] = {};
  std::vector<CaseReport> with_findings;  // at most 200 kept
};

// Runs the cases. False (and why) only when the run could not be set up; findings are results.
// `progress` (may be null) gets one line per case with a finding as it happens.
bool RunFuzzStore(const FuzzStoreConfig& config, FuzzStoreSummary* summary, std::string* why,
                  std::FILE* progress);

}  // namespace credsim::live
