#include "sim/explore.h"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <utility>

#include "base/assert.h"
#include "base/json_string.h"
#include "engine/formats/json_tree.h"

namespace credsim::sim {

// --- pickers -----------------------------------------------------------------------------------

void ExplorePicker::Attach(const Scheduler& scheduler, const Trace& trace,
                           const ChoiceSource& choices, ActorNames names) {
  scheduler_ = &scheduler;
  trace_ = &trace;
  choices_ = &choices;
  names_ = std::move(names);
  points_.clear();
}

uint64_t ExplorePicker::StateKey(int64_t now_ms) const {
  CREDSIM_ASSERT(scheduler_ != nullptr && trace_ != nullptr && choices_ != nullptr);
  uint64_t state = trace_->line_sum();
  uint64_t key = SplitMix64(state);
  state = key ^ scheduler_->PendingDigest();
  key = SplitMix64(state);
  state = key ^ choices_->draws();
  key = SplitMix64(state);
  state = key ^ static_cast<uint64_t>(now_ms);
  return SplitMix64(state);
}

size_t ExplorePicker::Pick(std::span<const PickCandidate> candidates, int64_t now_ms) {
  CREDSIM_ASSERT(candidates.size() >= 2);
  CREDSIM_ASSERT(candidates.size() <= std::numeric_limits<uint16_t>::max());
  Point point;
  point.options = static_cast<uint16_t>(candidates.size());
  point.t_ms = now_ms;
  point.state_key = StateKey(now_ms);
  const size_t chosen = std::min(Choose(candidates), candidates.size() - 1);
  point.chosen = static_cast<uint16_t>(chosen);
  if (names_ && chosen != 0) {
    point.ran = names_(candidates[chosen].actor);
    point.instead_of = names_(candidates[0].actor);
  }
  points_.push_back(std::move(point));
  return chosen;
}

Schedule ExplorePicker::Taken() const {
  Schedule taken;
  for (size_t i = 0; i < points_.size(); ++i) {
    if (points_[i].chosen != 0) taken.push_back({static_cast<uint32_t>(i), points_[i].chosen});
  }
  return taken;
}

SchedulePlayer::SchedulePlayer(Schedule schedule) : schedule_(std::move(schedule)) {
  CREDSIM_ASSERT(
      std::is_sorted(schedule_.begin(), schedule_.end(),
                     [](const Deviation& a, const Deviation& b) { return a.point < b.point; }));
}

size_t SchedulePlayer::Choose(std::span<const PickCandidate> candidates) {
  const size_t point = points().size();
  if (next_ < schedule_.size() && schedule_[next_].point == point) {
    // A schedule from a file may name a candidate this run does not have: the last one is taken
    // (Pick clamps), and the run is still a valid schedule of the world.
    (void)candidates;
    return schedule_[next_++].pick;
  }
  return 0;
}

PctPicker::PctPicker(uint64_t seed, int depth, uint64_t expected_points)
    : rng_(seed), depth_(depth) {
  CREDSIM_ASSERT(depth >= 1 && depth <= 16);
  const uint64_t span = std::max<uint64_t>(expected_points, 1);
  for (int i = 1; i < depth; ++i) change_points_.push_back(rng_.BelowU64(span));
}

size_t PctPicker::Choose(std::span<const PickCandidate> candidates) {
  // Priorities above depth_ are initial (random); lowering gives depth_ - i, below them all.
  for (const PickCandidate& c : candidates) {
    if (!priority_.contains(c.actor)) {
      priority_[c.actor] = depth_ + static_cast<int64_t>(rng_.BelowU64(uint64_t{1} << 30));
    }
  }
  auto highest = [&] {
    size_t best = 0;
    for (size_t i = 1; i < candidates.size(); ++i) {
      if (priority_[candidates[i].actor] > priority_[candidates[best].actor]) best = i;
    }
    return best;
  };
  size_t best = highest();
  for (size_t i = 0; i < change_points_.size(); ++i) {
    if (change_points_[i] == points_seen_) {
      priority_[candidates[best].actor] = depth_ - 1 - static_cast<int64_t>(i);
      best = highest();
    }
  }
  ++points_seen_;
  return best;
}

// --- running -----------------------------------------------------------------------------------

namespace {

WorldConfig ForExploration(WorldConfig config) {
  // The default order is the order of scheduling; the picker makes every other order.
  config.shuffle_ties = false;
  // Every store read and write in the trace: the state key then sees what each actor was shown.
  config.trace_io = true;
  return config;
}

RunResult RunWith(const WorldConfig& config, ExplorePicker& picker, int64_t window_ms,
                  RunOptions options) {
  options.picker = &picker;
  options.pick_window_ms = window_ms;
  return RunWorld(config, options);
}

// Counts a finished run that held every oracle but left a judged consumer out.
void NoteOutages(const RunResult& r, const ExplorePicker& picker, ExploreResult& result) {
  const auto judged =
      std::find_if(r.outages.begin(), r.outages.end(), [](const Outage& o) { return o.judged; });
  if (judged == r.outages.end()) return;
  ++result.with_outage;
  if (result.first_outage) return;
  result.first_outage = picker.Taken();
  result.first_outage_text = DescribeOutage(*judged);
}

// A schedule waiting to run, and how many preemptions it used.
struct Pending {
  Schedule schedule;
  int used = 0;
};

// Pushes the children of a finished run: one more preemption at each pick point after the last
// one the schedule forced, unless the state there was already explored with as much budget.
void Branch(const Pending& run, const std::vector<ExplorePicker::Point>& points,
            const ExploreOptions& options, std::unordered_map<uint64_t, int>& explored,
            ExploreResult& result, std::vector<Pending>& stack) {
  const uint32_t first = run.schedule.empty() ? 0 : run.schedule.back().point + 1;
  const int left = options.preemptions - run.used;
  std::vector<Pending> children;
  for (uint32_t i = first; i < points.size(); ++i) {
    if (options.state_cache) {
      auto [it, fresh] = explored.try_emplace(points[i].state_key, left);
      if (!fresh && it->second >= left) {
        // Every continuation from here with `left` preemptions was explored from this state.
        ++result.merged;
        break;
      }
      it->second = std::max(it->second, left);
    }
    if (left <= 0) continue;
    for (uint16_t pick = 1; pick < points[i].options; ++pick) {
      Pending child{run.schedule, run.used + 1};
      child.schedule.push_back({i, pick});
      children.push_back(std::move(child));
    }
  }
  // Depth first, earliest branch first.
  for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(std::move(*it));
}

ExploreResult Enumerate(const ScheduleRunner& run_world, const ExploreOptions& options) {
  ExploreResult result;
  std::unordered_map<uint64_t, int> explored;  // state key -> most preemptions left seen there
  std::vector<Pending> stack{Pending{}};
  while (!stack.empty()) {
    if (result.schedules >= options.max_schedules) {
      result.complete = false;
      break;
    }
    const Pending run = std::move(stack.back());
    stack.pop_back();
    SchedulePlayer player(run.schedule);
    RunResult r = run_world(player);
    ++result.schedules;
    result.pick_points_max = std::max<uint64_t>(result.pick_points_max, player.points().size());
    if (!r.ok()) {
      result.failing = run.schedule;
      result.failing_points = player.points();
      result.failing_result = std::move(r);
      break;
    }
    NoteOutages(r, player, result);
    Branch(run, player.points(), options, explored, result, stack);
  }
  result.states = explored.size();
  return result;
}

ExploreResult SamplePct(const ScheduleRunner& run_world, const ExploreOptions& options) {
  ExploreResult result;
  result.complete = false;  // sampling never covers every schedule
  SchedulePlayer natural({});
  RunResult first = run_world(natural);
  ++result.schedules;
  result.pick_points_max = natural.points().size();
  if (!first.ok()) {
    result.failing = Schedule{};
    result.failing_points = natural.points();
    result.failing_result = std::move(first);
    return result;
  }
  NoteOutages(first, natural, result);
  uint64_t seeds = options.pct_seed;
  for (uint64_t i = 0; i < options.pct_runs; ++i) {
    PctPicker pct(SplitMix64(seeds), options.pct_depth, natural.points().size());
    RunResult r = run_world(pct);
    ++result.schedules;
    result.pick_points_max = std::max<uint64_t>(result.pick_points_max, pct.points().size());
    if (!r.ok()) {
      result.failing = pct.Taken();
      result.failing_points = pct.points();
      result.failing_result = std::move(r);
      break;
    }
    NoteOutages(r, pct, result);
  }
  return result;
}

}  // namespace

ExploreResult ExploreRuns(const ScheduleRunner& run, const ExploreOptions& options) {
  CREDSIM_ASSERT(options.preemptions >= 0 && options.window_ms >= 0);
  return options.pct_runs > 0 ? SamplePct(run, options) : Enumerate(run, options);
}

ExploreResult Explore(const WorldConfig& config, const ExploreOptions& options) {
  const WorldConfig world = ForExploration(config);
  return ExploreRuns(
      [&](ExplorePicker& picker) {
        if (options.before_run) options.before_run();
        RunResult r = RunWith(world, picker, options.window_ms, {});
        if (options.after_run) options.after_run();
        return r;
      },
      options);
}

RunResult RunSchedule(const WorldConfig& config, const Schedule& schedule, int64_t window_ms,
                      RunOptions options) {
  SchedulePlayer player(schedule);
  return RunWith(ForExploration(config), player, window_ms, options);
}

// --- schedule files ----------------------------------------------------------------------------

std::string ScheduleToJson(const Schedule& schedule, int64_t window_ms,
                           const std::vector<ExplorePicker::Point>& points) {
  std::string out = "{\n  \"window_ms\": " + std::to_string(window_ms) + ",\n  \"deviations\": [";
  for (size_t i = 0; i < schedule.size(); ++i) {
    const Deviation& d = schedule[i];
    out += i == 0 ? "\n" : ",\n";
    out += "    {\"point\": " + std::to_string(d.point) + ", \"pick\": " + std::to_string(d.pick);
    if (d.point < points.size()) {
      const ExplorePicker::Point& p = points[d.point];
      out +=
          ", \"t_ms\": " + std::to_string(p.t_ms) + ", \"options\": " + std::to_string(p.options);
      if (!p.ran.empty()) {
        out += ", \"ran\": ";
        base::AppendJsonString(out, p.ran);
        out += ", \"before\": ";
        base::AppendJsonString(out, p.instead_of);
      }
    }
    out += "}";
  }
  out += schedule.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

namespace {

bool ReadCount(const formats::JsonValue* v, uint64_t max, uint64_t* out) {
  if (v == nullptr || v->kind != formats::JsonKind::kInt64 || v->int64 < 0 ||
      static_cast<uint64_t>(v->int64) > max) {
    return false;
  }
  *out = static_cast<uint64_t>(v->int64);
  return true;
}

}  // namespace

std::optional<Schedule> ScheduleFromJson(std::string_view json, int64_t* window_ms,
                                         std::string* error) {
  auto tree = formats::ParseJsonTree(json);
  if (!tree.ok()) {
    *error = tree.error().path + ": " + tree.error().message + " (expected valid JSON)";
    return std::nullopt;
  }
  const formats::JsonValue& root = tree.value();
  uint64_t window = 0;
  if (!root.is_object() || !ReadCount(root.Find("window_ms"), uint64_t{1} << 40, &window)) {
    *error = "$.window_ms: expected a non-negative integer";
    return std::nullopt;
  }
  const formats::JsonValue* list = root.Find("deviations");
  if (list == nullptr || !list->is_array()) {
    *error = "$.deviations: expected an array";
    return std::nullopt;
  }
  Schedule schedule;
  for (size_t i = 0; i < list->array.size(); ++i) {
    const std::string path = "$.deviations[" + std::to_string(i) + "]";
    const formats::JsonValue& d = list->array[i];
    uint64_t point = 0, pick = 0;
    if (!d.is_object() || !ReadCount(d.Find("point"), UINT32_MAX, &point)) {
      *error = path + ".point: expected a non-negative integer";
      return std::nullopt;
    }
    if (!ReadCount(d.Find("pick"), UINT16_MAX, &pick) || pick == 0) {
      *error = path + ".pick: expected a positive integer (0 is the default order)";
      return std::nullopt;
    }
    if (!schedule.empty() && point <= schedule.back().point) {
      *error = path + ".point: expected points in increasing order";
      return std::nullopt;
    }
    schedule.push_back({static_cast<uint32_t>(point), static_cast<uint16_t>(pick)});
  }
  *window_ms = static_cast<int64_t>(window);
  return schedule;
}

}  // namespace credsim::sim
