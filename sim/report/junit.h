// JUnit XML for CI: one <testsuite> per scenario file, one <testcase> per (scenario, policy); a
// failed expectation is a <failure> whose message says what was expected and what was observed.
#pragma once

#include <string>
#include <vector>

#include "sim/report/verdict.h"

namespace credsim::sim {

std::string JUnitXml(const std::vector<PolicyRun>& runs);
// XML text escaping (& < > " ' and control bytes, which XML 1.0 cannot carry, as '?').
std::string XmlEscape(std::string_view text);

}  // namespace credsim::sim
