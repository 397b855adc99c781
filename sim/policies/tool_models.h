// Models of real tools that share the session (docs/REAL_CLIENTS.md, docs/REPORTS.md), as actors
// written against the World and its Io (they are not the reference engine).
#pragma once

#include <cstddef>

#include "engine/task.h"

namespace credsim::sim {

class World;

// Dispatches on the consumer's policy name; precondition: a PolicyKind::kToolModel policy.
Task<void> RunToolModel(World& world, size_t index);

}  // namespace credsim::sim
