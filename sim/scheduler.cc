#include "sim/scheduler.h"

#include <algorithm>
#include <utility>

#include "base/assert.h"

namespace credsim::sim {

Scheduler::Scheduler(ChoiceSource& choices, SchedulerLimits limits, bool shuffle_ties)
    : choices_(choices), limits_(limits), shuffle_ties_(shuffle_ties) {
  heap_.reserve(std::min<size_t>(limits_.max_queue, 1024));
  // Reserved so that an actor spawning another never moves the Task being resumed.
  actors_.reserve(limits_.max_actors);
}

Scheduler::~Scheduler() {
  // Destroy suspended actors before the heap (their frames may own tasks that own frames).
  for (Actor& actor : actors_) actor.task = Task<void>();
}

void Scheduler::Push(Entry entry) {
  CREDSIM_ASSERT(entry.time_ms >= now_ms_);
  if (root_consumed_) {
    root_consumed_ = false;
    SiftDown(0, entry);
    return;
  }
  if (heap_.size() >= limits_.max_queue) {
    CREDSIM_ASSERT(false && "scheduler queue limit");
    limit_hit_ = true;
    return;
  }
  // Sift up from a new hole at the end.
  size_t i = heap_.size();
  heap_.push_back(entry);
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (!Before(entry, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = entry;
  queue_peak_ = std::max(queue_peak_, heap_.size());
}

void Scheduler::SiftDown(size_t i, Entry entry) {
  const size_t n = heap_.size();
  CREDSIM_ASSERT(i < n);
  for (;;) {  // bounded: i at least doubles each round
    size_t child = 2 * i + 1;
    if (child >= n) break;
    child += static_cast<size_t>(child + 1 < n && Before(heap_[child + 1], heap_[child]));
    if (!Before(heap_[child], entry)) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = entry;
}

void Scheduler::PopRoot() {
  CREDSIM_ASSERT(!heap_.empty());
  const Entry last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) SiftDown(0, last);
}

ActorId Scheduler::Spawn(Task<void> task, int64_t delay_ms) {
  CREDSIM_ASSERT(task.valid() && delay_ms >= 0);
  CREDSIM_ASSERT(actors_.size() < limits_.max_actors);
  const ActorId id = static_cast<ActorId>(actors_.size());
  actors_.push_back(Actor{std::move(task), nullptr, kDisarmed, true});
  WakeAt(nullptr, id, delay_ms);
  return id;
}

void Scheduler::Kill(ActorId actor) {
  CREDSIM_ASSERT(actor < actors_.size());
  CREDSIM_ASSERT(actor != current_ && "an actor cannot kill itself");
  Reap(actor);
}

void Scheduler::Reap(ActorId actor) {
  Actor& a = actors_[actor];
  a.alive = false;
  a.wake_token = kDisarmed;
  a.resume = nullptr;
  a.task = Task<void>();  // destroys the whole suspended chain
}

bool Scheduler::alive(ActorId actor) const {
  return actor < actors_.size() && actors_[actor].alive;
}

void Scheduler::WakeAt(std::coroutine_handle<> handle, ActorId actor, int64_t delay_ms) {
  CREDSIM_ASSERT(actor < actors_.size() && actors_[actor].alive);
  CREDSIM_ASSERT(delay_ms >= 0);
  uint64_t order = seq_++;
  CREDSIM_ASSERT(seq_ < (uint64_t{1} << 40));
  if (shuffle_ties_) order |= choices_.BelowU64(uint64_t{1} << 20) << 40;
  CREDSIM_ASSERT(order != kDisarmed);
  actors_[actor].wake_token = order;
  actors_[actor].resume = handle;
  Push(Entry{now_ms_ + delay_ms, order, actor});
}

void Scheduler::Disarm(ActorId actor) {
  CREDSIM_ASSERT(actor < actors_.size());
  actors_[actor].wake_token = kDisarmed;
}

void Scheduler::set_picker(SchedulePicker* picker, int64_t window_ms) {
  CREDSIM_ASSERT(window_ms >= 0);
  picker_ = picker;
  pick_window_ms_ = window_ms;
}

uint64_t Scheduler::PendingDigest() const {
  uint64_t digest = 0;
  for (const Entry& e : heap_) {
    if (!Live(e)) continue;
    // A sum of mixed (actor, delay) pairs: the same pending set in any heap layout digests alike.
    uint64_t state = (uint64_t{e.actor} << 40) ^ static_cast<uint64_t>(e.time_ms - now_ms_);
    digest += SplitMix64(state);
  }
  return digest;
}

void Scheduler::CollectCandidates(int64_t latest) {
  candidates_.clear();
  // Walk the heap from the root, skipping every subtree whose root is due after `latest` (its
  // children are due no earlier). Bounded by the heap's size.
  size_t stack[64];
  size_t depth = 0;
  stack[depth++] = 0;
  while (depth > 0) {
    const size_t i = stack[--depth];
    if (i >= heap_.size() || heap_[i].time_ms > latest) continue;
    if (Live(heap_[i])) candidates_.push_back(heap_[i]);
    CREDSIM_ASSERT(depth + 2 <= std::size(stack));  // depth grows by at most one per level
    stack[depth++] = 2 * i + 2;
    stack[depth++] = 2 * i + 1;
  }
  std::sort(candidates_.begin(), candidates_.end(), Before);
  if (candidates_.size() > kMaxCandidates) candidates_.resize(kMaxCandidates);
}

void Scheduler::RunEntry(Entry entry, bool is_root) {
  Actor& actor = actors_[entry.actor];
  CREDSIM_ASSERT(Live(entry));
  CREDSIM_ASSERT(entry.time_ms >= now_ms_ || picker_ != nullptr);  // late only when picked so
  now_ms_ = std::max(now_ms_, entry.time_ms);
  actor.wake_token = kDisarmed;
  ++events_run_;
  current_ = entry.actor;
  root_consumed_ = is_root;  // the first Push of this event takes the root's place
  if (const std::coroutine_handle<> handle = std::exchange(actor.resume, nullptr)) {
    handle.resume();
  } else {
    actor.task.Start();
  }
  current_ = kNoActor;
  if (root_consumed_) {  // nothing was scheduled: remove the event that ran
    root_consumed_ = false;
    PopRoot();
  }
  // `actor` may dangle if the resumed code spawned (vector growth): index again.
  if (actors_[entry.actor].alive && actors_[entry.actor].task.done()) Reap(entry.actor);
}

bool Scheduler::RunUntil(int64_t until_ms) {
  CREDSIM_ASSERT(!root_consumed_);
  while (!heap_.empty() && heap_.front().time_ms <= until_ms) {
    if (events_run_ >= limits_.max_events) {
      limit_hit_ = true;
      return false;
    }
    const Entry root = heap_.front();
    if (!Live(root)) {  // stale: superseded, killed, or already run out of order
      PopRoot();
      continue;
    }
    if (picker_ == nullptr) {
      RunEntry(root, /*is_root=*/true);
      continue;
    }
    CollectCandidates(std::min(until_ms, root.time_ms + pick_window_ms_));
    CREDSIM_ASSERT(!candidates_.empty() && candidates_[0].order == root.order);
    size_t pick = 0;
    if (candidates_.size() > 1) {
      offered_.clear();
      for (const Entry& e : candidates_) offered_.push_back({e.actor, e.time_ms});
      pick = picker_->Pick(offered_, now_ms_);
      CREDSIM_ASSERT(pick < candidates_.size());
    }
    RunEntry(candidates_[pick], /*is_root=*/pick == 0);
  }
  if (now_ms_ < until_ms && !limit_hit_) now_ms_ = until_ms;
  return !limit_hit_;
}

}  // namespace credsim::sim
