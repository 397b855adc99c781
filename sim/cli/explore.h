// `credsim explore`: one scenario's world under every order of its simultaneous steps, up to K
// preemptions (sim/explore.h), or under PCT's random orders; the first failing order is written
// as a schedule file and its trace, and replays with --schedule.
//
//   credsim explore SCENARIO [--policy NAME] [--preemptions K] [--window MS] [--no-state-cache]
//                   [--max-schedules N] [--probes] [--require-probe NAME]...
//                   [--pct RUNS [--depth D] [--seed S]] [--out PREFIX]
//   credsim explore SCENARIO --schedule FILE [--policy NAME] [--trace OUT.jsonl]
//
// Exit codes (the project's contract): 0 every explored order held, 1 an oracle fired, 2 usage or
// I/O. When --max-schedules cuts an enumeration short the verdict line says "not exhaustive", and
// the exit code stays 0 only for what ran; PCT sampling always says so.
#pragma once

namespace credsim::sim {

int ExploreMain(int argc, char** argv, int from);

}  // namespace credsim::sim
