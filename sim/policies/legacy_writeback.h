// Legacy policies that write a store the wrong way (docs/REPORTS.md 3, 13, 30, 31): the
// reference engine over an Io whose writes do what the buggy tool's writes did.
#pragma once

#include <memory>
#include <string>

#include "engine/io.h"

namespace credsim::sim {

// null if `name` is not one of this file's policies.
std::unique_ptr<engine::Io> MakeLegacyWriteBackIo(const std::string& name, engine::Io& base);

}  // namespace credsim::sim
