// Timeline: a run's trace folded into lanes for the HTML report. One lane per consumer (its
// refreshes, reuse, failures, shaded lockout windows, the oracle that fired) and one per store
// (which token generation it holds over time, as labels like "fam1/rt3", never token text).
//
// Built from trace lines only (labels by construction), so the report cannot show more than the
// trace does. Bounded: at most kMaxMarks marks and kMaxSpans spans per lane; beyond that later
// marks are counted, not kept (the shading still covers every failure).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/observation.h"
#include "sim/world_config.h"

namespace credsim::sim {

enum class MarkKind : uint8_t {
  kRefresh,    // a token request the authority granted
  kReuse,      // the authority counted a refresh-token reuse
  kRejected,   // refused without reuse (invalid_grant, ...)
  kError,      // 5xx, 429, wrong endpoint, dropped
  kFailure,    // a demand that got no usable token (first of a lockout window)
  kWrite,      // a store write (store lanes)
  kWriteFail,  // a store write that failed
  kEvent,      // a scripted event or a restart
  kOracle,     // an oracle fired here
};
const char* MarkKindName(MarkKind kind);  // css class: "refresh", "reuse", ...

struct Mark {
  int64_t t_ms = 0;
  MarkKind kind = MarkKind::kEvent;
  std::string text;  // tooltip, token-free
};

struct Span {
  int64_t from_ms = 0, to_ms = 0;
  std::string label;  // "fam1/rt3", "empty", "unreadable", "absent"
};

struct Lane {
  std::string id;             // "consumer:agent", "store:claude-file"
  std::string name;           // "agent", "claude-file"
  std::string note;           // policy of a consumer
  std::vector<Span> spans;    // stores: what they hold
  std::vector<Span> lockout;  // consumers: failing demands until the next served one
  std::vector<Mark> marks;
  uint64_t marks_dropped = 0;
};

struct Timeline {
  static constexpr size_t kMaxMarks = 400;
  static constexpr size_t kMaxSpans = 400;
  int64_t duration_ms = 0;
  std::vector<Lane> lanes;  // consumers first (scenario order), then stores (first-seen order)
  uint64_t trace_lines = 0;
};

Timeline BuildTimeline(std::string_view trace_jsonl, const WorldConfig& world,
                       const std::vector<Violation>& violations);

}  // namespace credsim::sim
