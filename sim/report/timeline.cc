#include "sim/report/timeline.h"

#include <algorithm>

#include "base/assert.h"
#include "engine/formats/json_tree.h"

namespace credsim::sim {
namespace {

using formats::JsonKind;
using formats::JsonValue;

std::string StrOf(const JsonValue& line, std::string_view key) {
  const JsonValue* v = line.Find(key);
  if (!v) return "";
  if (v->kind == JsonKind::kString) return v->string;
  if (v->kind == JsonKind::kInt64) return std::to_string(v->int64);
  if (v->kind == JsonKind::kBool) return v->boolean ? "true" : "false";
  return "";
}

class Builder {
 public:
  Builder(const WorldConfig& world) {
    t_.duration_ms = world.duration_ms;
    for (const ConsumerSpec& c : world.consumers) {
      Lane& lane = LaneFor("consumer:", c.name);
      lane.note = c.policy;
    }
  }

  void Line(const JsonValue& l) {
    const int64_t t = l.Find("t") && l.Find("t")->kind == JsonKind::kInt64 ? l.Find("t")->int64 : 0;
    const std::string ev = StrOf(l, "ev"), c = StrOf(l, "c");
    if (ev == "store.seed") {
      Hold("store:" + StrOf(l, "store"), t, StrOf(l, "rt"));
    } else if (ev == "store.write") {
      const std::string store = StrOf(l, "store");
      std::string label = StrOf(l, "rt");
      if (label == "fam0/rt0") label = "empty";
      if (StrOf(l, "readable") == "false") label = "unreadable";
      Hold("store:" + store, t, label);
      Add("store:" + store, {t, MarkKind::kWrite, c + " wrote " + label});
    } else if (ev == "store.write_failed") {
      Add("store:" + StrOf(l, "store"), {t, MarkKind::kWriteFail, c + ": " + StrOf(l, "status")});
    } else if (ev == "token.reply") {
      Reply(l, t, c);
    } else if (ev.starts_with("net.")) {
      Add("consumer:" + c, {t, MarkKind::kError, ev.substr(4) + " " + StrOf(l, "status")});
    } else if (ev == "demand.failed") {
      Failed("consumer:" + c, t, StrOf(l, "status"));
    } else if (ev == "demand.served") {
      Served("consumer:" + c, t);
    } else if (ev == "consumer.killed" || ev == "user.relogin" || ev == "script.event" ||
               ev == "store.symlink_replaced") {
      const std::string what = ev == "script.event" ? StrOf(l, "do") : ev + " " + StrOf(l, "why");
      if (!c.empty()) Add("consumer:" + c, {t, MarkKind::kEvent, what});
    }
  }

  Timeline Finish(const std::vector<Violation>& violations) {
    for (Lane& lane : t_.lanes) {
      if (!lane.spans.empty()) lane.spans.back().to_ms = t_.duration_ms;
      if (auto it = open_lockout_.find(lane.id); it != open_lockout_.end()) {
        lane.lockout.push_back({it->second, t_.duration_ms, "lockout"});
      }
    }
    // The first firing of each oracle per consumer: later ones repeat it and clutter the lane.
    std::map<std::string, bool> shown;
    for (const Violation& v : violations) {
      const std::string id = v.consumer.empty() ? "" : "consumer:" + v.consumer;
      if (id.empty() || shown[id + "/" + v.oracle]) continue;
      shown[id + "/" + v.oracle] = true;
      Add(id, {v.t_ms, MarkKind::kOracle, v.oracle + ": " + v.message});
    }
    for (Lane& lane : t_.lanes) {
      std::stable_sort(lane.marks.begin(), lane.marks.end(),
                       [](const Mark& a, const Mark& b) { return a.t_ms < b.t_ms; });
    }
    return std::move(t_);
  }

  uint64_t lines = 0;

 private:
  Lane& LaneFor(const std::string& prefix, const std::string& name) {
    const std::string id = prefix + name;
    for (Lane& lane : t_.lanes) {
      if (lane.id == id) return lane;
    }
    t_.lanes.push_back(Lane{.id = id, .name = name});
    return t_.lanes.back();
  }
  Lane& LaneById(const std::string& id) {
    const size_t colon = id.find(':');
    return LaneFor(id.substr(0, colon + 1), id.substr(colon + 1));
  }
  void Add(const std::string& id, Mark mark) {
    Lane& lane = LaneById(id);
    // Oracle marks are always kept: they are the point of the page.
    if (lane.marks.size() >= Timeline::kMaxMarks && mark.kind != MarkKind::kOracle) {
      ++lane.marks_dropped;
      return;
    }
    lane.marks.push_back(std::move(mark));
  }
  void Hold(const std::string& id, int64_t t, const std::string& label) {
    Lane& lane = LaneById(id);
    if (!lane.spans.empty() && lane.spans.back().label == label) return;
    if (!lane.spans.empty()) lane.spans.back().to_ms = t;
    if (lane.spans.size() >= Timeline::kMaxSpans) return;
    lane.spans.push_back({t, t, label});
  }
  void Reply(const JsonValue& l, int64_t t, const std::string& c) {
    const std::string outcome = StrOf(l, "outcome"), rt = StrOf(l, "rt");
    MarkKind kind = MarkKind::kRejected;
    if (outcome == "issued") kind = MarkKind::kRefresh;
    if (StrOf(l, "reuse") == "true") kind = MarkKind::kReuse;
    std::string text = "presented " + rt + ": " + outcome;
    if (StrOf(l, "lost") == "true") text += " (answer lost)";
    Add("consumer:" + c, {t, kind, text});
  }
  void Failed(const std::string& id, int64_t t, const std::string& status) {
    if (open_lockout_.count(id)) return;  // one mark per window; the shading shows the rest
    open_lockout_[id] = t;
    Add(id, {t, MarkKind::kFailure, "no usable token: " + status});
  }
  void Served(const std::string& id, int64_t t) {
    auto it = open_lockout_.find(id);
    if (it == open_lockout_.end()) return;
    Lane& lane = LaneById(id);
    if (lane.lockout.size() < Timeline::kMaxSpans) lane.lockout.push_back({it->second, t, ""});
    open_lockout_.erase(it);
  }

  Timeline t_;
  std::map<std::string, int64_t> open_lockout_;  // lane id -> first failed demand
};

}  // namespace

const char* MarkKindName(MarkKind kind) {
  switch (kind) {
    case MarkKind::kRefresh:
      return "refresh";
    case MarkKind::kReuse:
      return "reuse";
    case MarkKind::kRejected:
      return "rejected";
    case MarkKind::kError:
      return "error";
    case MarkKind::kFailure:
      return "failure";
    case MarkKind::kWrite:
      return "write";
    case MarkKind::kWriteFail:
      return "writefail";
    case MarkKind::kEvent:
      return "event";
    case MarkKind::kOracle:
      return "oracle";
  }
  return "event";
}

Timeline BuildTimeline(std::string_view trace, const WorldConfig& world,
                       const std::vector<Violation>& violations) {
  Builder b(world);
  uint64_t lines = 0;
  while (!trace.empty()) {
    const size_t nl = trace.find('\n');
    const std::string_view line = trace.substr(0, nl);
    trace.remove_prefix(nl == std::string_view::npos ? trace.size() : nl + 1);
    if (line.empty()) continue;
    ++lines;
    auto tree = formats::ParseJsonTree(line);
    CREDSIM_ASSERT(tree.ok(), "the trace writes one JSON object per line");
    if (tree.ok() && tree.value().is_object()) b.Line(tree.value());
  }
  Timeline t = b.Finish(violations);
  t.trace_lines = lines;
  // Consumers first, then stores: a stable partition keeps each group's order.
  std::stable_partition(t.lanes.begin(), t.lanes.end(),
                        [](const Lane& l) { return l.id.starts_with("consumer:"); });
  return t;
}

}  // namespace credsim::sim
