// `credsim replay`: rerun one world exactly.
//   credsim replay SEED [--minutes M] [--policy NAME] [--no-tools] [--language-events]
//                  [--breadth] [--trace out.jsonl] [--verbose]
//   credsim replay --tape FILE [same options]: the world's shape and run drawn from a byte tape
//   credsim replay TRACE.jsonl [--verbose]: rerun the world a trace came from, and compare
// A trace written by replay opens with a header line naming its source (seed or tape and every
// option) and ends with a trailer holding the rolling hash of the lines between; replaying it
// reruns that world and reports the first line that differs, if any.
#pragma once

#include <cstdint>
#include <string>

namespace credsim::sim {

// A decimal number of at most 19 digits (so it fits in 64 bits), nothing else; both `credsim`
// argument parsers use it.
inline bool ParseU64(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *out = std::stoull(s);
  return true;
}

// The first and last lines of a trace that `credsim replay TRACE` can rerun: a header naming the
// scenario file, policy and seed of one `credsim run`, and the trailer with the rolling hash of
// the lines between (Trace::hash()).
std::string ScenarioTraceHeader(const std::string& scenario_path, const std::string& policy,
                                uint64_t seed);
std::string TraceTrailer(uint64_t lines, uint64_t trace_hash);

// argv[from..] are replay's arguments. Exit codes: 0 identical and all oracles held, 1 an oracle
// failed or the rerun diverged from the trace, 2 bad input or usage.
int ReplayMain(int argc, char** argv, int from);

}  // namespace credsim::sim
