// Legacy policies: the reference engine over an Io that introduces exactly one reported bug.
// Reading a wrapper is reading the bug; each names its report (docs/REPORTS.md numbering).
#pragma once

#include <memory>
#include <string>

#include "engine/io.h"

namespace credsim::sim {

// null if `name` is not a legacy policy made of one IoWrapper (WritesByRename is built by
// MakePolicyIo; Unbounded401Retry is a consumer loop setting).
std::unique_ptr<engine::Io> MakeLegacyIo(const std::string& name, engine::Io& base);

}  // namespace credsim::sim
