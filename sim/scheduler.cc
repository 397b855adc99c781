#include "sim/scheduler.h"

#include <algorithm>
#include <cassert>

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
  assert(entry.time_ms >= now_ms_);
  if (heap_.size() >= limits_.max_queue) {
    assert(false && "scheduler queue limit");
    limit_hit_ = true;
    return;
  }
  heap_.push_back(entry);
  std::push_heap(heap_.begin(), heap_.end(), Later);
  queue_peak_ = std::max(queue_peak_, heap_.size());
}

ActorId Scheduler::Spawn(Task<void> task, int64_t delay_ms) {
  assert(task.valid() && delay_ms >= 0);
  assert(actors_.size() < limits_.max_actors);
  const ActorId id = static_cast<ActorId>(actors_.size());
  actors_.push_back(Actor{std::move(task), 0, true});
  WakeAt(nullptr, id, delay_ms);
  return id;
}

void Scheduler::Kill(ActorId actor) {
  assert(actor < actors_.size());
  assert(actor != current_ && "an actor cannot kill itself");
  Reap(actor);
}

void Scheduler::Reap(ActorId actor) {
  Actor& a = actors_[actor];
  a.alive = false;
  a.wake_token = 0;
  a.task = Task<void>();  // destroys the whole suspended chain
}

bool Scheduler::alive(ActorId actor) const {
  return actor < actors_.size() && actors_[actor].alive;
}

uint64_t Scheduler::WakeAt(std::coroutine_handle<> handle, ActorId actor, int64_t delay_ms) {
  assert(actor < actors_.size() && actors_[actor].alive);
  assert(delay_ms >= 0);
  const uint64_t token = next_token_++;
  actors_[actor].wake_token = token;
  uint64_t order = seq_++;
  assert(seq_ < (uint64_t{1} << 40));
  if (shuffle_ties_) order |= choices_.BelowU64(uint64_t{1} << 20) << 40;
  Push(Entry{now_ms_ + delay_ms, order, handle, actor, token});
  return token;
}

void Scheduler::Disarm(ActorId actor) {
  assert(actor < actors_.size());
  actors_[actor].wake_token = 0;
}

bool Scheduler::RunUntil(int64_t until_ms) {
  while (!heap_.empty() && heap_.front().time_ms <= until_ms) {
    if (events_run_ >= limits_.max_events) {
      limit_hit_ = true;
      return false;
    }
    std::pop_heap(heap_.begin(), heap_.end(), Later);
    const Entry entry = heap_.back();
    heap_.pop_back();
    Actor& actor = actors_[entry.actor];
    if (!actor.alive || actor.wake_token != entry.token) continue;  // stale: superseded or killed
    assert(entry.time_ms >= now_ms_);
    now_ms_ = entry.time_ms;
    actor.wake_token = 0;
    ++events_run_;
    current_ = entry.actor;
    if (entry.handle) {
      entry.handle.resume();
    } else {
      actor.task.Start();
    }
    current_ = kNoActor;
    if (on_event_) on_event_(on_event_ctx_, now_ms_, entry.actor);
    // `actor` may dangle if the resumed code spawned (vector growth): index again.
    if (actors_[entry.actor].alive && actors_[entry.actor].task.done()) Reap(entry.actor);
  }
  if (now_ms_ < until_ms && !limit_hit_) now_ms_ = until_ms;
  return !limit_hit_;
}

}  // namespace credsim::sim
