#include "fake_oauth_server/event_log.h"

#include "base/assert.h"

namespace credsim::oauth {

std::string_view ToString(EventKind kind) {
  switch (kind) {
    case EventKind::kToken:
      return "token";
    case EventKind::kLogin:
      return "login";
    case EventKind::kAuthorize:
      return "authorize";
    case EventKind::kDeviceStart:
      return "device_start";
    case EventKind::kDeviceDecision:
      return "device_decision";
    case EventKind::kAccessCheck:
      return "access_check";
    case EventKind::kRevoke:
      return "revoke";
  }
  return "unknown";
}

EventLog::EventLog(size_t capacity) : capacity_(capacity) {
  CREDSIM_ASSERT(capacity_ > 0);
  ring_.reserve(capacity_ < 1024 ? capacity_ : 1024);
}

void EventLog::Append(AuthorityEvent event) {
  CREDSIM_ASSERT(event.label.size() <= 64, "labels, not tokens");
  event.seq = next_seq_++;
  if (ring_.size() < capacity_) {
    ring_.push_back(std::move(event));
    return;
  }
  ring_[head_] = std::move(event);
  head_ = (head_ + 1) % capacity_;
  CREDSIM_ASSERT(ring_.size() == capacity_);
}

std::vector<AuthorityEvent> EventLog::Since(uint64_t after_seq, size_t limit) const {
  std::vector<AuthorityEvent> out;
  const size_t n = ring_.size();
  for (size_t i = 0; i < n && out.size() < limit; ++i) {
    const AuthorityEvent& e = ring_[(head_ + i) % n];
    if (e.seq > after_seq) out.push_back(e);
  }
  return out;
}

}  // namespace credsim::oauth
