// availability: per consumer, the fraction of demands served and every outage window, each with
// its cause read from ground truth when the outage began. An outage is a run of failed demands of
// one consumer, from the first failed demand to the next served one (or the end of the run).
//
// Causes, the first that applies:
//   server_down      a scripted token-endpoint outage;
//   api_rejecting    a scripted API outage: every access token gets 401;
//   keychain_locked  the keychain is locked and the consumer reads it;
//   injected_faults  random network or store faults are active;
//   lockout          a store the consumer reads holds the family's live refresh token;
//   out_of_reach     a live refresh token exists only in stores the consumer does not read;
//   rotation_unwritten  the live pair is in the memory of the judged engine that rotated it, and
//                    no store holds it yet (its writes are failing or still to come);
//   session_dead     no store holds a live refresh token (revoked, expired, or lost with a
//                    rotation): only a new login recovers.
//
// This oracle never fires by itself: an outage is a fact about the run, reported with its cause
// whatever the policy, so a verdict can never say "all held" while a user was locked out. A
// scenario states the outages it expects (see scenarios/README.md, the `expect.<policy>.outages[]`
// field); an outage nobody expected fails the `all-hold` verdict. Whether an outage was the
// engine's fault is judged by the other oracles (no_lockout for `lockout`, the reuse oracles for a
// dead session).
//
// Deliberately NOT measured: how long a served demand took, and demands a consumer never made.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/oracles/oracle.h"

namespace credsim::sim {

struct Outage {
  std::string consumer;
  bool judged = false;   // the consumer runs the reference or a legacy policy (not a tool model)
  int64_t from_ms = 0;   // the first failed demand
  int64_t to_ms = 0;     // the next served demand, or the end of the run
  bool ongoing = false;  // still out when the run ended
  uint64_t demands_failed = 0;
  std::string cause;   // one of the names above, as it was when the outage began
  std::string status;  // the consumer's own status for its first failed demand
};

struct ConsumerAvailability {
  std::string consumer;
  uint64_t demands = 0, served = 0;
};

inline constexpr const char* kOutageCauses[] = {
    "server_down", "api_rejecting", "keychain_locked",    "injected_faults",
    "lockout",     "out_of_reach",  "rotation_unwritten", "session_dead"};

class Availability final : public Oracle {
 public:
  const char* name() const override { return "availability"; }
  void OnDemand(const DemandObserved& d) override;
  void Finish(int64_t end_ms) override;

  const std::vector<Outage>& outages() const { return outages_; }
  uint64_t outages_dropped() const { return outages_dropped_; }
  const std::vector<ConsumerAvailability>& consumers() const { return consumers_; }

 private:
  static constexpr size_t kMaxOutages = 256;  // the first ones; the rest are counted
  static constexpr size_t kMaxConsumers = 256;
  struct Open {
    bool out = false;
    size_t outage = SIZE_MAX;  // index into outages_, or SIZE_MAX when dropped
  };
  size_t IndexOf(const std::string& consumer);

  std::vector<ConsumerAvailability> consumers_;
  std::vector<Open> open_;
  std::vector<Outage> outages_;
  uint64_t outages_dropped_ = 0;
};

// "claude-code session_dead 1h02m-1h58m (56 demands failed)", for tables and reports.
std::string DescribeOutage(const Outage& o);

}  // namespace credsim::sim
