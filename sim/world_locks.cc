// The world's locks: the lock files and keychain lock each tool takes, timeouts, and the janitor
// that frees a dead process's lock after its staleness (sim/world.h).
#include <algorithm>
#include <cstdlib>
#include <utility>

#include "base/assert.h"
#include "sim/labels.h"
#include "sim/probes.h"
#include "sim/world.h"

namespace credsim::sim {

namespace {
struct WaitForGrant {
  Scheduler& scheduler;
  std::coroutine_handle<>* slot;
  int64_t timeout_ms;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    *slot = h;
    scheduler.WakeAt(h, scheduler.current(), timeout_ms);  // the timeout; a grant supersedes it
  }
  void await_resume() const noexcept {}
};
}  // namespace

std::string World::LockLabel(const LockKey& key) {
  const std::string name = LockName(key.second);
  return key.first.empty() ? name : key.first + "/" + name;
}

std::vector<World::LockKey> World::LockKeysFor(engine::LockId lock, Owner owner) const {
  std::vector<LockKey> keys{{HomeOf(owner), lock}};
  const Consumer* c = AsConsumer(owner);
  if (!c || c->lock != LockTopology::kFile) return keys;
  // The lock beside the file: for each of the consumer's stores under this lock whose path links
  // into another home, that home's lock too (at most one: a link's target is one home).
  for (const engine::StoreId& id : c->session.stores) {
    if (engine::LockFor(id.kind) != lock) continue;
    const StorePath target = Resolve(PathFor(id, owner));
    if (target.home != keys.front().first) {
      keys.push_back({target.home, lock});
      break;
    }
  }
  return keys;
}

Task<engine::IoStatus> World::AcquireLock(engine::LockId lock, Owner owner, int64_t timeout_ms) {
  // Every process takes its home's lock first, then the one beside a linked file: one order for
  // all, so two homes sharing a file cannot deadlock (a target home's own processes take only
  // their home's lock).
  const int64_t deadline_ms = now_ms() + std::max<int64_t>(timeout_ms, 0);
  const std::vector<LockKey> keys = LockKeysFor(lock, owner);
  for (size_t i = 0; i < keys.size(); ++i) {
    const engine::IoStatus status =
        co_await AcquireOne(keys[i], owner, std::max<int64_t>(deadline_ms - now_ms(), 0));
    if (status != engine::IoStatus::kOk) {
      while (i > 0) ReleaseOne(locks_[keys[--i]], owner);  // the ones taken, newest first
      co_return status;
    }
  }
  co_return engine::IoStatus::kOk;
}

Task<engine::IoStatus> World::AcquireOne(LockKey key, Owner owner, int64_t timeout_ms) {
  CREDSIM_ASSERT(locks_.size() < kMaxLocks || locks_.count(key) > 0, "locks are bounded");
  LockState& l = locks_[key];
  CREDSIM_ASSERT(l.holder != owner && "a consumer must not take a lock twice");
  if (!l.holder && l.waiters.empty()) {
    l.holder = owner;
    if (config_.trace_io) {
      trace_.Event(now_ms(), "lock.acquired", OwnerName(owner)).Str("lock", LockLabel(key));
    }
    co_return engine::IoStatus::kOk;
  }
  if (timeout_ms <= 0 || l.waiters.size() >= kMaxLockWaiters) co_return engine::IoStatus::kTimeout;
  LockWaiter waiter{owner, scheduler_.current(), {}, false};
  l.waiters.push_back(&waiter);
  co_await WaitForGrant{scheduler_, &waiter.handle, timeout_ms};
  if (!waiter.granted) {
    std::erase(l.waiters, &waiter);
    trace_.Event(now_ms(), "lock.timeout", OwnerName(owner)).Str("lock", LockLabel(key));
    co_return engine::IoStatus::kTimeout;
  }
  CREDSIM_ASSERT(l.holder == owner);
  if (config_.trace_io) {
    trace_.Event(now_ms(), "lock.acquired", OwnerName(owner)).Str("lock", LockLabel(key));
  }
  co_return engine::IoStatus::kOk;
}

void World::ReleaseLock(engine::LockId lock, Owner owner) {
  // Every lock of this kind the owner holds, in any home: the link may have been replaced since
  // it was taken, so the keys are not recomputed.
  bool released = false;
  for (auto& [key, l] : locks_) {
    if (key.second != lock || l.holder != owner) continue;
    ReleaseOne(l, owner);
    released = true;
  }
  CREDSIM_ASSERT(released, "unlock of a lock not held");
}

void World::ReleaseOne(LockState& l, Owner owner) {
  CREDSIM_ASSERT(l.holder == owner && "unlock of a lock not held");
  l.holder.reset();
  if (l.waiters.empty()) return;
  LockWaiter* next = l.waiters.front();
  l.waiters.erase(l.waiters.begin());
  next->granted = true;
  l.holder = next->owner;
  scheduler_.WakeAt(next->handle, next->actor, 0);
}

Task<void> World::StaleLockJanitor(LockKey key, Owner dead_process) {
  // Claude Code's mkdir lock outlives a killed holder until it is 10 s stale
  // (docs/REAL_CLIENTS.md#claude-code-lock-protocol); a flock dies with its process, so only this
  // lock waits.
  co_await scheduler_.Delay(10 * kSecondMs);
  LockState& l = locks_[key];
  if (l.holder == dead_process) ReleaseOne(l, dead_process);
}

}  // namespace credsim::sim
