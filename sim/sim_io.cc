#include "sim/sim_io.h"

#include "base/assert.h"
#include "sim/world.h"

namespace credsim::sim {

SimIo::SimIo(World& world, Owner owner, int64_t skew_ms, int32_t drift_ppm)
    : world_(world), owner_(owner), skew_ms_(skew_ms), drift_ppm_(drift_ppm) {
  process_local_locks_ =
      owner.is_consumer() && world.consumer(owner.index).lock == LockTopology::kProcess;
}

Task<engine::StoreRead> SimIo::Read(engine::StoreId store) {
  co_await world_.scheduler().Delay(world_.StoreLatencyMs());
  co_return world_.ReadStore(store, owner_);
}

// Same latency and the same choices drawn as Read: whether the bytes are copied changes nothing
// the world can observe.
Task<engine::StoreRead> SimIo::ReadIfChanged(engine::StoreId store, engine::StoreVersion known) {
  co_await world_.scheduler().Delay(world_.StoreLatencyMs());
  co_return world_.ReadStore(store, owner_, known);
}

Task<engine::StoreWrite> SimIo::CompareAndSwap(engine::StoreId store, engine::StoreVersion expected,
                                               std::string bytes) {
  co_await world_.scheduler().Delay(world_.StoreLatencyMs());
  co_return world_.WriteStore(store, expected, std::move(bytes), owner_);
}

Task<engine::StoreWrite> SimIo::CompareAndRename(engine::StoreId store,
                                                 engine::StoreVersion expected, std::string bytes) {
  co_await world_.scheduler().Delay(world_.StoreLatencyMs());
  co_return world_.WriteStore(store, expected, std::move(bytes), owner_, World::WriteMode::kRename);
}

Task<engine::IoStatus> SimIo::Lock(engine::LockId lock, int64_t timeout_ms) {
  co_await world_.scheduler().Delay(world_.StoreLatencyMs());
  if (process_local_locks_) co_return engine::IoStatus::kOk;
  co_return co_await world_.AcquireLock(lock, owner_, timeout_ms);
}

Task<void> SimIo::Unlock(engine::LockId lock) {
  co_await world_.scheduler().Delay(world_.StoreLatencyMs());
  if (!process_local_locks_) world_.ReleaseLock(lock, owner_);
}

Task<engine::HttpResult> SimIo::PostToken(engine::HttpRequest request) {
  // The commit sequence the client has seen is sampled when the request leaves: a rotation that
  // commits while this request is on the wire makes it a concurrent request (a race), not a reuse.
  const uint64_t seen = world_.authority().commit_seq();
  co_await world_.scheduler().Delay(world_.NetLatencyMs());
  engine::HttpResult result = world_.ServeTokenRequest(request, seen, owner_);
  if (result.transport == engine::HttpResult::Transport::kResponse && result.status == 200) {
    co_await world_.scheduler().Delay(world_.config().token_grant_delay_ms);
  }
  co_await world_.scheduler().Delay(world_.NetLatencyMs());
  co_return result;
}

int64_t SimIo::NowMs() {
  const int64_t elapsed_ms = world_.now_ms();
  return world_.abs_ms() + skew_ms_ + elapsed_ms / 1'000'000 * drift_ppm_ +
         (elapsed_ms % 1'000'000) * drift_ppm_ / 1'000'000;
}

Task<void> SimIo::SleepMs(int64_t duration_ms) {
  CREDSIM_ASSERT(duration_ms >= 0);
  co_await world_.scheduler().Delay(duration_ms);
}

uint64_t SimIo::RandomBelow(uint64_t bound_exclusive) {
  return world_.choices().BelowU64(bound_exclusive);
}

}  // namespace credsim::sim
