// The verdict of a live run: the simulator's oracles, judged from what real processes did (the
// history), what the server saw (its request log, every request tagged with the process that
// sent it) and what the stores hold. Same names, same report, same exit codes as `credsim run`.
//
//  no_lockout              a judged call ended without a usable token while a store it reads held
//                          the live refresh token, and none of its requests met an injected fault;
//                          or the recovery round after the run failed that way.
//  no_self_inflicted_reuse a judged process presented a spent refresh token (reuse or race loser),
//                          unless its own previous answer was lost (the one retry that tells), a
//                          tool that is not judged made the rotation it lost to, or the process
//                          that made it was killed before saving it (each counted apart).
//  no_collateral_damage    a store stopped parsing, lost its 0600 mode, an unknown member or, in a
//                          Claude file, `scopes` or `subscriptionType`, and only judged consumers
//                          ran since the stores were last seen intact (else a tool's, counted).
//  no_secret_leak          a process printed token text besides its answer.
// Failed judged calls are outages (cause injected_faults, lockout or session_dead): reported, and a
// run that expects every oracle to hold fails on an outage nobody expected.
#pragma once

#include "live/live_run.h"
#include "sim/report/timeline.h"
#include "sim/run.h"

namespace credsim::live {

struct LiveNumbers {
  uint64_t grants = 0;
  uint64_t judged_reuses = 0;
  uint64_t lost_response_retries = 0;        // reuses excused: the presenter's own answer was lost
  uint64_t refused_after_tool_rotation = 0;  // judged refreshes a tool had already made useless
  uint64_t refused_after_killed_rotation =
      0;  // the rotation died with a process the nemesis killed
  uint64_t tool_reuses = 0;
  uint64_t tool_store_damage = 0;  // store problems that appeared while a tool was running
};

struct LiveVerdict {
  sim::RunResult result;
  sim::Timeline timeline;
  LiveNumbers numbers;
};

LiveVerdict JudgeLive(const LiveConfig& config, const LiveHistory& history);

}  // namespace credsim::live
