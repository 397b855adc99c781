// Engine: the reference credential engine for one provider's shared OAuth session.
//
// Sans-I/O: every effect goes through Io, so the same code runs against real files and sockets
// (engine/io_posix.h) and inside the deterministic simulator. Each public call is a Task; with real
// I/O run it with RunToCompletion().
//
// What it guarantees (each line is a reported bug that must not happen here, see docs/ENGINE.md):
//  - reads every store and uses the freshest usable copy (never a stale keychain over a fresh
//  file);
//  - refreshes only under the locks of every store it will write, after re-reading them all, and
//    adopts a rotation someone else made instead of spending a refresh token twice;
//  - writes a new pair into every store slot of the session, atomically, compare-and-swap, keeping
//    scopes and unknown fields, never a staler token over a fresher one;
//  - keeps a rotated pair it could not write (commit pending) and retries the write on the next
//  call;
//  - on invalid_grant re-reads and retries once per other refresh token found; otherwise says
//    "re-login required" and does not touch the network again until some store changes;
//  - bounded everything: lock wait, transient retries with backoff and Retry-After, rounds.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/credential.h"
#include "engine/io.h"
#include "engine/reconcile.h"
#include "engine/session.h"
#include "engine/store_codec.h"
#include "engine/task.h"
#include "engine/token_client.h"

namespace credsim::engine {

enum class TokenStatus : uint8_t {
  kOk,
  kNoCredential,     // no store holds a usable copy of the session
  kReloginRequired,  // the refresh token is dead and no store holds another one
  kTransient,        // server/network trouble or lock busy; try again later
  kRejectedRequest,  // the token endpoint refused the request itself (configuration problem)
};
const char* TokenStatusName(TokenStatus status);

struct TokenResult {
  TokenStatus status = TokenStatus::kNoCredential;
  Credential credential;   // the credential served (kOk), or the one that failed
  bool refreshed = false;  // this call rotated the session
  bool adopted = false;    // this call found someone else's rotation and used it
  // Served as read, because it had at least the refresh leeway left (no refresh was tried).
  bool valid_copy = false;
  bool commit_pending = false;     // rotated, but some store could not be written yet
  std::vector<std::string> wrote;  // store names written by this call
  std::string detail;              // token-free explanation
  std::optional<int64_t> retry_after_ms;
};

// All stores of the session as read at one moment. Views are immutable and shared with the
// engine's decode cache, so a call that finds nothing changed copies no store (most calls).
struct Snapshot {
  std::vector<std::shared_ptr<const StoreView>> stores;  // one per configured store, in order
  uint64_t fingerprint = 0;  // of every store's version: "did anything change?"
  // The session's slots in store order (only the session's account: see SessionCandidates).
  std::shared_ptr<const std::vector<Candidate>> candidates;
  const std::vector<Candidate>& Candidates() const { return *candidates; }
};

// Every slot of the readable stores that belongs to the session's account (that of the first slot
// naming one), in store order.
std::vector<Candidate> SessionCandidates(
    const std::vector<std::shared_ptr<const StoreView>>& stores);

class Engine {
 public:
  Engine(Io& io, SessionConfig config);

  // A usable access token: from the freshest store if valid, else after a refresh.
  Task<TokenResult> GetToken();
  // Rotates now unless, once under the locks, the stores show that somebody else already rotated
  // the token this call saw (then that rotation is adopted): N concurrent calls make one refresh.
  // With only_if_needed, a still-valid token is served without refreshing.
  Task<TokenResult> Refresh(bool only_if_needed);
  // The API answered 401 to `rejected_access_token`: drop it, re-read, refresh if needed. One
  // refresh at most per call; the caller retries its API request once, never in a loop.
  Task<TokenResult> OnUnauthorized(std::string rejected_access_token);
  // A fresh login: written into every store of the session (creating the primary slots).
  Task<TokenResult> Login(Credential fresh);
  Task<Snapshot> ReadSnapshot();

  const SessionConfig& config() const { return config_; }
  bool commit_pending() const { return pending_.has_value(); }
  // The rotated pair not yet written everywhere, so that a short-lived process (the CLI) can park
  // it somewhere durable before exiting, and the next process can hand it back.
  const std::optional<Credential>& pending() const { return pending_; }
  void RestorePending(Credential credential) { pending_ = std::move(credential); }
  bool blocked() const { return blocked_fingerprint_.has_value(); }
  // How long before expiry a token counts as due: the configured leeway, but never more than half
  // the lifetime the server last granted to this engine. With lifetimes at or under the leeway
  // (a 5 min token and Claude Code's 5 min leeway) every token would be due on arrival and every
  // use would rotate: the refresh storm the refresh_storm oracle found in 5 min swarm worlds.
  int64_t effective_leeway_ms() const;

 private:
  enum class Mode : uint8_t { kGet, kRefresh, kUnauthorized };
  struct WriteReport {
    std::vector<std::string> written;
    std::vector<std::string> failed;   // "name: why": could not be written, worth retrying
    std::vector<std::string> skipped;  // corrupt stores: reported, never rewritten, not retried
    bool complete() const { return failed.empty(); }
  };

  // One public call, carried from Acquire down to the rotation so that the protocol reads
  // top-down: what the caller asked for, and the refresh token it saw before taking the locks (a
  // different one under the locks means someone rotated meanwhile). Pick options are made from it
  // at each decision (OptionsNow), never kept: each decision is on a new reading, at a later time.
  struct Demand {
    Mode mode = Mode::kGet;
    std::string rejected;      // the access token the API refused (kUnauthorized), else empty
    std::string seen_refresh;  // of the best pair read before the locks were taken
  };
  // One rotation under the locks (Rotate): the pair being presented and what its rounds learned.
  struct Rotation {
    Credential current;
    // Every refresh token read under the locks so far: all spent once a rotation succeeds.
    std::set<std::string> seen;
    std::set<std::string> dead;  // refused by the server in this rotation
    uint64_t fingerprint = 0;    // of the snapshot read under the locks (what a dead session is
                                 // blocked at when a refused-before token is met)
    bool lost_retry_used = false;
    std::string last_reason;  // of the last round, for the give-up message
  };
  // The session's candidates as read, and the best of them for one decision.
  struct Choice {
    std::shared_ptr<const std::vector<Candidate>> candidates;
    std::optional<size_t> best;
    const Candidate* best_candidate() const { return best ? &(*candidates)[*best] : nullptr; }
  };
  struct Reconsidered {
    std::optional<Credential> alternative;
    std::string store;  // where the alternative was found
    bool servable = false;
    uint64_t fingerprint = 0;  // of the stores as read (what a dead session is blocked at)
  };

  // The protocol, in call order. Acquire serves a valid copy or runs the locked part
  // (RefreshLocked: take every lock, RefreshUnderLock, release); under the locks a valid pair is
  // adopted (AdoptUnderLock), else rotated (RotateUnlessTooSoon, Rotate), each round ending in
  // OnGranted, OnTransient, a rejected request or OnNoGrant (LookAgain, Adopt, or the next round).
  Task<TokenResult> Acquire(Demand demand);
  Task<bool> AwaitForeignRotation(uint64_t dead_fingerprint);
  Task<TokenResult> AcquireAfterForeignRotation(Demand demand);
  Task<TokenResult> RefreshLocked(const Demand& demand);  // a busy lock: kTransient
  Task<TokenResult> RefreshUnderLock(const Demand& demand);
  Task<TokenResult> AdoptUnderLock(const Candidate& found, bool rotated_meanwhile);
  // Rotates unless a 401 asked for it and the last 401 rotation was too recent; a token refused in
  // the last half of its lifetime (ExpiredByTheServer) is not such a 401.
  Task<TokenResult> RotateUnlessTooSoon(const Demand& demand, Rotation rotation);
  bool ExpiredByTheServer(const Credential& refused, int64_t now_ms) const;
  Task<TokenResult> Rotate(const Demand& demand, Rotation rotation);
  std::optional<TokenResult> RefuseUnpresentable(const Rotation& rotation);
  Task<TokenResult> OnGranted(Rotation rotation, formats::TokenGrant grant);
  TokenResult OnTransient(const Credential& current, const RefreshOutcome& outcome,
                          const std::string& rejected);
  Task<std::optional<TokenResult>> OnNoGrant(const Demand& demand, Rotation& rotation,
                                             const RefreshOutcome& outcome);
  Task<Reconsidered> LookAgain(const Demand& demand, Rotation& rotation, bool lost);
  Task<TokenResult> Adopt(Credential copy, std::string store, RefreshOutcome::Kind after);
  Task<RefreshOutcome> PostWithRetries(Credential current);
  Task<WriteReport> WriteBack(Credential credential, bool login,
                              std::set<std::string> superseded = {});
  Task<WriteReport> CommitRotation(Credential next, std::set<std::string> superseded);
  Task<void> CommitPending();
  Task<bool> LockAll(std::vector<LockId>* held);
  Task<void> UnlockAll(std::vector<LockId> held);

  // The pending pair (if any) first, then the snapshot's candidates, then (with_parked, under the
  // locks) a pair a sibling parked, last so that it loses ties. Shared, never copied when there
  // is nothing to add.
  std::shared_ptr<const std::vector<Candidate>> CandidatesWithPending(
      const Snapshot& snapshot, bool with_parked = false) const;
  // The rescue store (SessionConfig::rescue_store), only while every lock is held: ReadParked
  // sets parked_; Park saves a pair no store took (false if it could not); ClearParked empties
  // the store once every store has the newest pair.
  Task<StoreView> ReadRescue();  // the rescue store, decoded (its status and version included)
  Task<void> ReadParked();
  Task<bool> Park(Credential pair);
  Task<void> ClearParked();
  std::shared_ptr<const StoreView> Decode(size_t store_index, const StoreRead& read);
  Task<void> WaitOutTornWrites(Snapshot& snapshot);
  TokenResult Serve(const Credential& credential, std::string detail) const;
  PickOptions OptionsNow(const std::string& rejected);  // now, the leeway, the rejected token
  Choice Choose(const Snapshot& snapshot, const PickOptions& options,
                bool with_parked = false) const;
  TokenResult Fail(TokenStatus status, std::string detail) const;

  Io& io_;
  SessionConfig config_;
  // A rotated pair that some store could not take yet. It is the newest credential of the
  // session; losing it would strand the session (report 7), so it is served and re-committed.
  std::optional<Credential> pending_;
  // pending_ is in no store and not in the rescue store either: the server's only live pair of the
  // session exists in this process alone. Releasing the locks now would let a sibling read the
  // spent token and replay it (report 7 across processes; under revoke-family the session's end),
  // so the locks are kept past the call (kept_locks_) until some store takes the pair. A sibling
  // meanwhile answers "lock busy", which costs it a call, not the session; if this process dies,
  // its locks go with it. Found by the swarm's breadth draws (every store refusing writes).
  bool pending_unsaved_ = false;
  std::vector<LockId> kept_locks_;
  // The pair found in the rescue store at the last ReadParked, if any.
  std::optional<Candidate> parked_;
  // Snapshot fingerprint at which the session was found dead. Until a store changes, asking the
  // server again would only repeat the answer; once one changes, the engine re-probes at once.
  std::optional<uint64_t> blocked_fingerprint_;
  // When this engine last rotated because the API refused a token that had not expired (local
  // clock): the next such rotation waits SessionConfig::unauthorized_rotation_gap_ms.
  std::optional<int64_t> last_unauthorized_rotation_ms_;
  // Refresh tokens the server refused as dead (not lost answers): never presented again by this
  // engine, so a tool that rewrites a store with the same dead token does not make it ask again.
  // In memory only, like every credential the engine holds; never logged.
  static constexpr size_t kMaxRefusedRefreshTokens = 64;
  std::set<std::string> refused_refresh_tokens_;
  void RememberRefused(const std::string& refresh_token);
  // The access-token lifetime of the last grant this engine received (see effective_leeway_ms).
  std::optional<int64_t> granted_lifetime_ms_;
  // This engine's last grant: its access token, when it arrived (our clock) and the lifetime the
  // server stated (expires_in; else granted_lifetime_ms_). See ExpiredByTheServer.
  struct OwnGrant {
    std::string access_token;
    int64_t received_ms = 0;
    int64_t lifetime_ms = 0;
  };
  std::optional<OwnGrant> last_grant_;
  // The last decoded view of each configured store (same index), reused while the store's version
  // is unchanged.
  std::vector<std::shared_ptr<const StoreView>> decoded_;
  // Per store: the corrupt bytes WaitOutTornWrites already waited on (not waited on twice).
  std::vector<StoreVersion> waited_on_corrupt_;
  // The last snapshot read: its candidates are reused while every view is the same object.
  Snapshot last_snapshot_;
};

}  // namespace credsim::engine
