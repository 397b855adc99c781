// Scheduler: the simulator's only notion of time.
//
// Events are coroutine resumptions ordered by (virtual time ms, tie-break, sequence number) in a
// binary heap. An event almost always schedules exactly one more (the resumed actor suspends
// again), so the event being run stays at the root until then and the new one replaces it: one
// sift-down per event instead of a pop and a push. The tie-break is drawn from the choice source
// when `shuffle_ties` is on, so "which of two simultaneous events goes first" is a choice the world
// makes (and a swarm explores), not an accident of insertion order.
//
// Actors are top-level Task<void>s owned by the scheduler. An actor is suspended in exactly one
// place at a time, so each actor has exactly one live wake token (and one handle to resume, kept
// in the actor's record, which keeps heap entries at 24 bytes): an event whose token is not the
// actor's current one is stale and skipped. That is how a lock-wait timeout is cancelled when the
// lock is granted first, and how a killed actor's pending events disappear without searching the
// heap.
//
// Everything is bounded: events per run, heap size and actors are asserted (and reported).
//
// Exploration (sim/explore.h) replaces "the earliest event runs next" with a SchedulePicker: at
// each step the live events due within `window_ms` of the earliest one are the candidates, and
// the picker says which runs. Candidates are listed in default order (time, then tie-break), so
// index 0 is what the scheduler would have run; an event run after a later one runs late, at the
// current time (an I/O step that took a little longer). Without a picker nothing of this runs.
#pragma once

#include <coroutine>
#include <cstdint>
#include <span>
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

// One event that may run next.
struct PickCandidate {
  ActorId actor;
  int64_t time_ms;
};

class SchedulePicker {
 public:
  virtual ~SchedulePicker() = default;
  // Called only when there are at least two candidates; returns an index into `candidates`.
  virtual size_t Pick(std::span<const PickCandidate> candidates, int64_t now_ms) = 0;
};

class Scheduler {
 public:
  Scheduler(ChoiceSource& choices, SchedulerLimits limits, bool shuffle_ties);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  int64_t now_ms() const { return now_ms_; }
  uint64_t events_run() const { return events_run_; }
  size_t queue_size() const { return heap_.size() - (root_consumed_ ? 1 : 0); }
  size_t queue_peak() const { return queue_peak_; }
  ActorId current() const { return current_; }

  // Starts `task` as an actor at now + delay_ms. The scheduler owns it until it finishes or is
  // killed.
  ActorId Spawn(Task<void> task, int64_t delay_ms);
  // Destroys the actor's coroutine chain wherever it is suspended; its pending events go stale.
  // Must not be called by the actor on itself.
  void Kill(ActorId actor);
  bool alive(ActorId actor) const;

  // Resume `handle` (belonging to `actor`) at now + delay_ms. A later WakeAt for the same actor
  // supersedes it.
  void WakeAt(std::coroutine_handle<> handle, ActorId actor, int64_t delay_ms);
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

  // From now on the picker chooses among the events due within window_ms of the earliest.
  void set_picker(SchedulePicker* picker, int64_t window_ms);
  // The events that will run, as (actor, time - now) pairs, hashed independently of heap order:
  // part of an explorer's state key.
  uint64_t PendingDigest() const;

  // Runs events with time <= until_ms. Returns false if a limit stopped it early.
  bool RunUntil(int64_t until_ms);
  bool limit_hit() const { return limit_hit_; }

 private:
  struct Entry {
    int64_t time_ms;
    // Tie-break (high 24 bits) and sequence number (low 40 bits). Unique per WakeAt, so it is
    // also the wake token: the entry is live while its actor's wake_token equals it.
    uint64_t order;
    ActorId actor;
  };
  struct Actor {
    Task<void> task;
    std::coroutine_handle<> resume;  // what the live wake-up resumes; null: start `task`
    uint64_t wake_token = kDisarmed;
    bool alive = false;
  };
  static constexpr uint64_t kDisarmed = UINT64_MAX;  // no order value reaches it (asserted)
  // (time, order) as one unsigned 128-bit number: the comparison compiles without branches,
  // which matters in a sift whose outcomes a branch predictor cannot guess.
  static unsigned __int128 Key(const Entry& e) {
    return (static_cast<unsigned __int128>(static_cast<uint64_t>(e.time_ms)) << 64) | e.order;
  }
  static bool Before(const Entry& a, const Entry& b) { return Key(a) < Key(b); }
  void Push(Entry entry);
  void PopRoot();                        // removes heap_[0]
  void SiftDown(size_t i, Entry entry);  // places `entry` at hole i or below
  void Reap(ActorId actor);
  bool Live(const Entry& e) const {
    return actors_[e.actor].alive && actors_[e.actor].wake_token == e.order;
  }
  // With a picker: the live entries due by `latest` (at most kMaxCandidates), default order.
  void CollectCandidates(int64_t latest);
  // Runs one entry: the root when `is_root`, otherwise a live entry further down (its heap slot
  // goes stale and is dropped when it surfaces).
  void RunEntry(Entry entry, bool is_root);
  static constexpr size_t kMaxCandidates = 64;

  ChoiceSource& choices_;
  SchedulerLimits limits_;
  bool shuffle_ties_;
  std::vector<Entry> heap_;  // a binary min-heap under Before
  // heap_[0] is the event being run (already taken): the next Push replaces it.
  bool root_consumed_ = false;
  std::vector<Actor> actors_;
  int64_t now_ms_ = 0;
  uint64_t seq_ = 0;
  uint64_t events_run_ = 0;
  size_t queue_peak_ = 0;
  ActorId current_ = kNoActor;
  bool limit_hit_ = false;
  SchedulePicker* picker_ = nullptr;
  int64_t pick_window_ms_ = 0;
  std::vector<Entry> candidates_;       // scratch for CollectCandidates
  std::vector<PickCandidate> offered_;  // what the picker sees
};

}  // namespace credsim::sim
