// Exploration: run one world under every order of its simultaneous steps, up to a bound.
//
// A swarm draws one order per seed; a race that needs one rare order can hide from it. Here the
// scheduler's "which event runs next" becomes a choice (Scheduler::set_picker): at each pick point
// (two or more live events due within the window of the earliest) a picker chooses, and index 0
// is the order the scheduler would have used. A schedule is the list of choices made; every
// choice other than 0 is a preemption, and the explorer enumerates every schedule with at most K
// of them (delay bounding: a bug that needs few deviations from the natural order is found with a
// small K, and the count of schedules grows polynomially in the run's length, not exponentially).
//
// Runs are stateless re-executions (each schedule runs the world from its start), so nothing of
// the engine's coroutines has to be copied. Two schedules that reach the same state need their
// continuations explored once: at each pick point the explorer keys the state by what the run has
// shown so far (the trace lines as a set, so commuting steps in either order look alike), the
// events pending (actor, delay) and the number of choices drawn, and does not branch again from a
// key already explored with at least as many preemptions left. The key sees what the trace shows;
// a difference the trace does not show would merge two states, so --no-state-cache explores
// without merging (every schedule within the bound runs).
//
// For worlds too large to enumerate, PCT (Burckhardt et al., "A Randomized Scheduler with
// Probabilistic Guarantees of Finding Bugs", ASPLOS 2010): each actor gets a random priority, the
// highest-priority candidate runs, and at depth-1 random pick points the running actor drops to
// the lowest priority. A bug of depth d is found by one run with probability at least
// 1/(n * k^(d-1)) for n actors and k pick points.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/choice.h"
#include "sim/run.h"
#include "sim/scheduler.h"
#include "sim/trace.h"
#include "sim/world_config.h"

namespace credsim::sim {

// The choices made at a run's pick points, in order; points past the end take 0.
struct Deviation {
  uint32_t point = 0;  // the pick point's index in the run
  uint16_t pick = 0;   // the candidate chosen there (1 or more: not the default)
};
using Schedule = std::vector<Deviation>;

// A SchedulePicker that also records each pick point (for the explorer's branching and the
// failure report).
class ExplorePicker : public SchedulePicker {
 public:
  struct Point {
    uint16_t options = 0;
    uint16_t chosen = 0;
    int64_t t_ms = 0;
    uint64_t state_key = 0;
    std::string ran, instead_of;  // who the chosen and the natural candidate are (names_ set)
  };
  using ActorNames = std::function<std::string(ActorId)>;
  // RunWorld calls this once the world exists; `names` (may be empty) names an actor for reports.
  void Attach(const Scheduler& scheduler, const Trace& trace, const ChoiceSource& choices,
              ActorNames names = {});
  size_t Pick(std::span<const PickCandidate> candidates, int64_t now_ms) final;
  const std::vector<Point>& points() const { return points_; }
  // The non-default choices of the run so far.
  Schedule Taken() const;

 protected:
  // The choice at the next pick point, given its candidates in default order.
  virtual size_t Choose(std::span<const PickCandidate> candidates) = 0;

 private:
  uint64_t StateKey(int64_t now_ms) const;

  const Scheduler* scheduler_ = nullptr;
  const Trace* trace_ = nullptr;
  const ChoiceSource* choices_ = nullptr;
  ActorNames names_;
  std::vector<Point> points_;
};

// Follows a schedule, then the default order.
class SchedulePlayer final : public ExplorePicker {
 public:
  explicit SchedulePlayer(Schedule schedule);

 protected:
  size_t Choose(std::span<const PickCandidate> candidates) override;

 private:
  Schedule schedule_;
  size_t next_ = 0;  // the next deviation to apply
};

// PCT with the given depth; its own PRNG, so the world's choices are the same as without it.
class PctPicker final : public ExplorePicker {
 public:
  // `expected_points`: about how many pick points a run has (the change points are drawn below).
  PctPicker(uint64_t seed, int depth, uint64_t expected_points);

 protected:
  size_t Choose(std::span<const PickCandidate> candidates) override;

 private:
  PrngChoices rng_;
  int depth_;
  std::vector<uint64_t> change_points_;  // pick point indices, one per lowering
  std::map<ActorId, int64_t> priority_;
  uint64_t points_seen_ = 0;
};

struct ExploreOptions {
  int preemptions = 3;  // at most this many non-default choices per schedule
  int64_t window_ms = 0;
  bool state_cache = true;
  uint64_t max_schedules = 2'000'000;
  // PCT instead of enumeration when runs > 0.
  uint64_t pct_runs = 0;
  int pct_depth = 3;
  uint64_t pct_seed = 1;
  // Around each run of Explore (a probe tally, say); either may be empty.
  std::function<void()> before_run, after_run;
};

struct ExploreResult {
  uint64_t schedules = 0;        // worlds run
  uint64_t pick_points_max = 0;  // the most pick points one run had
  uint64_t states = 0;           // distinct state keys branched from
  uint64_t merged = 0;           // pick points not branched from: their state was explored
  bool complete = true;          // every schedule within the bound ran (not cut by max_schedules)
  // Orders where a judged consumer had an outage (every oracle held: the outage had a cause no
  // consumer could avoid, such as a rotation lost on the wire). Reported, never hidden.
  uint64_t with_outage = 0;
  std::optional<Schedule> first_outage;
  std::string first_outage_text;  // "engine session_dead 0h00m00.000s-end ..."
  std::optional<Schedule> failing;
  std::vector<ExplorePicker::Point> failing_points;
  RunResult failing_result;
};

// Enumerates (or samples, with pct_runs) schedules until a run breaks an oracle. `run` runs the
// system from its start under the picker it is given (which it must attach and install).
using ScheduleRunner = std::function<RunResult(ExplorePicker&)>;
ExploreResult ExploreRuns(const ScheduleRunner& run, const ExploreOptions& options);

// ExploreRuns over `config`'s world.
// `config.shuffle_ties` is ignored: the default order is the order of scheduling.
ExploreResult Explore(const WorldConfig& config, const ExploreOptions& options);

// One run of `config` under `schedule` (a failure's reproduction).
RunResult RunSchedule(const WorldConfig& config, const Schedule& schedule, int64_t window_ms,
                      RunOptions options);

// A schedule as JSON ({"window_ms": W, "deviations": [{"point": P, "pick": I, "t_ms": T}]}) and
// back; errors name the JSON path.
std::string ScheduleToJson(const Schedule& schedule, int64_t window_ms,
                           const std::vector<ExplorePicker::Point>& points);
std::optional<Schedule> ScheduleFromJson(std::string_view json, int64_t* window_ms,
                                         std::string* error);

}  // namespace credsim::sim
