// Model of the Codex CLI (0.169.0 as measured in docs/REAL_CLIENTS.md; each fact below cites its
// section): one `codex exec` per demand. Its refresh happens outside any lock; the write-back
// happens under flock(auth.lock) and throws its own result away if auth.json changed meanwhile.
#pragma once

#include <cstddef>

#include "engine/task.h"

namespace credsim::sim {

class World;

// Status texts the model reports for a demand (what the real CLI prints before exit 1;
// docs/REAL_CLIENTS.md#codex-errors).
inline constexpr const char* kCodexAlreadyUsed = "refresh token was already used";
inline constexpr const char* kCodexSignInAgain = "Please log out and sign in again";

Task<void> RunCodexCli(World& world, size_t index);

}  // namespace credsim::sim
