// SimIo: engine::Io for one consumer inside the World. Every call suspends for a latency drawn
// from the choice source and takes effect when the scheduler resumes it, so every other actor can
// interleave at every I/O point of the shipping engine code. NowMs is this consumer's skewed,
// drifting clock.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/io.h"
#include "sim/owner.h"

namespace credsim::sim {

class World;

class SimIo final : public engine::Io {
 public:
  SimIo(World& world, Owner owner, int64_t skew_ms, int32_t drift_ppm);

  Task<engine::StoreRead> Read(engine::StoreId store) override;
  Task<engine::StoreRead> ReadIfChanged(engine::StoreId store, engine::StoreVersion known) override;
  Task<engine::StoreWrite> CompareAndSwap(engine::StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override;
  Task<engine::IoStatus> Lock(engine::LockId lock, int64_t timeout_ms) override;
  Task<void> Unlock(engine::LockId lock) override;
  Task<engine::HttpResult> PostToken(engine::HttpRequest request) override;
  int64_t NowMs() override;
  Task<void> SleepMs(int64_t duration_ms) override;
  uint64_t RandomBelow(uint64_t bound_exclusive) override;

  // CompareAndSwap, but the bytes land by a rename over the path: a symlink there is replaced by
  // a private file (World::WriteMode::kRename). For the legacy policy WritesByRename.
  Task<engine::StoreWrite> CompareAndRename(engine::StoreId store, engine::StoreVersion expected,
                                            std::string bytes);

  Owner owner() const { return owner_; }
  // A scripted jump of this consumer's clock (EventKind::kClockJump).
  void JumpClock(int64_t by_ms) { skew_ms_ += by_ms; }

 private:
  World& world_;
  Owner owner_;
  int64_t skew_ms_;
  int32_t drift_ppm_;
  // Locks held inside this process only (LockTopology::kProcess): they exclude nobody else.
  bool process_local_locks_ = false;
};

}  // namespace credsim::sim
