// One timeline as inline SVG: a lane per consumer and per store, time left to right. Store lanes
// show which token generation the store holds (a span per label, coloured by family); consumer
// lanes show refreshes, reuse, errors, failures, lockout windows (shaded) and oracle firings; the
// expected window of a legacy run is a band across all lanes. Every shape carries a <title>.
#pragma once

#include <string>

#include "sim/report/verdict.h"

namespace credsim::sim {

// Precondition: run.timeline has a value.
std::string TimelineSvg(const PolicyRun& run);

}  // namespace credsim::sim
