// RunWorld: one world, the standard oracles, one result. What the CLI, the swarm and the tests
// all call, so they check the same properties the same way.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "sim/choice.h"
#include "sim/observation.h"
#include "sim/oracles/availability.h"
#include "sim/trace.h"
#include "sim/world.h"
#include "sim/world_config.h"

namespace credsim::sim {

class ExplorePicker;

struct RunOptions {
  std::FILE* trace_out = nullptr;  // JSON Lines, streamed
  bool keep_index = false;         // keep (t, event, hash) per line (determinism test)
  // Exploration (sim/explore.h): the picker orders the events due within pick_window_ms of each
  // other, and sees the run's trace and choices for its state key.
  ExplorePicker* picker = nullptr;
  int64_t pick_window_ms = 0;
};

struct RunResult {
  RunSummary summary;
  std::vector<Violation> violations;  // every oracle's, in oracle order
  std::vector<Trace::IndexEntry> index;
  uint64_t lost_response_replays = 0;
  uint64_t real_reuses = 0;
  // Judged refreshes a tool had already made useless (oracles/no_self_inflicted_reuse.h).
  uint64_t refused_after_tool_rotation = 0;
  // Judged refreshes refused while no live token was within reach (NothingLiveInReach).
  uint64_t refused_nothing_live_in_reach = 0;
  uint64_t expiry_decisions = 0;  // checked by the clock oracle
  // Every consumer is judged and the layout is one chain (ForkedByLayout is false): then every
  // reuse is the engine's own doing and the reuse and lineage oracles are strict.
  bool reference_only = false;
  // Every consumer's outages and served fraction (oracles/availability.h): reported, never hidden.
  std::vector<Outage> outages;
  uint64_t outages_dropped = 0;
  std::vector<ConsumerAvailability> availability;
  bool ok() const { return violations.empty(); }
};

// The stores fork the chain by construction: one session in two homes' files that do not link
// (a copied credentials file), or a scripted rename over a link. A reuse across the fork is then
// nobody's doing, so the reuse and lineage oracles attribute reuses as they do with tools around.
bool ForkedByLayout(const WorldConfig& config);
// The no_lockout bound for a world (see oracles/no_lockout.h).
int64_t LockoutBoundMs(const WorldConfig& config);
// When the world has been quiet since: the end of random faults and of every scripted disturbance
// (a fault never healed makes it the end of the run).
int64_t QuietFromMs(const WorldConfig& config);

RunResult RunWorld(const WorldConfig& config, ChoiceSource& choices, const RunOptions& options);
// The same, choices from PrngChoices(config.seed).
RunResult RunWorld(const WorldConfig& config, const RunOptions& options);

// "no_lockout consumer=ref1 t=3h02m05.120s: message" and the events that led to it.
std::string FormatViolation(const Violation& v, bool with_events);
std::string FormatDuration(int64_t ms);

}  // namespace credsim::sim
