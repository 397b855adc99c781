// Legacy policies that read the stores the wrong way (docs/REPORTS.md 9, 20, 30, 31): the
// reference engine over an Io whose reads see what the buggy tool saw.
#pragma once

#include <memory>
#include <string>

#include "engine/io.h"

namespace credsim::sim {

// null if `name` is not one of this file's policies.
std::unique_ptr<engine::Io> MakeLegacyReadsIo(const std::string& name, engine::Io& base);

}  // namespace credsim::sim
