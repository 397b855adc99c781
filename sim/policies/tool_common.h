// Pieces every tool model shares: the API call that tells whether an access token works, the
// demand loop's pacing and reports, and store writes with the semantics real tools have (a temp
// file renamed over the path; or a non-atomic rewrite in place). Each write is a suspension point
// with a store latency, like every SimIo call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "engine/io.h"
#include "engine/task.h"
#include "sim/owner.h"
#include "sim/world_config.h"

namespace credsim::sim {

class World;

// A JSON POST of `body` to the provider's real token URL (every tool model's refresh; each builds
// its own body, which is where the tools differ).
engine::HttpRequest JsonTokenRequest(engine::Provider provider, std::string body);

// The protected resource's answer for this access token, now: true = 200, false = 401.
bool ApiAccepts(World& world, const std::string& access_token);

// How many demands a consumer can make in the run (the loop bound of every model).
int64_t MaxDemands(const World& world, const ConsumerSpec& spec);
// Sleeps until the consumer's start (first call) or for one drawn gap between demands.
Task<void> WaitForDemand(World& world, const ConsumerSpec& spec, int64_t demand_number);

void ReportToolDemand(World& world, size_t index, int64_t t_ms, bool usable, bool served,
                      const std::string& status, const std::string& access_token);

// One demand of a tool model: its own logic; sets *served and *used (the access token presented)
// and returns a status for the report.
using ToolAttempt = std::function<Task<const char*>(bool* served, std::string* used)>;
// The demand loop every tool model runs: pace, note whether a usable credential existed, make one
// attempt, report it. Bounded by MaxDemands.
Task<void> RunToolDemands(World& world, size_t index, ToolAttempt attempt);

// A temp file renamed over the path (replaces a symlink; no compare-and-swap).
Task<engine::StoreWrite> RenameOver(World& world, engine::StoreId id, std::string bytes,
                                    Owner owner);
// Truncate, then write: a reader between the two sees a torn store.
Task<engine::StoreWrite> RewriteInPlace(World& world, engine::StoreId id, std::string bytes,
                                        Owner owner);

}  // namespace credsim::sim
