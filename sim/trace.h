// Trace: the run as JSON Lines, one event per line: {"t":ms,"ev":"name","c":"consumer",...}.
// Event names are stable; details are key/value pairs; tokens appear only as authority labels
// ("fam1/rt3"). The trace keeps a rolling hash of every line (the determinism test compares it)
// and the last few lines (a violation quotes the events that led to it); it streams to a file and
// keeps nothing else, so memory does not grow with simulated time.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace credsim::sim {

class TraceLine;

// Sees every line as it is committed (the leak oracle reads them all).
class TraceListener {
 public:
  virtual ~TraceListener() = default;
  virtual void OnTraceLine(std::string_view line) = 0;
};

class Trace {
 public:
  static constexpr size_t kRecentLines = 24;

  Trace();
  // Lines are written to `out` (not owned) when set; nullptr keeps only hash and recent lines.
  void set_output(std::FILE* out) { out_ = out; }
  // Every line is also passed here (the leak oracle reads it); not owned, may be null.
  void set_listener(TraceListener* listener) { listener_ = listener; }
  // Keep (t, event, line hash) for every line: the determinism test's divergence report.
  void set_keep_index(bool keep) { keep_index_ = keep; }

  TraceLine Event(int64_t t_ms, std::string_view event, std::string_view consumer);

  // The hash functions behind hash(), so a trace file can be re-hashed line by line (replay).
  static uint64_t LineHash(std::string_view line);
  static constexpr uint64_t kInitialHash = 0xcbf29ce484222325ull;
  static uint64_t Mix(uint64_t hash, uint64_t line_hash, uint64_t line_number) {
    return (hash ^ line_hash) * 0x100000001b3ull + line_number;
  }

  uint64_t hash() const { return hash_; }
  // The sum of every line's hash: the lines written so far as a set, whatever their order (an
  // explorer's state key, where two orders of commuting steps must look alike).
  uint64_t line_sum() const { return line_sum_; }
  uint64_t lines() const { return lines_; }
  std::vector<std::string> Recent() const;
  struct IndexEntry {
    int64_t t_ms;
    std::string event;
    uint64_t line_hash;
  };
  const std::vector<IndexEntry>& index() const { return index_; }

 private:
  friend class TraceLine;
  void Commit(int64_t t_ms, std::string_view event, std::string line);

  std::FILE* out_ = nullptr;
  TraceListener* listener_ = nullptr;
  bool keep_index_ = false;
  uint64_t hash_ = kInitialHash;
  uint64_t line_sum_ = 0;
  uint64_t lines_ = 0;
  std::vector<std::string> recent_;  // ring of kRecentLines
  size_t recent_next_ = 0;
  std::vector<IndexEntry> index_;
};

// Builder for one line; committed when destroyed.
class TraceLine {
 public:
  TraceLine(Trace& trace, int64_t t_ms, std::string_view event, std::string_view consumer);
  ~TraceLine();
  TraceLine(const TraceLine&) = delete;
  TraceLine& operator=(const TraceLine&) = delete;
  TraceLine& Str(std::string_view key, std::string_view value);
  TraceLine& Int(std::string_view key, int64_t value);
  TraceLine& Bool(std::string_view key, bool value);

 private:
  Trace& trace_;
  int64_t t_ms_;
  std::string event_;
  std::string line_;
};

}  // namespace credsim::sim
