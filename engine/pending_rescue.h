// Report 7 across processes. A rotated pair that no store could take yet lives only in the memory
// of the process that rotated it; a one-shot process (credsim-engine) parks it in a 0600 rescue
// file before exiting, and every run hands it back to the engine first. The engine commits it,
// under the locks, before anything else, and serves it meanwhile; siblings restore it too, so none
// of them replays the spent refresh token. The file (Claude credentials JSON: access, refresh,
// expiresAt, scopes, subscriptionType) is removed once every store has the pair.
#pragma once

#include <string>

#include "engine/engine.h"

namespace credsim::engine {

// Gives the engine the parked pair, if `path` holds one. An unreadable file is reported and kept.
void RestoreRescued(Engine& engine, const std::string& path);

// Parks engine.pending() at `path`, or removes the file when nothing is pending. False (with a
// message on stderr) when the pair could not be parked: it is then lost when the process exits.
bool ParkPending(const Engine& engine, const std::string& path);

}  // namespace credsim::engine
