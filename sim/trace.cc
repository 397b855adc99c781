#include "sim/trace.h"

#include "base/json_string.h"

namespace credsim::sim {

Trace::Trace() { recent_.reserve(kRecentLines); }

TraceLine Trace::Event(int64_t t_ms, std::string_view event, std::string_view consumer) {
  return TraceLine(*this, t_ms, event, consumer);
}

uint64_t Trace::LineHash(std::string_view line) {
  uint64_t line_hash = kInitialHash;
  for (unsigned char c : line) line_hash = (line_hash ^ c) * 0x100000001b3ull;
  return line_hash;
}

void Trace::Commit(int64_t t_ms, std::string_view event, std::string line) {
  const uint64_t line_hash = LineHash(line);
  hash_ = Mix(hash_, line_hash, lines_);
  line_sum_ += line_hash;
  ++lines_;
  if (keep_index_) index_.push_back({t_ms, std::string(event), line_hash});
  if (listener_ != nullptr) listener_->OnTraceLine(line);
  if (out_) {
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fputc('\n', out_);
  }
  if (recent_.size() < kRecentLines) {
    recent_.push_back(std::move(line));
  } else {
    recent_[recent_next_] = std::move(line);
    recent_next_ = (recent_next_ + 1) % kRecentLines;
  }
}

std::vector<std::string> Trace::Recent() const {
  std::vector<std::string> out;
  out.reserve(recent_.size());
  for (size_t i = 0; i < recent_.size(); ++i) {
    out.push_back(recent_[(recent_next_ + i) % recent_.size()]);
  }
  return out;
}

TraceLine::TraceLine(Trace& trace, int64_t t_ms, std::string_view event, std::string_view consumer)
    : trace_(trace), t_ms_(t_ms), event_(event) {
  line_.reserve(160);
  line_ = "{\"t\":" + std::to_string(t_ms) + ",\"ev\":";
  base::AppendJsonString(line_, event);
  if (!consumer.empty()) {
    line_ += ",\"c\":";
    base::AppendJsonString(line_, consumer);
  }
}

TraceLine::~TraceLine() {
  line_ += '}';
  trace_.Commit(t_ms_, event_, std::move(line_));
}

TraceLine& TraceLine::Str(std::string_view key, std::string_view value) {
  line_ += ',';
  base::AppendJsonString(line_, key);
  line_ += ':';
  base::AppendJsonString(line_, value);
  return *this;
}

TraceLine& TraceLine::Int(std::string_view key, int64_t value) {
  line_ += ',';
  base::AppendJsonString(line_, key);
  line_ += ':';
  line_ += std::to_string(value);
  return *this;
}

TraceLine& TraceLine::Bool(std::string_view key, bool value) {
  line_ += ',';
  base::AppendJsonString(line_, key);
  line_ += value ? ":true" : ":false";
  return *this;
}

}  // namespace credsim::sim
