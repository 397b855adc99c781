#include "engine/engine.h"

#include <algorithm>
#include <set>

#include "base/assert.h"
#include "engine/probes.h"
#include "engine/reconcile.h"
#include "engine/token_client.h"

namespace credsim::engine {
namespace {

// Bounds (TIGER_STYLE: every loop has one).
constexpr int kMaxRotationRounds = 3;  // the RT we hold, plus up to two others found on re-read
constexpr int kMaxCasAttempts = 4;     // compare-and-swap retries per store per write-back
// Write-back retries of a fresh rotation, under the locks. While no store holds the new pair, the
// next process to get the locks would read the spent token and replay it (report 7; under
// revoke-family that ends the session), so those retries go on longer: siblings meanwhile wait
// for the locks and answer "lock busy", which costs them a call, not the session. Found by the
// swarm: 4 of 4,000 one-day seeds (write_fail up to 19%) failed all of 1 + 3 tries.
constexpr int kMaxCommitRetries = 3;              // some store already holds the new pair
constexpr int kMaxUnwrittenCommitRetries = 8;     // none does yet
constexpr int64_t kCommitRetryPauseMaxMs = 4000;  // 0.5, 1, 2, 4, 4, ... s: 23.5 s at most

uint64_t MixFingerprint(uint64_t acc, const StoreView& view) {
  // Order-dependent mix of every store's version; absent and unreadable stores count too.
  acc ^= view.version.fingerprint + 0x9e3779b97f4a7c15ull + (acc << 6) + (acc >> 2);
  acc ^= static_cast<uint64_t>(view.status) * 0x100000001b3ull;
  return acc;
}

// A copy that can be handed out without refreshing: valid, or of unknown expiry (an opaque token
// with no recorded expiry is used as is and replaced after a 401).
bool Servable(Freshness freshness) {
  return freshness == Freshness::kValid || freshness == Freshness::kUnknown;
}

// True when a store slot holds an older pair than `fresh`: the next reader of that store would
// spend a dead refresh token (hermes #98334), so the engine takes the locks and spreads `fresh`.
bool SomeSlotLags(const std::vector<Candidate>& candidates, const Credential& fresh) {
  for (const auto& c : candidates) {
    if (c.credential.refresh_token != fresh.refresh_token && ShouldOverwrite(c.credential, fresh)) {
      return true;
    }
  }
  return false;
}

// An access token that has not expired yet (ignoring the refresh leeway) and was not just refused:
// it still serves a caller when refreshing is impossible right now.
bool StillUsable(const Credential& c, int64_t now_ms, const std::string& rejected) {
  return !c.access_token.empty() && c.expires_at_ms > now_ms && c.access_token != rejected;
}

std::set<std::string> RefreshTokensIn(const std::vector<Candidate>& candidates) {
  std::set<std::string> tokens;
  for (const auto& c : candidates) {
    if (!c.credential.refresh_token.empty()) tokens.insert(c.credential.refresh_token);
  }
  return tokens;
}

}  // namespace

const char* TokenStatusName(TokenStatus status) {
  switch (status) {
    case TokenStatus::kOk:
      return "ok";
    case TokenStatus::kNoCredential:
      return "no-credential";
    case TokenStatus::kReloginRequired:
      return "relogin-required";
    case TokenStatus::kTransient:
      return "transient";
    case TokenStatus::kRejectedRequest:
      return "rejected-request";
  }
  return "unknown";
}

std::vector<Candidate> SessionCandidates(
    const std::vector<std::shared_ptr<const StoreView>>& stores) {
  std::vector<Candidate> out;
  std::optional<std::string> account;  // the session's: the first slot (in store order) naming one
  for (const auto& store : stores) {
    if (!store->readable()) continue;
    for (const auto& slot : store->slots) {
      const auto& slot_account = slot.credential.account_id;
      if (slot_account && account && *slot_account != *account) continue;  // another account
      if (slot_account && !account) account = slot_account;
      out.push_back(slot);
    }
  }
  return out;
}

Engine::Engine(Io& io, SessionConfig config)
    : io_(io),
      config_(std::move(config)),
      decoded_(config_.stores.size()),
      waited_on_corrupt_(config_.stores.size()) {
  CREDSIM_ASSERT(!config_.stores.empty());
  CREDSIM_ASSERT(config_.max_transient_attempts >= 1 && config_.max_transient_attempts <= 16);
  CREDSIM_ASSERT(config_.lock_timeout_ms >= 0);
}

// Plain functions returning Acquire's own task (its parameters are taken by value into its
// frame): no coroutine frame of their own and no extra move of the result on every call.
Task<TokenResult> Engine::GetToken() { return Acquire(Demand{.mode = Mode::kGet}); }

Task<TokenResult> Engine::Refresh(bool only_if_needed) {
  return Acquire(Demand{.mode = only_if_needed ? Mode::kGet : Mode::kRefresh});
}

Task<TokenResult> Engine::OnUnauthorized(std::string rejected_access_token) {
  return Acquire(Demand{.mode = Mode::kUnauthorized, .rejected = std::move(rejected_access_token)});
}

Task<Snapshot> Engine::ReadSnapshot() {
  Snapshot snapshot;
  snapshot.stores.reserve(config_.stores.size());
  for (size_t i = 0; i < config_.stores.size(); ++i) {
    // The version of the view we hold, so that an unchanged store is not copied again.
    const std::shared_ptr<const StoreView>& held = decoded_[i];
    const StoreVersion known =
        held && held->status == IoStatus::kOk ? held->version : StoreVersion{};
    // The task is chosen first and awaited once: `?:` with a co_await in each arm is miscompiled
    // by g++ 12, and assigning in two arms would move every read once more.
    Task<StoreRead> reading =
        known.exists ? io_.ReadIfChanged(config_.stores[i], known) : io_.Read(config_.stores[i]);
    StoreRead read = co_await std::move(reading);
    snapshot.stores.push_back(Decode(i, read));
  }
  co_await WaitOutTornWrites(snapshot);
  uint64_t fingerprint = 0;
  for (const auto& view : snapshot.stores) fingerprint = MixFingerprint(fingerprint, *view);
  snapshot.fingerprint = fingerprint;
  if (last_snapshot_.stores == snapshot.stores) {
    snapshot.candidates = last_snapshot_.candidates;  // same view objects: same candidates
  } else {
    snapshot.candidates =
        std::make_shared<const std::vector<Candidate>>(SessionCandidates(snapshot.stores));
    last_snapshot_ = snapshot;
  }
  co_return snapshot;
}

// A tool that rewrites a store in place (truncate, then write) exposes a half-written file for as
// long as its write takes; `credsim live`'s naive-writer nemesis showed the engine calling such a
// session empty. When a store does not parse and no other store holds a refresh token, the call
// would fail anyway: re-read the unparsable stores a few times first. Bounded: kTornReadWaitsMs.
// A store that is simply corrupt costs this wait only when the session has nothing else.
Task<void> Engine::WaitOutTornWrites(Snapshot& snapshot) {
  const auto anything_to_use = [&] {
    for (const auto& view : snapshot.stores) {
      for (const Candidate& c : view->slots) {
        if (!c.credential.refresh_token.empty()) return true;
      }
    }
    return false;
  };
  const auto corrupt = [&](size_t i) {
    return snapshot.stores[i]->status == IoStatus::kOk && snapshot.stores[i]->corrupt;
  };
  // Bytes already waited on once are not waited on again by this engine.
  const auto worth_waiting = [&] {
    for (size_t i = 0; i < snapshot.stores.size(); ++i) {
      if (corrupt(i) && !(snapshot.stores[i]->version == waited_on_corrupt_[i])) return true;
    }
    return false;
  };
  static constexpr int64_t kTornReadWaitsMs[] = {100, 200, 400};
  for (int64_t wait_ms : kTornReadWaitsMs) {
    if (!worth_waiting() || anything_to_use()) co_return;
    probes::torn_write_waited_out.Hit();
    co_await io_.SleepMs(wait_ms);
    for (size_t i = 0; i < snapshot.stores.size(); ++i) {
      if (!corrupt(i)) continue;
      StoreRead read = co_await io_.Read(config_.stores[i]);
      snapshot.stores[i] = Decode(i, read);
    }
  }
  for (size_t i = 0; i < snapshot.stores.size(); ++i) {
    if (corrupt(i)) waited_on_corrupt_[i] = snapshot.stores[i]->version;
  }
}

// Parsing dominates a call that finds nothing changed (every GetToken reads every store), so the
// last decoded view of each store is kept and reused while the store's bytes are the same.
std::shared_ptr<const StoreView> Engine::Decode(size_t store_index, const StoreRead& read) {
  CREDSIM_ASSERT(store_index < decoded_.size());
  std::shared_ptr<const StoreView>& cached = decoded_[store_index];
  // An unchanged read (Io::ReadIfChanged) names the cached view's version and leaves the bytes out.
  CREDSIM_ASSERT(!read.unchanged ||
                 (read.status == IoStatus::kOk && cached && cached->version == read.version));
  if (cached && cached->status == read.status && cached->version == read.version &&
      cached->facts.mode == read.facts.mode && cached->facts.is_symlink == read.facts.is_symlink) {
    return cached;
  }
  StoreRead full;
  if (read.unchanged) {  // the cached view's bytes, with new facts (doctor reports them)
    full = read;
    full.bytes = cached->bytes;
    full.unchanged = false;
  }
  cached = std::make_shared<const StoreView>(
      DecodeStore(config_.provider, config_.stores[store_index], read.unchanged ? full : read));
  return cached;
}

std::shared_ptr<const std::vector<Candidate>> Engine::CandidatesWithPending(
    const Snapshot& snapshot, bool with_parked) const {
  CREDSIM_ASSERT(snapshot.candidates);
  const bool add_parked = with_parked && parked_.has_value();
  if (!pending_ && !add_parked) return snapshot.candidates;
  std::vector<Candidate> candidates;
  if (pending_) {
    // The pending pair first, so it wins ties: it is the newest pair, held in memory until every
    // store has it. Built member by member: g++ 12 -O3 misreads a designated initializer here as
    // leaving slot.pool_entry_id uninitialized (-Wmaybe-uninitialized).
    Candidate pending;
    pending.store = config_.stores.front();
    pending.credential = *pending_;
    candidates.push_back(std::move(pending));
  }
  const auto& from_stores = snapshot.Candidates();
  candidates.insert(candidates.end(), from_stores.begin(), from_stores.end());
  if (add_parked) candidates.push_back(*parked_);
  return std::make_shared<const std::vector<Candidate>>(std::move(candidates));
}

TokenResult Engine::Serve(const Credential& credential, std::string detail) const {
  CREDSIM_ASSERT(!credential.access_token.empty());
  TokenResult result;
  result.status = TokenStatus::kOk;
  result.credential = credential;
  result.commit_pending = pending_.has_value();
  result.detail = std::move(detail);
  return result;
}

int64_t Engine::effective_leeway_ms() const {
  if (!granted_lifetime_ms_) return config_.refresh_leeway_ms;
  return std::min(config_.refresh_leeway_ms, *granted_lifetime_ms_ / 2);
}

PickOptions Engine::OptionsNow(const std::string& rejected) {
  return PickOptions{
      .now_ms = io_.NowMs(), .leeway_ms = effective_leeway_ms(), .rejected_access_token = rejected};
}

void Engine::RememberRefused(const std::string& refresh_token) {
  // Bounded: a session refuses a handful of tokens; the first in set order goes first.
  if (refused_refresh_tokens_.size() >= kMaxRefusedRefreshTokens) {
    refused_refresh_tokens_.erase(refused_refresh_tokens_.begin());
  }
  refused_refresh_tokens_.insert(refresh_token);
  CREDSIM_ASSERT(refused_refresh_tokens_.size() <= kMaxRefusedRefreshTokens);
}

TokenResult Engine::Fail(TokenStatus status, std::string detail) const {
  CREDSIM_ASSERT(status != TokenStatus::kOk);
  TokenResult result;
  result.status = status;
  result.detail = std::move(detail);
  return result;
}

Engine::Choice Engine::Choose(const Snapshot& snapshot, const PickOptions& options,
                              bool with_parked) const {
  Choice choice;
  choice.candidates = CandidatesWithPending(snapshot, with_parked);
  choice.best = PickBest(*choice.candidates, options);
  CREDSIM_ASSERT(!choice.best || *choice.best < choice.candidates->size());
  return choice;
}

// The protocol, top-down: serve a valid copy without locks; else take the locks, re-read, and
// adopt or rotate (RefreshUnderLock); a refusal that may be a foreign rotation in flight is
// waited for once, with the locks released.
Task<TokenResult> Engine::Acquire(Demand demand) {
  if (pending_) co_await CommitPending();
  const Snapshot snapshot = co_await ReadSnapshot();
  const PickOptions options = OptionsNow(demand.rejected);
  const Choice choice = Choose(snapshot, options);
  const Candidate* best = choice.best_candidate();
  const bool servable =
      best && demand.mode == Mode::kGet && Servable(ClassifyFor(best->credential, options));
  if (servable && !SomeSlotLags(*choice.candidates, best->credential)) {
    probes::valid_copy_served.Hit();
    TokenResult result = Serve(best->credential, "valid copy in " + best->store.Name());
    result.valid_copy = true;
    co_return result;
  }
  if (blocked_fingerprint_ && *blocked_fingerprint_ == snapshot.fingerprint) {
    // No store has changed since the server refused this credential's refresh token: do not ask
    // again (no hammering), but an access token that has not expired yet still works.
    probes::dead_session_not_asked_again.Hit();
    if (best && StillUsable(best->credential, options.now_ms, demand.rejected)) {
      co_return Serve(best->credential, "refresh token dead; access token still valid");
    }
    co_return Fail(TokenStatus::kReloginRequired,
                   "refresh token refused and no store has changed since: log in again");
  }
  if (blocked_fingerprint_) probes::dead_session_reprobed.Hit();
  if (servable) probes::lagging_store_spread.Hit();
  blocked_fingerprint_.reset();  // something changed (or nothing was blocked): probe again
  if (demand.mode == Mode::kUnauthorized &&
      (!best || best->credential.access_token == demand.rejected)) {
    // The API refused the newest access token any store holds. On a server that revokes the
    // family's other access tokens on every rotation, that means another process has just rotated
    // and is about to write its pair: give it the bounded wait a refused refresh gets, with the
    // locks released, before rotating (a rotation now would present the refresh token it retired).
    // Whether something landed or not, the locked part below re-reads and decides.
    probes::refused_access_token_waits_for_rotation.Hit();
    (void)co_await AwaitForeignRotation(snapshot.fingerprint);
  }
  demand.seen_refresh = best ? best->credential.refresh_token : "";
  TokenResult result = co_await RefreshLocked(demand);
  if (result.status == TokenStatus::kReloginRequired && blocked_fingerprint_) {
    if (co_await AwaitForeignRotation(*blocked_fingerprint_)) {
      // Someone else's rotation landed: run the locked part once more (once: no recursion).
      probes::foreign_rotation_landed.Hit();
      co_return co_await AcquireAfterForeignRotation(std::move(demand));
    }
    // Nothing landed yet (a slow foreign refresh may still be on the wire): the access token of
    // the refused pair serves until it expires, as it would on the next call.
    if (StillUsable(result.credential, io_.NowMs(), demand.rejected)) {
      probes::refused_pair_access_token_served.Hit();
      co_return Serve(result.credential, "refresh token refused; access token still valid");
    }
  }
  co_return result;
}

// A refresh token refused as reused, with no other copy in any store, may mean that a tool which
// refreshes outside every lock (Codex CLI does: docs/REAL_CLIENTS.md#codex-write-back) has just
// won a race and is about to write the winner's pair. With our locks released, watch the stores
// for a bounded while (Codex's own losers wait ~0.5 s for the same reason:
// docs/REAL_CLIENTS.md#codex-concurrency); true as soon as any store changes.
Task<bool> Engine::AwaitForeignRotation(uint64_t dead_fingerprint) {
  for (int poll = 0; poll < config_.foreign_rotation_polls; ++poll) {
    co_await io_.SleepMs(config_.foreign_rotation_poll_ms);
    Snapshot snapshot = co_await ReadSnapshot();
    if (snapshot.fingerprint != dead_fingerprint) co_return true;
  }
  co_return false;
}

Task<TokenResult> Engine::AcquireAfterForeignRotation(Demand demand) {
  blocked_fingerprint_.reset();
  const Snapshot snapshot = co_await ReadSnapshot();
  const Choice choice = Choose(snapshot, OptionsNow(demand.rejected));
  const Candidate* best = choice.best_candidate();
  demand.seen_refresh = best ? best->credential.refresh_token : "";
  co_return co_await RefreshLocked(demand);
}

Task<TokenResult> Engine::RefreshLocked(const Demand& demand) {
  std::vector<LockId> held;
  if (!co_await LockAll(&held)) {
    probes::lock_busy.Hit();
    co_return Fail(TokenStatus::kTransient, "lock busy: another process is refreshing");
  }
  TokenResult result = co_await RefreshUnderLock(demand);
  co_await UnlockAll(std::move(held));
  co_return result;
}

Task<TokenResult> Engine::RefreshUnderLock(const Demand& demand) {
  // Re-read everything under the locks: another process may have rotated while we waited, or
  // parked a pair that no store could take.
  const Snapshot snapshot = co_await ReadSnapshot();
  co_await ReadParked();
  const PickOptions options = OptionsNow(demand.rejected);
  const Choice choice = Choose(snapshot, options, /*with_parked=*/true);
  const Candidate* best = choice.best_candidate();
  if (best == nullptr) {
    std::string why = "no store holds a usable credential";
    for (const auto& store : snapshot.stores) {
      if (store->corrupt) why += "; " + store->id.Name() + " is corrupt (" + *store->corrupt + ")";
    }
    co_return Fail(TokenStatus::kNoCredential, why);
  }
  const bool valid = Servable(ClassifyFor(best->credential, options));
  const bool rotated_meanwhile = best->credential.refresh_token != demand.seen_refresh;
  if (valid && (demand.mode != Mode::kRefresh || rotated_meanwhile)) {
    co_return co_await AdoptUnderLock(*best, rotated_meanwhile);
  }
  Rotation rotation;
  rotation.current = best->credential;
  rotation.seen = RefreshTokensIn(*choice.candidates);
  rotation.fingerprint = snapshot.fingerprint;
  co_return co_await RotateUnlessTooSoon(demand, std::move(rotation));
}

// A valid pair exists under the locks (someone rotated while we waited, or a store was just
// stale): serve it, and spread it to the stores that lag behind so no reader is left with a spent
// token.
Task<TokenResult> Engine::AdoptUnderLock(const Candidate& found, bool rotated_meanwhile) {
  const bool parked = found.store.kind == StoreKind::kEngineRescue;
  if (rotated_meanwhile) probes::rotation_adopted_under_lock.Hit();
  if (parked) probes::parked_pair_restored.Hit();
  WriteReport report = co_await WriteBack(found.credential, /*login=*/false);
  if (report.complete() && parked) {
    co_await ClearParked();  // every store has the parked pair now
  }
  TokenResult result = Serve(found.credential, "adopted a valid copy from " + found.store.Name());
  result.adopted = true;
  result.wrote = report.written;
  co_return result;
}

// A token the API refuses in the last half of its lifetime has expired by the server's clock, which
// ours may trail (a clock 75 s slow with 5-minute Codex tokens, found by the world_choices fuzz
// target): a plain refresh, not the API refusing fresh tokens. Where the API does refuse every
// token, that still rotates at most once per half lifetime. For this engine's own last grant the
// age is measured on our clock against the lifetime the server stated (`expires_in`), which no
// clock offset enters: after the server's clock jumps, the token's recorded expiry (a JWT's exp, on
// the server's clock) would put "the last half" far too late (`credsim replay 300 --breadth
// --language-events`). Another process's token: its expiry by our clock, against the lifetime
// last granted.
bool Engine::ExpiredByTheServer(const Credential& refused, int64_t now_ms) const {
  if (last_grant_ && refused.access_token == last_grant_->access_token) {
    return now_ms - last_grant_->received_ms >= last_grant_->lifetime_ms / 2;
  }
  return granted_lifetime_ms_ && refused.expires_at_ms - now_ms < *granted_lifetime_ms_ / 2;
}

Task<TokenResult> Engine::RotateUnlessTooSoon(const Demand& demand, Rotation rotation) {
  const PickOptions by_time = OptionsNow("");
  const bool only_the_401 = demand.mode == Mode::kUnauthorized &&
                            !ExpiredByTheServer(rotation.current, by_time.now_ms) &&
                            Servable(ClassifyFor(rotation.current, by_time));
  // After a 401 rotation, the API refusing tokens again within the gap means it refuses fresh
  // tokens (the loop of hermes #70401): no second rotation until the gap is over. A sibling's
  // rotation that revoked ours was waited for before this point (Acquire) and adopted.
  if (only_the_401 && last_unauthorized_rotation_ms_) {
    const int64_t since_ms = by_time.now_ms - *last_unauthorized_rotation_ms_;
    if (since_ms >= 0 && since_ms < config_.unauthorized_rotation_gap_ms) {
      probes::unauthorized_rotation_too_soon.Hit();
      TokenResult result = Fail(TokenStatus::kTransient,
                                "the API refused a token this process rotated for an earlier 401; "
                                "rotating again would not help yet");
      result.retry_after_ms = config_.unauthorized_rotation_gap_ms - since_ms;
      co_return result;
    }
  }
  TokenResult result = co_await Rotate(demand, std::move(rotation));
  if (only_the_401 && result.status == TokenStatus::kOk && result.refreshed) {
    last_unauthorized_rotation_ms_ = by_time.now_ms;
  }
  co_return result;
}

// Up to kMaxRotationRounds refresh requests, one per refresh token worth presenting: the first
// outcome that is not a refusal or a lost answer decides (OnGranted, OnTransient, a rejected
// request); after one, OnNoGrant looks again and decides, or names the next token to present.
Task<TokenResult> Engine::Rotate(const Demand& demand, Rotation rotation) {
  for (int round = 0; round < kMaxRotationRounds; ++round) {
    if (std::optional<TokenResult> refused = RefuseUnpresentable(rotation)) {
      co_return std::move(*refused);
    }
    RefreshOutcome outcome = co_await PostWithRetries(rotation.current);
    rotation.last_reason = outcome.reason;
    switch (outcome.kind) {
      case RefreshOutcome::Kind::kGranted:
        co_return co_await OnGranted(std::move(rotation), std::move(outcome.grant));
      case RefreshOutcome::Kind::kTransient:
        co_return OnTransient(rotation.current, outcome, demand.rejected);
      case RefreshOutcome::Kind::kRejected:
        co_return Fail(TokenStatus::kRejectedRequest,
                       "token endpoint refused the request: " + outcome.reason);
      case RefreshOutcome::Kind::kDead:
      case RefreshOutcome::Kind::kLost:
        break;
    }
    std::optional<TokenResult> verdict = co_await OnNoGrant(demand, rotation, outcome);
    if (verdict) co_return std::move(*verdict);
  }
  co_return Fail(TokenStatus::kReloginRequired,
                 "gave up after " + std::to_string(kMaxRotationRounds) + " refresh rounds (" +
                     rotation.last_reason + ")");
}

// A pair never presented: a static access token has no refresh token, and a refresh token the
// server called dead before stays dead (a tool that rewrites its file with it changes nothing)
// until some store shows another one. Only a first round meets a refused token: later rounds
// pick alternatives without them.
std::optional<TokenResult> Engine::RefuseUnpresentable(const Rotation& rotation) {
  if (rotation.current.refresh_token.empty()) {
    return Fail(TokenStatus::kReloginRequired,
                "the only credential is a static access token with no refresh token");
  }
  if (refused_refresh_tokens_.count(rotation.current.refresh_token) == 0) return std::nullopt;
  probes::refused_token_not_presented_again.Hit();
  blocked_fingerprint_ = rotation.fingerprint;
  TokenResult result =
      Fail(TokenStatus::kReloginRequired, "this refresh token was refused before; log in again");
  result.credential = rotation.current;
  return result;
}

// After a refusal or a lost answer: look again, since another process may hold a newer pair.
// A servable one is adopted; another refresh token is worth one more round (nullopt, with
// rotation.current set to it), and so is a lost answer, once; otherwise the session is dead
// (refused) or the endpoint unreachable (lost twice).
Task<std::optional<TokenResult>> Engine::OnNoGrant(const Demand& demand, Rotation& rotation,
                                                   const RefreshOutcome& outcome) {
  const bool lost = outcome.kind == RefreshOutcome::Kind::kLost;
  CREDSIM_ASSERT(lost || outcome.kind == RefreshOutcome::Kind::kDead);
  if (!lost) {
    rotation.dead.insert(rotation.current.refresh_token);
    RememberRefused(rotation.current.refresh_token);
  }
  Reconsidered again = co_await LookAgain(demand, rotation, lost);
  if (again.alternative && again.servable) {
    co_return co_await Adopt(std::move(*again.alternative), std::move(again.store), outcome.kind);
  }
  if (again.alternative) {
    probes::other_refresh_token_tried.Hit();
    rotation.current = std::move(*again.alternative);  // a different refresh token: worth one try
    co_return std::nullopt;
  }
  if (lost) {
    if (!rotation.lost_retry_used) {
      // Nobody else holds a newer pair. If the server never saw our request the token is still
      // good; if it did, the successor is gone either way. One retry is the only way to tell.
      probes::lost_answer_retried.Hit();
      rotation.lost_retry_used = true;
      co_return std::nullopt;
    }
    // Twice without an answer is an outage, not a verdict: do not call the session dead.
    probes::lost_answer_twice.Hit();
    co_return Fail(TokenStatus::kTransient, "no answer from the token endpoint: " + outcome.reason);
  }
  probes::refresh_token_refused.Hit();
  blocked_fingerprint_ = again.fingerprint;
  TokenResult result = Fail(TokenStatus::kReloginRequired,
                            "refresh token refused (" + outcome.reason + "); log in again");
  result.credential = rotation.current;
  co_return result;
}

Task<TokenResult> Engine::OnGranted(Rotation rotation, formats::TokenGrant grant) {
  probes::rotation_granted.Hit();
  const int64_t granted_at_ms = io_.NowMs();
  Credential next =
      MergeGrant(rotation.current, grant, granted_at_ms, config_.default_access_ttl_ms);
  if (next.expires_at_ms > granted_at_ms) granted_lifetime_ms_ = next.expires_at_ms - granted_at_ms;
  std::optional<int64_t> lifetime_ms = StatedLifetimeMs(grant);
  if (!lifetime_ms) lifetime_ms = granted_lifetime_ms_;
  last_grant_.reset();
  if (lifetime_ms) {
    last_grant_ = OwnGrant{.access_token = next.access_token,
                           .received_ms = granted_at_ms,
                           .lifetime_ms = *lifetime_ms};
  }
  // Every refresh token seen under the locks is spent now, the one just presented included.
  std::set<std::string> superseded = std::move(rotation.seen);
  superseded.insert(rotation.current.refresh_token);
  superseded.erase(next.refresh_token);
  WriteReport report = co_await CommitRotation(next, std::move(superseded));
  if (report.complete()) {
    pending_.reset();
    co_await ClearParked();  // what a sibling parked is older than `next`
  } else {
    probes::rotation_not_saved_everywhere.Hit();
    pending_ = next;  // the server already rotated: never lose the only live pair
    pending_unsaved_ = false;
    if (report.written.empty()) {
      if (co_await Park(next)) {
        probes::rotation_parked.Hit();
      } else {
        probes::rotation_park_failed.Hit();
        pending_unsaved_ = true;  // UnlockAll keeps the locks
        report.failed.push_back(
            "credsim-rescue: the pair could not be parked either; keeping the locks");
      }
    }
  }
  TokenResult result =
      Serve(next, report.complete() ? "refreshed" : "refreshed; not saved everywhere yet");
  result.refreshed = true;
  result.wrote = report.written;
  for (const auto& f : report.failed) result.detail += "; " + f;
  for (const auto& f : report.skipped) result.detail += "; " + f;
  co_return result;
}

// Not consumed. An access token that has not expired yet still serves the caller.
TokenResult Engine::OnTransient(const Credential& current, const RefreshOutcome& outcome,
                                const std::string& rejected) {
  if (StillUsable(current, io_.NowMs(), rejected)) {
    probes::transient_served_valid_token.Hit();
    return Serve(current, "refresh failed (" + outcome.reason + "); token still valid");
  }
  probes::transient_failure.Hit();
  TokenResult result = Fail(TokenStatus::kTransient, outcome.reason);
  result.retry_after_ms = outcome.retry_after_ms;
  return result;
}

// After a refusal or a lost answer, look again before deciding: another process may hold a newer
// pair. rotation.seen gains every refresh token the stores show; a refresh token refused (now or
// before) or just lost is not an alternative.
Task<Engine::Reconsidered> Engine::LookAgain(const Demand& demand, Rotation& rotation, bool lost) {
  Reconsidered again;
  const Snapshot snapshot = co_await ReadSnapshot();
  co_await ReadParked();
  again.fingerprint = snapshot.fingerprint;
  PickOptions options = OptionsNow(demand.rejected);
  options.dead_refresh_tokens = refused_refresh_tokens_;
  options.dead_refresh_tokens.insert(rotation.dead.begin(), rotation.dead.end());
  if (lost) options.dead_refresh_tokens.insert(rotation.current.refresh_token);
  Choice choice = Choose(snapshot, options, /*with_parked=*/true);
  for (auto& token : RefreshTokensIn(*choice.candidates)) rotation.seen.insert(token);
  const Candidate* alternative = choice.best_candidate();
  // Our own pending pair (rotated by us, not yet in every store) is older than a refused pair
  // that a store shows with a later expiry: another process rotated ours, so its refresh token
  // was spent before the refused one and presenting it is a certain reuse. Our pending pair's
  // expiry is the server's own, so the comparison is sound for it (unlike for store copies,
  // whose expiry may be recorded wrong). Found by the swarm (seed 225, sim/swarm_test.cc): a
  // tool's rotation that no store took left only this stale pending pair to try.
  if (alternative && pending_ && alternative->credential == *pending_ &&
      rotation.current.expires_at_ms > pending_->expires_at_ms &&
      !Servable(ClassifyFor(*pending_, options))) {
    probes::stale_pending_pair_dropped.Hit();
    pending_.reset();
    alternative = nullptr;
  }
  if (alternative) {
    again.alternative = alternative->credential;
    again.store = alternative->store.Name();
    again.servable = Servable(ClassifyFor(*again.alternative, options));
  }
  co_return again;
}

Task<TokenResult> Engine::Adopt(Credential copy, std::string store, RefreshOutcome::Kind after) {
  (after == RefreshOutcome::Kind::kLost ? probes::copy_adopted_after_lost_answer
                                        : probes::copy_adopted_after_reuse_answer)
      .Hit();
  WriteReport report = co_await WriteBack(copy, /*login=*/false);
  TokenResult result =
      Serve(copy, "adopted a copy from " + store + " after " + RefreshKindName(after) + " refresh");
  result.adopted = true;
  result.wrote = report.written;
  co_return result;
}

Task<RefreshOutcome> Engine::PostWithRetries(Credential current) {
  RefreshOutcome outcome;
  RefreshScope scope = RefreshScope::kAsTheClientSends;
  for (int attempt = 0; attempt < config_.max_transient_attempts; ++attempt) {
    HttpResult http = co_await io_.PostToken(BuildRefreshRequest(config_, current, scope));
    outcome = ClassifyRefresh(http);
    // A scope the server will not grant (stored scopes edited, or from another login) must not
    // lock the session out: ask once more without one, which the server answers with the scope
    // it granted (RFC 6749 §6). Found by the world_stores fuzz target ("user:-rofile").
    if (outcome.scope_refused && scope == RefreshScope::kAsTheClientSends) {
      probes::scope_refused_retried.Hit();
      scope = RefreshScope::kNone;
      --attempt;  // a refused scope spends nothing and is not a transient failure
      continue;
    }
    if (outcome.kind != RefreshOutcome::Kind::kTransient) co_return outcome;
    if (attempt + 1 == config_.max_transient_attempts) break;
    const int64_t delay_ms = BackoffDelayMs(config_, attempt, outcome.retry_after_ms,
                                            io_.RandomBelow(uint64_t{1} << 32));
    if (delay_ms < 0) {  // Retry-After beyond our bound: report it instead of waiting
      probes::retry_after_beyond_bound.Hit();
      break;
    }
    if (outcome.retry_after_ms) probes::retry_after_honoured.Hit();
    co_await io_.SleepMs(delay_ms);
  }
  co_return outcome;
}

Task<Engine::WriteReport> Engine::WriteBack(Credential credential, bool login,
                                            std::set<std::string> superseded) {
  WriteReport report;
  for (size_t store_index = 0; store_index < config_.stores.size(); ++store_index) {
    const StoreId& id = config_.stores[store_index];
    bool settled = false;
    for (int attempt = 0; attempt < kMaxCasAttempts && !settled; ++attempt) {
      StoreRead read = co_await io_.Read(id);
      const std::shared_ptr<const StoreView> shared_view = Decode(store_index, read);
      const StoreView& view = *shared_view;
      if (view.corrupt) {
        probes::corrupt_store_left_untouched.Hit();
        report.skipped.push_back(id.Name() + ": corrupt, left untouched (" + *view.corrupt + ")");
        settled = true;
        break;
      }
      if (read.status != IoStatus::kOk && read.status != IoStatus::kNotFound) {
        report.failed.push_back(id.Name() + ": " + IoStatusName(read.status));
        settled = true;
        break;
      }
      const int64_t now_ms = io_.NowMs();
      auto bytes = login ? EncodeLogin(config_.provider, view, credential, now_ms)
                         : EncodeCredential(config_.provider, view, credential, now_ms, superseded);
      if (!bytes) {
        // The store holds none of this account's slots, or already this (or a fresher) pair.
        settled = true;
        break;
      }
      StoreWrite write = co_await io_.CompareAndSwap(id, view.version, std::move(*bytes));
      if (write.status == IoStatus::kOk) {
        report.written.push_back(id.Name());
        settled = true;
      } else if (write.status != IoStatus::kConflict) {
        report.failed.push_back(id.Name() + ": " + IoStatusName(write.status) +
                                (write.detail.empty() ? "" : " (" + write.detail + ")"));
        settled = true;
      }
      // kConflict: someone wrote in between; re-read and merge again.
      if (write.status == IoStatus::kConflict) probes::write_conflict_merged.Hit();
    }
    if (!settled) report.failed.push_back(id.Name() + ": kept changing under compare-and-swap");
  }
  co_return report;
}

// The server has rotated: the only live pair is in this process's memory. A sibling process that
// reads the stores now would find the spent token and replay it (report 7), so the write is retried
// while the locks are still held, which keeps siblings from refreshing. Bounded; what still fails
// becomes pending_ and is retried on the next call.
Task<Engine::WriteReport> Engine::CommitRotation(Credential next,
                                                 std::set<std::string> superseded) {
  WriteReport report = co_await WriteBack(next, /*login=*/false, superseded);
  for (int retry = 0; !report.complete(); ++retry) {
    const int bound = report.written.empty() ? kMaxUnwrittenCommitRetries : kMaxCommitRetries;
    if (retry >= bound) break;
    probes::commit_retried.Hit();
    co_await io_.SleepMs(std::min(config_.backoff_ms_min << retry, kCommitRetryPauseMaxMs));
    WriteReport again = co_await WriteBack(next, /*login=*/false, superseded);
    report.written.insert(report.written.end(), again.written.begin(), again.written.end());
    report.failed = std::move(again.failed);
  }
  co_return report;
}

Task<StoreView> Engine::ReadRescue() {
  CREDSIM_ASSERT(config_.rescue_store);
  const StoreRead read = co_await io_.Read(*config_.rescue_store);
  co_return DecodeStore(config_.provider, *config_.rescue_store, read);
}

Task<void> Engine::ReadParked() {
  parked_.reset();
  if (!config_.rescue_store) co_return;
  const StoreView view = co_await ReadRescue();
  if (view.readable() && !view.slots.empty()) parked_ = view.slots.front();
}

// Report 7 across processes: the server rotated, no store took the pair, and the next process to
// get the locks would read the spent token and replay it. Parked here, that process finds it.
Task<bool> Engine::Park(Credential pair) {
  if (!config_.rescue_store || pair.refresh_token.empty()) co_return false;
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    const StoreView view = co_await ReadRescue();
    if (view.corrupt) co_return false;  // never overwritten blindly; the caller says so
    if (view.status != IoStatus::kOk && view.status != IoStatus::kNotFound) co_return false;
    const StoreWrite write =
        co_await io_.CompareAndSwap(*config_.rescue_store, view.version, EncodeParked(pair));
    if (write.status == IoStatus::kOk) co_return true;
    if (write.status != IoStatus::kConflict) co_return false;
  }
  co_return false;
}

Task<void> Engine::ClearParked() {
  parked_.reset();
  if (!config_.rescue_store) co_return;
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    const StoreView view = co_await ReadRescue();
    if (!view.readable() || view.slots.empty()) co_return;  // nothing parked (or corrupt: kept)
    const StoreWrite write = co_await io_.CompareAndSwap(*config_.rescue_store, view.version,
                                                         std::string(kNothingParked));
    if (write.status != IoStatus::kConflict) co_return;  // done, or retried by the next commit
  }
}

Task<void> Engine::CommitPending() {
  CREDSIM_ASSERT(pending_.has_value());
  std::vector<LockId> held;
  if (!co_await LockAll(&held)) co_return;  // try again on the next call
  // Our pair may have been parked earlier, and a sibling may have adopted it from the rescue
  // store and rotated it since, parking its successor while the stores still refused writes. Ours
  // is then spent: writing it would spread a dead pair, and clearing the rescue store would throw
  // away the only live one (found by the swarm's breadth draws, every store refusing writes).
  co_await ReadParked();
  if (parked_ && parked_->credential.refresh_token != pending_->refresh_token &&
      ShouldOverwrite(*pending_, parked_->credential)) {
    probes::pending_pair_superseded_by_parked.Hit();
    pending_.reset();
    pending_unsaved_ = false;
    co_await UnlockAll(std::move(held));
    co_return;
  }
  WriteReport report = co_await WriteBack(*pending_, /*login=*/false);
  if (!report.written.empty()) pending_unsaved_ = false;  // a sibling can read it now
  if (report.complete()) {
    probes::pending_pair_committed.Hit();
    pending_.reset();
    co_await ClearParked();
  }
  co_await UnlockAll(std::move(held));
}

Task<TokenResult> Engine::Login(Credential fresh) {
  CREDSIM_ASSERT(!fresh.access_token.empty() || !fresh.refresh_token.empty());
  std::vector<LockId> held;
  if (!co_await LockAll(&held)) co_return Fail(TokenStatus::kTransient, "lock busy");
  WriteReport report = co_await WriteBack(fresh, /*login=*/true);
  probes::login_written.Hit();
  co_await ClearParked();    // a fresh login supersedes anything parked
  pending_unsaved_ = false;  // the login supersedes an unsaved rotation
  co_await UnlockAll(std::move(held));
  pending_.reset();
  blocked_fingerprint_.reset();  // a re-login unblocks at once
  if (!report.complete()) pending_ = fresh;
  TokenResult result = Serve(fresh, report.complete() ? "logged in"
                                                      : "logged in; not saved "
                                                        "everywhere yet");
  result.wrote = report.written;
  for (const auto& f : report.failed) result.detail += "; " + f;
  co_return result;
}

Task<bool> Engine::LockAll(std::vector<LockId>* held) {
  CREDSIM_ASSERT(held->empty());
  if (!kept_locks_.empty()) {  // still ours since an unsaved rotation (pending_unsaved_)
    held->swap(kept_locks_);
    co_return true;
  }
  std::vector<LockId> wanted;
  for (const StoreId& id : config_.stores) wanted.push_back(LockFor(id.kind));
  std::sort(wanted.begin(), wanted.end());  // one global order: no deadlock between engines
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  for (LockId lock : wanted) {
    IoStatus status = co_await io_.Lock(lock, config_.lock_timeout_ms);
    if (status != IoStatus::kOk) {
      co_await UnlockAll(std::move(*held));
      held->clear();
      co_return false;
    }
    held->push_back(lock);
  }
  co_return true;
}

Task<void> Engine::UnlockAll(std::vector<LockId> held) {
  if (pending_ && pending_unsaved_ && !held.empty()) {
    CREDSIM_ASSERT(kept_locks_.empty(), "locks are kept by one call at a time");
    probes::locks_kept_for_unsaved_pair.Hit();
    kept_locks_ = std::move(held);
    co_return;
  }
  for (auto it = held.rbegin(); it != held.rend(); ++it) co_await io_.Unlock(*it);
}

}  // namespace credsim::engine
