// Legacy policies of an agent's credential pool (docs/REPORTS.md 1, 10, 16, 19, and the
// unconfirmed pool-only login): the reference engine over an Io that makes the pool behave as the
// report describes.
#pragma once

#include <memory>
#include <string>

#include "engine/io.h"

namespace credsim::sim {

// null if `name` is not one of this file's policies.
std::unique_ptr<engine::Io> MakeLegacyPoolIo(const std::string& name, engine::Io& base);

}  // namespace credsim::sim
