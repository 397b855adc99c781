// `credsim mutants`: the search's bug-finding power, measured. Every legacy policy is a mutant of
// the reference engine (one reported deviation, sim/policies/); the canary is a deliberately gross
// one. For each, the swarm runs seeds 1, 2, ... with no scenario file until an oracle fires, and
// the table says after how many seeds and how much wall time. A detection counts only if the
// reference engine holds on the same seed: the failure is the mutant's doing, not the world's.
//
//   credsim mutants [--seeds N] [--minutes M] [--policy NAME]... [--no-tools]
//                   [--no-language-events] [--no-breadth] [--shrink-dir DIR]
// --shrink-dir: each first detection is shrunk (sim/cli/shrink.h) into DIR/<policy>.json, and the
// table says how far (events before and after, wall time).
// The whole generator is on: the scenario language's disturbances (SwarmOptions::language_events)
// and the breadth draws (SwarmOptions::breadth), since several mutants only show in the worlds
// they add (an API refusing tokens, a corrupt store, stores refusing every write).
//
// Exit codes: 0 every mutant caught within N seeds and the canary caught on at least 1% of them;
// 1 otherwise (a search that cannot see must not look green); 2 usage.
#pragma once

namespace credsim::sim {

int MutantsMain(int argc, char** argv, int from);

}  // namespace credsim::sim
