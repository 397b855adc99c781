// The self-contained HTML report: index.html (one row per scenario and policy: expected,
// observed, verdict, a link) and one page per scenario with a timeline per policy. No network,
// no external scripts, styles or fonts: everything is inline, so the directory can be archived
// by CI and opened anywhere. Token text cannot appear: pages are built from labels only.
#pragma once

#include <string>
#include <vector>

#include "sim/report/verdict.h"

namespace credsim::sim {

std::string IndexHtml(const std::vector<PolicyRun>& runs);
// Every run of one scenario (same `scenario` name), in the given order.
std::string ScenarioHtml(const std::vector<const PolicyRun*>& runs);
// The page name of a scenario: its name reduced to [a-z0-9-] plus ".html".
std::string ScenarioPageName(const std::string& scenario);
// Writes index.html and the scenario pages into `dir` (created if missing). False + error on
// any I/O failure.
bool WriteHtmlReport(const std::string& dir, const std::vector<PolicyRun>& runs,
                     std::string* error);

}  // namespace credsim::sim
