// Swarm worlds: a whole WorldConfig drawn from one seed, swarm-style (each run switches some
// options off entirely, so different seeds explore different combinations rather than all of them
// a little). The options drawn are printed as one block (DescribeWorld) so a failure is readable.
#pragma once

#include <cstdint>
#include <string>

#include "sim/choice.h"
#include "sim/world_config.h"

namespace credsim::sim {

struct SwarmOptions {
  int64_t minutes = 24 * 60;         // simulated duration
  std::string policy = "reference";  // the policy every engine consumer runs
  int consumers_max = 6;
  // Store write failures (drawn per world like the other faults). They are how the swarm found
  // report 7 of docs/REPORTS.md: a rotation whose write-back fails. The engine now retries the
  // write under the locks and parks what still fails in its rescue store
  // (StoreKind::kEngineRescue, ~/.credsim/pending-<provider>.json), so siblings do not replay the
  // spent token; the smoke test (swarm_test.cc) runs with them on. False: never drawn.
  bool store_write_faults = true;
  // Draw models of the real tools into some worlds, alongside the engine consumers (each kind on
  // or off per world, swarm-style); some worlds become openai-codex worlds with Codex CLI models.
  bool tools = true;
  // Also draw the scenario language's own disturbances (sim/swarm.cc, AddScenarioLanguageEvents):
  // lost answers with the process alive, deaths between grant and write, API outages, server and
  // consumer clock jumps, servers that revoke sibling access tokens. Off by default: with them the
  // reference fails some worlds (refresh storms when several consumers rotate through an API
  // outage, lockouts around revoke-siblings servers), which is open work, not a regression gate.
  bool language_events = false;
  // Also draw the situations AddSearchBreadth adds (sim/swarm.cc): lost answers with the process
  // alive, grace servers, long Retry-After, stores refusing every write, slow stores, corrupt,
  // torn and symlinked stores, refused scopes, re-logins, server outages, pool cooldowns, agent
  // profiles. Off by default: with
  // them the reference fails some worlds (docs/FINDINGS.md), which is open work, not a
  // regression gate. `credsim mutants` draws them.
  bool breadth = false;
};

WorldConfig SwarmWorld(uint64_t seed, const SwarmOptions& options);
// The seed of the generator SwarmWorld draws a world's shape from (its run uses `seed` itself).
uint64_t SwarmShapeSeed(uint64_t seed);
// The same, with every shape decision drawn from `pick` (a tape or a fuzzer's input drives the
// world's shape too, not only its run). `seed` is only recorded.
WorldConfig SwarmWorldFrom(ChoiceSource& pick, uint64_t seed, const SwarmOptions& options);
// "seed=… consumers=… ttl=… faults=…" one option per line, stable order.
std::string DescribeWorld(const WorldConfig& config);

}  // namespace credsim::sim
