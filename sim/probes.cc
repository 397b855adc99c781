#include "sim/probes.h"

namespace credsim::sim {
namespace probes {

base::Probe stores_disagree_at_read{"sim.stores_disagree_at_read",
                                    "a judged consumer read two stores holding different pairs "
                                    "(a keychain and a file that disagree)"};
base::Probe keychain_locked_read{"sim.keychain_locked_read",
                                 "a judged consumer read the keychain while it was locked"};
base::Probe killed_mid_refresh{"sim.killed_mid_refresh",
                               "a process was killed with its refresh on the wire"};
base::Probe died_after_grant{"sim.died_after_grant",
                             "a process died between the grant and its write-back"};
base::Probe store_write_failed{"sim.store_write_failed", "a store write failed (disk full)"};

namespace {

// From the authority's replies.
base::Probe rotation_answer_lost{"sim.rotation_answer_lost",
                                 "the server rotated and the answer was lost"};
base::Probe replay_after_lost_answer{"sim.replay_after_lost_answer",
                                     "a token whose rotating answer was lost was presented again"};
base::Probe reuse_answered{"sim.reuse_answered",
                           "the server answered a judged consumer's refresh as a reuse"};
base::Probe grace_replay{"sim.grace_replay",
                         "a retired token inside the grace window got its successor again"};
base::Probe family_revoked{"sim.family_revoked",
                           "a token of a revoked family was presented (revoke-family server)"};
base::Probe race_lost{"sim.race_lost", "a refresh lost a race with the rotation that retired it"};
base::Probe tool_rotated{"sim.tool_rotated", "a tool model rotated the shared session"};
// From demands: each outage cause (oracles/availability.h) a run can show.
base::Probe outage_keychain_locked{"sim.outage_keychain_locked",
                                   "a demand failed while the keychain was locked"};
base::Probe outage_injected_faults{"sim.outage_injected_faults",
                                   "a demand failed while faults were injected"};
base::Probe outage_server_down{"sim.outage_server_down",
                               "a demand failed while the server was down"};
base::Probe outage_api_rejecting{"sim.outage_api_rejecting",
                                 "a demand failed while the API refused every token"};
base::Probe outage_session_dead{"sim.outage_session_dead",
                                "a demand failed with no live credential anywhere"};
base::Probe tool_locked_out{"sim.tool_locked_out",
                            "a tool model failed a demand while a usable credential existed"};
// From expiry decisions.
base::Probe skewed_expiry_decision{"sim.skewed_expiry_decision",
                                   "a consumer's clock error changed an expiry decision"};
base::Probe expired_copy_found{"sim.expired_copy_found",
                               "a consumer found its token already expired and refreshed"};
// From writes.
base::Probe foreign_sections_kept{"sim.foreign_sections_kept",
                                  "a judged write kept the sections other tools own"};
base::Probe symlink_written_through{"sim.symlink_written_through",
                                    "a judged write went through a symlinked store"};
base::Probe new_login_spread{"sim.new_login_spread",
                             "a judged write replaced an old family with a new login's pair"};

}  // namespace
}  // namespace probes

void ProbeWatcher::OnRefresh(const RefreshObserved& r) {
  if (!r.reached_server) return;
  if (r.response_lost && r.outcome == "issued") probes::rotation_answer_lost.Hit();
  if (r.replay_after_lost_response) probes::replay_after_lost_answer.Hit();
  if (r.counted_as_reuse && r.reference) probes::reuse_answered.Hit();
  if (r.outcome == "grace_replay") probes::grace_replay.Hit();
  if (r.outcome == "revoked_family") probes::family_revoked.Hit();
  if (r.outcome == "race_loser") probes::race_lost.Hit();
  if (!r.reference && r.outcome == "issued") probes::tool_rotated.Hit();
}

void ProbeWatcher::OnWrite(const StoreWritten& w) {
  if (!w.reference) return;
  if (w.foreign_before != 0 && w.foreign_after == w.foreign_before) {
    probes::foreign_sections_kept.Hit();
  }
  if (w.symlink_before && w.symlink_after) probes::symlink_written_through.Hit();
  if (w.family_before != 0 && w.family_after > w.family_before) probes::new_login_spread.Hit();
}

void ProbeWatcher::OnDemand(const DemandObserved& d) {
  if (d.served) return;
  const std::string& cause = d.outage_cause;
  if (cause == "keychain_locked") probes::outage_keychain_locked.Hit();
  if (cause == "injected_faults") probes::outage_injected_faults.Hit();
  if (cause == "server_down") probes::outage_server_down.Hit();
  if (cause == "api_rejecting") probes::outage_api_rejecting.Hit();
  if (cause == "session_dead") probes::outage_session_dead.Hit();
  if (!d.reference && d.usable_credential_existed) probes::tool_locked_out.Hit();
}

void ProbeWatcher::OnExpiryDecision(const ExpiryDecision& d) {
  const auto expiring_at = [&](int64_t now_ms) { return d.expires_at_ms - now_ms <= d.leeway_ms; };
  if (expiring_at(d.local_now_ms) != expiring_at(d.true_now_ms)) {
    probes::skewed_expiry_decision.Hit();
  }
  if (d.decided_expiring && d.expires_at_ms <= d.true_now_ms) probes::expired_copy_found.Hit();
}

}  // namespace credsim::sim
