// no_collateral_damage: a write by a judged consumer (the reference engine or a legacy delta of it)
// never breaks the store for the others:
// it keeps scopes, the plan (subscriptionType) and unknown fields (the credsimMarker the world
// seeds), never leaves the store unreadable, never overwrites a store that does not parse (its
// content would be lost), never changes a section another tool owns (a top-level section holding no
// token of the session, such as Claude Code's mcpOAuth: StoreTruth::foreign_sections_digest), never
// replaces a symlinked store with a regular file (the link's target would go stale), and never
// puts a staler generation of a family over a fresher one.
//
// Deliberately NOT verified: writes by tool models (they model real tools, whose damage the
// legacy scenarios state through the judged policies), writes that repair a store that was already
// broken (scopes or markers already missing before), and cross-family order (a re-login starts a
// new family; which family is "fresher" is decided by the family id, i.e. the later login).
#pragma once

#include "sim/oracles/oracle.h"

namespace credsim::sim {

class NoCollateralDamage final : public Oracle {
 public:
  const char* name() const override { return "no_collateral_damage"; }
  void OnWrite(const StoreWritten& w) override;
};

}  // namespace credsim::sim
