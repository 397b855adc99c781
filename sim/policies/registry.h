// Policies a consumer can run, by name: the reference engine, legacy policies (the reference
// engine over an Io wrapper that introduces one reported bug), and models of real tools.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/io.h"
#include "engine/session.h"
#include "engine/task.h"
#include "sim/world_config.h"

namespace credsim::sim {

class SimIo;
class World;

// kCanary: the reference engine with a deliberately gross defect that no report describes. It is
// how a search proves it can see at all: `credsim mutants` fails when the canary survives.
enum class PolicyKind : uint8_t { kReference, kLegacy, kCanary, kToolModel };

struct PolicyInfo {
  std::string name;
  PolicyKind kind;
  std::string bug;  // what it reproduces; #N is report N of docs/REPORTS.md; empty for reference
};

const std::vector<PolicyInfo>& AllPolicies();
const PolicyInfo* FindPolicy(const std::string& name);
bool IsReferencePolicy(const std::string& name);
// Engine-based policies (the reference and its legacy deltas) are the ones the oracles judge: a
// legacy policy is run exactly to watch an oracle fire on it. Tool models are part of the world.
bool IsJudgedPolicy(const std::string& name);

// The Io a consumer's engine runs on: the deviation of a legacy policy wrapped around `base`, or
// null when the policy uses `base` unchanged.
std::unique_ptr<engine::Io> MakePolicyIo(const std::string& policy, SimIo& base);

// The stores a consumer of this spec reads and writes.
engine::SessionConfig SessionFor(engine::Provider provider, const ConsumerSpec& spec);

// The consumer's actor: its demand loop, running its policy.
Task<void> RunConsumer(World& world, size_t index);

}  // namespace credsim::sim
