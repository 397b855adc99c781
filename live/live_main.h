// `credsim live`: real processes under the simulator's oracles (live_run.h, judge.h).
#pragma once

namespace credsim::sim {

int LiveMain(int argc, char** argv, int from);

}  // namespace credsim::sim
