// `credsim fuzz-store`: other tools' credential readers under mutated store files (fuzz_store.h).
#pragma once

namespace credsim::sim {

int FuzzStoreMain(int argc, char** argv, int from);

}  // namespace credsim::sim
