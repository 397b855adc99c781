// Model of one profile of a Hermes-shaped agent gateway: its own pool store agent:<profile>, a
// root store agent, and the tool file it imports the session from (~/.claude/.credentials.json
// or ~/.codex/auth.json). It behaves like current Hermes code as docs/REPORTS.md describes the
// fixes ("R<n>" below: report numbers there), NOT like the reference engine: it takes only the
// agent's own flock, never Claude Code's mkdir lock or Codex's auth.lock (the reference honours
// those: docs/REAL_CLIENTS.md#what-this-means-for-credsim; this tool does not), and benches a
// refused entry for 1 h. None of this was measured (Hermes was not).
#pragma once

#include <cstddef>

#include "engine/task.h"

namespace credsim::sim {

class World;

Task<void> RunAgentGateway(World& world, size_t index);

}  // namespace credsim::sim
