// `credsim live --scenario FILE`: the same scenario files as the simulator, where they apply. The
// server's provider and reuse policy, and the default home's initial stores (which stores exist,
// holding the live pair or the one a rotation back, expired or not, with or without scopes and
// subscriptionType, a clientId, extra top-level sections, a pool entry's flags, cut short), are
// laid out with real tokens of the live server: a login, then one rotation, so "previous" holds a
// really spent refresh token. What does not apply to real processes (consumers' policies, scripted
// events, other homes and links, virtual clocks) is listed, not silently dropped.
#pragma once

#include <string>
#include <vector>

#include "live/live_server.h"
#include "live/sandbox.h"
#include "sim/world_config.h"

namespace credsim::live {

// What of `world` a live run cannot apply (one line each), for the run to print.
std::vector<std::string> NotApplicableLive(const sim::WorldConfig& world);

// Writes the default home's initial stores of `world` into the sandbox (0600, directories 0700),
// with a login and one rotation on `server`. False + why on failure.
bool LayOutScenarioStores(const sim::WorldConfig& world, LiveServer& server, const Sandbox& sandbox,
                          std::string* why);

}  // namespace credsim::live
