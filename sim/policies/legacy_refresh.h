// Legacy policies that refresh too often or destroy what a refresh needs (docs/REPORTS.md 4, 17,
// 22, 31): the reference engine over an Io that behaves as the buggy tool did.
#pragma once

#include <memory>
#include <string>

#include "engine/io.h"

namespace credsim::sim {

// null if `name` is not one of this file's policies.
std::unique_ptr<engine::Io> MakeLegacyRefreshIo(const std::string& name, engine::Io& base);

// hermes #70401 (docs/REPORTS.md 17): how many times a demand that got a 401 forces a rotation
// and retries, and how long it pauses in between. The reference retries once (through
// Engine::OnUnauthorized); Unbounded401Retry loops about six times a second until the bound the
// simulator puts on every loop.
struct UnauthorizedRetry {
  int max_rotations = 0;  // 0: the reference path, one OnUnauthorized
  int64_t pause_ms = 0;
};
UnauthorizedRetry UnauthorizedRetryOf(const std::string& policy);

}  // namespace credsim::sim
