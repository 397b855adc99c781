// A small run with a timeline, shared by the report tests.
#pragma once

#include <string>

#include "sim/report/verdict.h"
#include "sim/scenario.h"

namespace credsim::sim::testing {

inline constexpr const char* kKeychainScenario = R"({
  "name": "keychain-first-read", "source": "hermes #21107", "summary": "<b>&\"quoted\"</b>",
  "duration": "20m",
  "server": {"provider": "anthropic", "access_ttl": "1h"},
  "stores": [{"store": "claude-keychain", "content": "previous", "expired": true},
             {"store": "claude-file"}],
  "consumers": [{"name": "agent", "policy": "$policy", "every": ["30s", "2m"]}],
  "expect": {"reference": "all-hold",
             "KeychainFirstRead": {"oracle": "no_lockout", "consumer": "agent",
                                   "window": ["0s", "5m"]}}
})";

inline std::vector<PolicyRun> RunKeychainScenario() {
  std::string error;
  auto s = ParseScenario(kKeychainScenario, &error);
  std::vector<PolicyRun> runs;
  if (!s) return runs;
  for (const Expectation& e : s->expectations) {
    runs.push_back(RunPolicy(*s, "keychain.json", e, {.timeline = true}));
  }
  return runs;
}

}  // namespace credsim::sim::testing
