// A live run: the fake OAuth server, a sandbox home laid out from a real login, and consumer
// processes started from command templates at seeded-random moments, with a nemesis that kills
// processes, injects server faults, tears store files and jumps the server's clock. What happened
// is recorded as a history (every invocation, the server's request log, the stores' state) that
// judge.h turns into the simulator's verdicts.
//
// Real time, real processes: the seed fixes the schedule (when each consumer runs, which nemesis
// fires when), not the interleavings the kernel chooses. Bounded: every process has a timeout,
// every loop a count and a deadline, and everything started is stopped at the end, also on
// failure and on SIGINT/SIGTERM (RequestStop()).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/credential.h"
#include "live/command_template.h"
#include "live/live_server.h"
#include "live/sandbox.h"
#include "sim/world_config.h"

namespace credsim::live {

struct LiveConsumer {
  std::string name;     // [a-z0-9_]{1,20}; also the prefix of its requests' tags
  std::string command;  // template: see command_template.h
  // Run when the token a command printed is refused by the protected resource (the consumer's
  // "the API said 401" path); empty: a refused token is a failed call.
  std::string on_401;
  bool judged = true;  // false: a tool sharing the home (its history shows, it is not judged)
  int copies = 1;      // lanes running this command concurrently
  int64_t every_min_ms = 200, every_max_ms = 1500;
  // Scheduled starts (ms from the start of the run, ascending): each lane starts one call at each
  // (or as soon as its previous call ended); none: seeded-random pauses of every_min/max_ms.
  std::vector<int64_t> at_ms;
};

enum class NemesisKind : uint8_t {
  kKill,          // SIGKILL a running consumer process (mid-refresh, if one is refreshing)
  k5xx,           // the next token request gets 503
  k429,           // the next token request gets 429, Retry-After: 1
  kDelayGrant,    // the next granted refresh answer is held back 1.5 s after the rotation
  kLostResponse,  // the next refresh rotates, then its connection is closed without an answer
  kNaiveWriter,   // a store file is rewritten in place, non-atomically, over ~200 ms
  kClockJump,     // the server's clock jumps past every access token's expiry
};
const char* NemesisName(NemesisKind kind);
bool ParseNemesis(const std::string& name, NemesisKind* out);

struct LiveConfig {
  std::string name = "live";
  engine::Provider provider = engine::Provider::kAnthropic;
  std::string access_ttl = "20s";
  std::string reuse_policy = "revoke-family";
  int64_t duration_ms = 10'000;
  int64_t timeout_ms = 30'000;  // per process
  uint64_t seed = 1;
  std::vector<LiveConsumer> consumers;
  std::vector<NemesisKind> nemeses;  // each fires `nemesis_rounds` times at seeded moments
  int nemesis_rounds = 1;
  std::string server_binary;  // fake_oauth_server
  std::string engine_binary;  // credsim-engine: lays out the home; {engine} in templates
  std::string work_dir;       // a fresh directory: the home, outputs, server log
  // --scenario: the default home is laid out from this world's initial stores
  // (live/scenario_layout.h) instead of by a credsim-engine login.
  std::optional<sim::WorldConfig> scenario_world;
};

// One run of a consumer's command.
struct Invocation {
  std::string consumer;
  int lane = 0;
  int index = 0;
  std::string tag;      // its requests' tag on the server: "<consumer>-<lane>-<index>"
  bool settle = false;  // the recovery round after the run, faults cleared
  int64_t start_ms = 0, end_ms = 0;
  int exit_code = -1;
  int signal = 0;
  bool timed_out = false;
  bool killed_by_nemesis = false;
  bool served = false;      // it printed a token the protected resource took
  bool via_401 = false;     // ... after its on_401 command ran
  std::string token_label;  // of the last line it printed ("none", "unknown", "fam1/at3")
  std::string token_state;  // the server's judgement of that token
  bool live_credential_within_reach = false;  // when it failed: a store held the live refresh token
  std::vector<std::string> leaked_labels;     // token text it printed besides its answer
  std::string stderr_excerpt;                 // last line of stderr, token-shaped text redacted
};

struct NemesisEvent {
  int64_t t_ms = 0;
  int64_t end_ms = 0;  // a naive write lasts a while; the others are instants
  NemesisKind kind = NemesisKind::kKill;
  std::string detail;  // "killed engine-0-3", "claude-file", ...
};

struct StoreProblem {
  int64_t t_ms = 0;
  std::string store, problem;
  std::string after;  // the invocation whose end revealed it
  // Every consumer that ran since the stores were last seen intact: one of them did it.
  std::vector<std::string> suspects;
};

struct LiveHistory {
  std::string base_url;
  std::vector<Invocation> invocations;  // in end order
  std::vector<NemesisEvent> nemesis;
  std::vector<ServerLogEntry> server_log;
  std::vector<StoreProblem> store_problems;
  std::vector<SandboxStore> stores;  // laid out at the start
  int64_t duration_ms = 0;
  bool interrupted = false;
};

// Runs the whole live world. False (and why) only when the world could not be set up; what the
// consumers did, good or bad, is in the history.
bool RunLive(const LiveConfig& config, LiveHistory* history, std::string* why);
// From a signal-handling thread: end the run early; RunLive stops everything and returns.
void RequestStop();

}  // namespace credsim::live
