#include "sim/report/timeline_svg.h"

#include <algorithm>

#include "base/assert.h"
#include "sim/labels.h"
#include "sim/report/junit.h"

namespace credsim::sim {
namespace {

constexpr int kWidth = 1180, kLabelWidth = 200, kRight = 16, kAxis = 28, kLaneHeight = 34;
constexpr int kPlot = kWidth - kLabelWidth - kRight;

struct Scale {
  int64_t duration_ms;
  double X(int64_t t) const {
    t = std::clamp<int64_t>(t, 0, duration_ms);
    return kLabelWidth + static_cast<double>(t) * kPlot / static_cast<double>(duration_ms);
  }
};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Distinct, readable fills for token families (by family number; fam0 = nothing).
const char* FamilyColor(const std::string& label) {
  static const char* kColors[] = {"#cfe3f7", "#d5ecd0", "#f6e0c4", "#e3d6f2", "#f3d1dc"};
  const LabelParts p = ParseLabel(label);
  if (p.family == 0) return "#eeeeee";
  return kColors[(p.family - 1) % 5];
}

int64_t TickStep(int64_t duration_ms) {
  static constexpr int64_t kSteps[] = {10'000,        60'000,         5 * 60'000, 10 * 60'000,
                                       15 * 60'000,   30 * 60'000,    3'600'000,  2 * 3'600'000,
                                       6 * 3'600'000, 12 * 3'600'000, 86'400'000, 7 * 86'400'000};
  for (int64_t step : kSteps) {
    if (duration_ms / step <= 12) return step;
  }
  return 30 * 86'400'000LL;
}

std::string Title(const std::string& text) { return "<title>" + XmlEscape(text) + "</title>"; }

std::string Axis(const Scale& s, int height) {
  std::string out = "<g class=\"axis\">";
  const int64_t step = TickStep(s.duration_ms);
  for (int64_t t = 0; t <= s.duration_ms; t += step) {
    const std::string x = Num(s.X(t));
    out += "<line x1=\"" + x + "\" y1=\"" + std::to_string(kAxis - 6) + "\" x2=\"" + x +
           "\" y2=\"" + std::to_string(height) + "\" class=\"grid\"/>";
    out += "<text x=\"" + x + "\" y=\"14\" class=\"tick\">" + ShortDuration(t) + "</text>";
  }
  return out + "</g>";
}

std::string MarkShape(const Mark& m, double x, int y) {
  const std::string cls = std::string("mark ") + MarkKindName(m.kind);
  const std::string cx = Num(x), cy = std::to_string(y + kLaneHeight / 2);
  std::string shape;
  switch (m.kind) {
    case MarkKind::kRefresh:
    case MarkKind::kWrite:
      shape = "<circle cx=\"" + cx + "\" cy=\"" + cy + "\" r=\"4\"";
      break;
    case MarkKind::kReuse:
    case MarkKind::kOracle: {
      const double r = m.kind == MarkKind::kOracle ? 8 : 6;
      const double yc = y + kLaneHeight / 2.0;
      shape = "<path d=\"M" + Num(x) + " " + Num(yc - r) + " L" + Num(x + r) + " " + Num(yc) +
              " L" + Num(x) + " " + Num(yc + r) + " L" + Num(x - r) + " " + Num(yc) + " Z\"";
      break;
    }
    default:
      shape = "<rect x=\"" + Num(x - 1.5) + "\" y=\"" + std::to_string(y + 6) +
              "\" width=\"3\" height=\"" + std::to_string(kLaneHeight - 12) + "\"";
  }
  return shape + " class=\"" + cls + "\">" + Title(ShortDuration(m.t_ms) + " " + m.text) +
         (shape.starts_with("<circle") ? "</circle>"
          : shape.starts_with("<path") ? "</path>"
                                       : "</rect>");
}

std::string LaneSvg(const Lane& lane, const Scale& s, int y) {
  const bool store = lane.id.starts_with("store:");
  std::string out = "<g class=\"lane " + std::string(store ? "store" : "consumer") +
                    "\" data-lane=\"" + XmlEscape(lane.id) + "\">";
  out += "<rect x=\"0\" y=\"" + std::to_string(y) + "\" width=\"" + std::to_string(kWidth) +
         "\" height=\"" + std::to_string(kLaneHeight) + "\" class=\"lanebg\"/>";
  out += "<text x=\"8\" y=\"" + std::to_string(y + 15) + "\" class=\"lanename\">" +
         XmlEscape((store ? "store " : "") + lane.name) + "</text>";
  if (!lane.note.empty()) {
    out += "<text x=\"8\" y=\"" + std::to_string(y + 28) + "\" class=\"lanenote\">" +
           XmlEscape(lane.note) + "</text>";
  }
  for (const Span& span : lane.spans) {
    const double x0 = s.X(span.from_ms), x1 = std::max(s.X(span.to_ms), x0 + 1);
    out += "<rect x=\"" + Num(x0) + "\" y=\"" + std::to_string(y + 5) + "\" width=\"" +
           Num(x1 - x0) + "\" height=\"" + std::to_string(kLaneHeight - 10) +
           "\" class=\"span\" fill=\"" + FamilyColor(span.label) + "\">" +
           Title(span.label + " from " + ShortDuration(span.from_ms) + " to " +
                 ShortDuration(span.to_ms)) +
           "</rect>";
    if (x1 - x0 > 46) {
      out += "<text x=\"" + Num(x0 + 4) + "\" y=\"" + std::to_string(y + 21) +
             "\" class=\"spanlabel\">" + XmlEscape(span.label) + "</text>";
    }
  }
  for (const Span& w : lane.lockout) {
    const double x0 = s.X(w.from_ms), x1 = std::max(s.X(w.to_ms), x0 + 2);
    out +=
        "<rect x=\"" + Num(x0) + "\" y=\"" + std::to_string(y + 2) + "\" width=\"" + Num(x1 - x0) +
        "\" height=\"" + std::to_string(kLaneHeight - 4) + "\" class=\"lockout\">" +
        Title("lockout " + ShortDuration(w.from_ms) + " to " + ShortDuration(w.to_ms)) + "</rect>";
  }
  for (const Mark& m : lane.marks) out += MarkShape(m, s.X(m.t_ms), y);
  return out + "</g>";
}

}  // namespace

std::string TimelineSvg(const PolicyRun& run) {
  CREDSIM_ASSERT(run.timeline.has_value());
  const Timeline& t = *run.timeline;
  CREDSIM_ASSERT(t.duration_ms > 0);
  const Scale s{t.duration_ms};
  const int height = kAxis + static_cast<int>(t.lanes.size()) * kLaneHeight + 4;
  std::string out = "<svg class=\"timeline\" width=\"" + std::to_string(kWidth) + "\" height=\"" +
                    std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " +
                    std::to_string(height) + "\" role=\"img\">";
  out += Axis(s, height);
  for (size_t i = 0; i < t.lanes.size(); ++i) {
    out += LaneSvg(t.lanes[i], s, kAxis + static_cast<int>(i) * kLaneHeight);
  }
  if (!run.expect.all_hold) {  // drawn over the lanes, translucent, so it shows on every lane
    const double x0 = s.X(run.expect.from_ms), x1 = std::max(s.X(run.expect.to_ms), x0 + 2);
    out += "<rect x=\"" + Num(x0) + "\" y=\"" + std::to_string(kAxis - 4) + "\" width=\"" +
           Num(x1 - x0) + "\" height=\"" + std::to_string(height - kAxis + 4) +
           "\" class=\"expected\">" + Title("expected: " + run.verdict.expected) + "</rect>";
  }
  return out + "</svg>";
}

}  // namespace credsim::sim
