// lineage: the token family's history is a line. No refresh token is ever accepted twice (two
// "issued" answers for one presented generation), and every reuse the authority counts is
// classified: a replay after a lost response (the client could not know the successor) is told
// apart from a real reuse (the successor was delivered, or the token was simply stale). A real
// reuse fires when `real_reuse_fires` (worlds where every consumer should know better).
//
// Deliberately NOT verified: grace-window replays (kGraceReplay hands back the same successor by
// policy; that is not a second acceptance), and anything about stores (no_collateral_damage).
#pragma once

#include <map>

#include "sim/oracles/oracle.h"

namespace credsim::sim {

class Lineage final : public Oracle {
 public:
  explicit Lineage(bool real_reuse_fires) : real_reuse_fires_(real_reuse_fires) {}
  const char* name() const override { return "lineage"; }
  void OnRefresh(const RefreshObserved& r) override;
  uint64_t lost_response_replays() const { return lost_replays_; }
  uint64_t real_reuses() const { return real_reuses_; }

 private:
  bool real_reuse_fires_;
  std::map<uint32_t, uint32_t> last_accepted_;  // family -> highest presented generation issued
  uint64_t lost_replays_ = 0, real_reuses_ = 0;
};

}  // namespace credsim::sim
