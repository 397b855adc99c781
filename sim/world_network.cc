// The world's network: faults on the way to the token endpoint, the authority's answer, lost
// answers, and the deaths scripted around a grant (sim/world.h).
#include <algorithm>
#include <cstdlib>
#include <utility>

#include "base/assert.h"
#include "sim/labels.h"
#include "sim/probes.h"
#include "sim/token_endpoint.h"
#include "sim/world.h"

namespace credsim::sim {
namespace {

// The provider's own answer when its API layer fails before the authority decides (the HTTP
// front sends the same bytes for the same fault). Retry-After travels in whole seconds.
engine::HttpResult ServerError(const oauth::Personality& p, int status, int64_t retry_after_ms) {
  const int retry_after_s = static_cast<int>((retry_after_ms + kSecondMs - 1) / kSecondMs);
  return ToHttpResult(oauth::ServerErrorToWire(p, status, status == 429 ? retry_after_s : -1));
}

}  // namespace

// What a request meets on its way, in order: lost before it leaves, a server error (a scripted
// outage or an injected 5xx), a rate limit, a path the server does not serve. The draws happen
// in this order and only as far as the request gets (a seed's world depends on it).
std::optional<engine::HttpResult> World::FaultBeforeServer(const engine::HttpRequest& request,
                                                           const std::string& who) {
  if (faults_.DropBeforeSending(now_ms())) {
    trace_.Event(now_ms(), "net.dropped_before", who);
    engine::HttpResult r;
    r.transport = engine::HttpResult::Transport::kNotSent;
    r.detail = "connection reset before the request was sent";
    return r;
  }
  if (disturbances_.server_down() || faults_.ServerError(now_ms())) {
    trace_.Event(now_ms(), "net.server_error", who).Int("status", 503);
    return ServerError(authority_.personality(), 503, -1);
  }
  const bool injected_429 = faults_.RateLimit(now_ms());
  // A scripted 429 answers one request (taken only when none was injected).
  if (injected_429 || disturbances_.TakeRateLimit()) {
    trace_.Event(now_ms(), "net.rate_limited", who).Int("retry_after_ms", faults_.retry_after_ms());
    return ServerError(authority_.personality(), 429, faults_.retry_after_ms());
  }
  if (!oauth::IsTokenPath(authority_.personality(), UrlPath(request.url))) {
    // A legacy endpoint answers 500 (the headless-gateway report), not a helpful 404.
    trace_.Event(now_ms(), "net.wrong_endpoint", who).Int("status", 500);
    return ServerError(authority_.personality(), 500, -1);
  }
  return std::nullopt;
}

// Before the authority acts: a reuse answer may revoke the very pair that sat out of reach.
// Whether the presenter could have had a live token: one of its stores (read or not: a policy
// that skips a store it names is still judged on it) held one readably.
World::ReachBefore World::ReachOf(const Consumer* c) const {
  ReachBefore reach;
  reach.live_in_reach = c && UsableCredentialFor(c->index);
  reach.live_pair_unreadable = !reach.live_in_reach && c && LivePairUnreadableFor(c->index);
  reach.nothing_live = !LiveTokenAnywhere();
  return reach;
}

// The reply as the oracles see it, and who retired the presented token.
void World::DescribeReply(const oauth::TokenReply& reply, const Consumer* c,
                          const ReachBefore& reach, RefreshObserved& o) {
  o.reached_server = true;
  o.outcome = std::string(oauth::ToString(reply.outcome));
  o.counted_as_reuse = reply.counted_as_reuse;
  o.family_id = reply.family_id;
  o.presented_generation = reply.presented_generation;
  o.generation = reply.generation;
  o.presented_label = reply.presented_label;
  o.replay_after_lost_response =
      lost_rotations_.count({reply.family_id, reply.presented_generation}) > 0;
  o.presenter_had_live_token =
      c && HadLiveTokenInHand(*c, reply.family_id, reply.presented_generation);
  o.live_pair_unreadable = reach.live_pair_unreadable;
  o.session_already_dead = reach.nothing_live && reply.counted_as_reuse;
  if (reply.counted_as_reuse) {
    // A judged consumer retired the token in a file the presenter shares: the presenter could
    // have seen the successor. Across homes that share nothing (a copied credentials file) it
    // could not: the world's layout forked the chain, and the outage says so (out_of_reach).
    const auto it = retired_by_.find({reply.family_id, reply.presented_generation});
    o.retired_before_run =
        !reach.live_in_reach && it == retired_by_.end() && retired_by_.size() < kMaxRetirements;
    o.retired_by_judged = it != retired_by_.end() && it->second != kNotJudged && c &&
                          ShareAStore(it->second, c->index);
  }
  if (reply.ok() && reply.generation > reply.presented_generation &&
      retired_by_.size() < kMaxRetirements) {
    retired_by_.emplace(std::pair(reply.family_id, reply.presented_generation),
                        c && c->reference ? c->index : kNotJudged);
  }
}

// A rotation whose answer is lost dies on the wire; one that arrives is the consumer's latest.
void World::RecordGrant(const oauth::TokenReply& reply, Consumer* c, bool lost) {
  if (lost && reply.ok() && lost_rotations_.size() < kMaxLostRotations) {
    lost_rotations_.insert({reply.family_id, reply.presented_generation});
  }
  if (c && reply.ok() && !lost && reply.generation > reply.presented_generation) {
    c->last_granted =
        Consumer::Granted{reply.family_id, reply.presented_generation, reply.generation};
  }
}

// Scripted deaths around a refresh: killed while it was on the wire, or right after the grant
// arrived (at its next step, before any store write: KillConsumer then finds the granted pair in
// no store and classifies it as lost with the process).
void World::EndProcessAfterReply(Consumer* c, bool killed, bool dies_after_grant) {
  if (killed) {
    probes::killed_mid_refresh.Hit();
    c->kill_at_next_refresh = false;
    ScheduleDeathAndRestart(c->index, "killed during refresh");
  } else if (dies_after_grant) {
    probes::died_after_grant.Hit();
    c->fail_after_grant = false;
    ScheduleDeathAndRestart(c->index, "failed after the grant");
  }
}

engine::HttpResult World::ServeTokenRequest(const engine::HttpRequest& request, uint64_t seen,
                                            Owner owner) {
  const std::string who = OwnerName(owner);
  if (std::optional<engine::HttpResult> fault = FaultBeforeServer(request, who)) return *fault;
  oauth::DecodedTokenRequest decoded =
      oauth::DecodeTokenRequest(request.content_type, request.body);
  if (!decoded.ok) {
    trace_.Event(now_ms(), "token.invalid_request", who).Str("why", decoded.error_description);
    return ToHttpResult(oauth::InvalidRequestToWire(decoded.error_description));
  }
  decoded.request.seen_commit_seq = seen;
  Consumer* c = AsConsumer(owner);
  const ReachBefore reach = ReachOf(c);
  const oauth::TokenReply reply = authority_.Handle(decoded.request, server_ms());
  RefreshObserved o{.t_ms = now_ms(), .consumer = who, .reference = OwnerIsReference(owner)};
  DescribeReply(reply, c, reach, o);
  const bool killed = c && c->kill_at_next_refresh;
  const bool dies_after_grant = c && c->fail_after_grant && reply.ok();
  o.response_lost = killed || LoseThisResponse(c) || faults_.DropAnswer(now_ms());
  RecordGrant(reply, c, o.response_lost);
  ++summary_.refreshes;
  if (reply.counted_as_reuse) ++summary_.reuse_seen;
  trace_.Event(now_ms(), "token.reply", who)
      .Str("rt", reply.presented_label)
      .Str("outcome", o.outcome)
      .Int("status", reply.status)
      .Int("gen", reply.generation)
      .Bool("reuse", reply.counted_as_reuse)
      .Bool("lost", o.response_lost);
  Observe(o);
  EndProcessAfterReply(c, killed, dies_after_grant);
  if (o.response_lost) {
    engine::HttpResult lost;
    lost.transport = engine::HttpResult::Transport::kLostResponse;
    lost.detail = "connection reset after the request was sent";
    return lost;
  }
  return ToHttpResult(oauth::TokenReplyToWire(authority_.personality(), reply));
}

bool World::LoseThisResponse(Consumer* c) {
  if (c && c->lose_next_response) {
    c->lose_next_response = false;
    return true;
  }
  return disturbances_.TakeLostAnswer();
}

}  // namespace credsim::sim
