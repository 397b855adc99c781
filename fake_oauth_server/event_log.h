// A bounded ring of what the authority did, for the simulator's oracles, traces and the admin log.
// It holds labels ("fam1/rt3"), never token text: a log line must be safe to paste into a bug
// report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fake_oauth_server/outcome.h"

namespace credsim::oauth {

enum class EventKind : uint8_t {
  kToken,
  kLogin,
  kAuthorize,
  kDeviceStart,
  kDeviceDecision,
  kAccessCheck,
  kRevoke
};
std::string_view ToString(EventKind kind);

struct AuthorityEvent {
  uint64_t seq = 0;  // 1, 2, 3, ... over the authority's life; gaps mean the ring overwrote entries
  int64_t now_ms = 0;
  EventKind kind = EventKind::kToken;
  GrantType grant = GrantType::kNone;
  Outcome outcome = Outcome::kUnknown;
  uint32_t family_id = 0;
  uint32_t presented_generation = 0;  // generation of the token the client presented, 0 if none
  uint32_t generation = 0;            // the family's current generation after the request
  bool family_revoked = false;        // this request revoked the family
  std::string label;                  // redacted label of the presented token
};

class EventLog {
 public:
  explicit EventLog(size_t capacity);
  void Append(AuthorityEvent event);  // assigns seq
  // Events with seq > after_seq, oldest first, at most `limit`.
  std::vector<AuthorityEvent> Since(uint64_t after_seq, size_t limit) const;
  uint64_t last_seq() const { return next_seq_ - 1; }
  size_t size() const { return ring_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  std::vector<AuthorityEvent> ring_;
  size_t head_ = 0;  // index of the oldest entry once the ring is full
  uint64_t next_seq_ = 1;
};

}  // namespace credsim::oauth
