// Scheduler: the simulator's only notion of time.
//
// Events are coroutine resumptions ordered by (virtual time ms, tie-break, sequence number) in a
// binary heap. The tie-break is drawn from the choice source when `shuffle_ties` is on, so "which
// of two simultaneous events goes first" is a choice the world makes (and a swarm explores), not
// an accident of insertion order.
//
// Actors are top-level Task<void>s owned by the scheduler. An actor is suspended in exactly one
// place at a time, so each actor has exactly one live wake token: an event whose token is not the
// actor's current one is stale and skipped. That is how a lock-wait timeout is cancelled when the
// lock is granted first, and how a killed actor's pending events disappear without searching the
// heap.
//
// Everything is bounded: events per run, heap size and actors are asserted (and reported).
#pragma once

#include <coroutine>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/task.h"
#include "sim/choice.h"

namespace credsim::sim {

using ActorId = uint32_t;
inline constexpr ActorId kNoActor = UINT32_MAX;

struct SchedulerLimits {
  uint64_t max_events = uint64_t{1} << 40;
  size_t max_queue = size_t{1} << 20;
  size_t max_actors = 4096;
};

class Scheduler {
 public:
  Scheduler(ChoiceSource& choices, SchedulerLimits limits, bool shuffle_ties);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  int64_t now_ms() const { return now_ms_; }
  uint64_t events_run() const { return events_run_; }
  size_t queue_size() const { return heap_.size(); }
  size_t queue_peak() const { return queue_peak_; }
  ActorId current() const { return current_; }

  // Starts `task` as an actor at now + delay_ms. The scheduler owns it until it finishes or is
  // killed.
  ActorId Spawn(Task<void> task, int64_t delay_ms);
  // Destroys the actor's coroutine chain wherever it is suspended; its pending events go stale.
  // Must not be called by the actor on itself.
  void Kill(ActorId actor);
  bool alive(ActorId actor) const;

  // Resume `handle` (belonging to the current actor) at now + delay_ms. Returns the wake token;
  // a later WakeAt for the same actor supersedes it.
  uint64_t WakeAt(std::coroutine_handle<> handle, ActorId actor, int64_t delay_ms);
  // Invalidate the actor's pending wake-up (e.g. a timeout once the lock was granted).
  void Disarm(ActorId actor);

  // `co_await scheduler.Delay(ms)`: suspend the current actor for ms of virtual time.
  struct DelayAwaiter {
    Scheduler& scheduler;
    int64_t delay_ms;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      scheduler.WakeAt(h, scheduler.current_, delay_ms);
    }
    void await_resume() const noexcept {}
  };
  DelayAwaiter Delay(int64_t delay_ms) { return DelayAwaiter{*this, delay_ms}; }

  // Runs events with time <= until_ms. Returns false if a limit stopped it early.
  bool RunUntil(int64_t until_ms);
  // Called after every event with its time and actor (for traces and hashing); optional.
  void set_on_event(void (*fn)(void*, int64_t, ActorId), void* ctx) {
    on_event_ = fn;
    on_event_ctx_ = ctx;
  }
  bool limit_hit() const { return limit_hit_; }

 private:
  struct Entry {
    int64_t time_ms;
    uint64_t order;                  // tie-break (high bits) and sequence (low bits)
    std::coroutine_handle<> handle;  // null: start the actor's task
    ActorId actor;
    uint64_t token;
  };
  struct Actor {
    Task<void> task;
    uint64_t wake_token = 0;
    bool alive = false;
  };
  static bool Later(const Entry& a, const Entry& b) {
    return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.order > b.order;
  }
  void Push(Entry entry);
  void Reap(ActorId actor);

  ChoiceSource& choices_;
  SchedulerLimits limits_;
  bool shuffle_ties_;
  std::vector<Entry> heap_;
  std::vector<Actor> actors_;
  int64_t now_ms_ = 0;
  uint64_t seq_ = 0;
  uint64_t next_token_ = 1;
  uint64_t events_run_ = 0;
  size_t queue_peak_ = 0;
  ActorId current_ = kNoActor;
  bool limit_hit_ = false;
  void (*on_event_)(void*, int64_t, ActorId) = nullptr;
  void* on_event_ctx_ = nullptr;
};

}  // namespace credsim::sim
