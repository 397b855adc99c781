// World: one simulated run. It owns virtual time (Scheduler), the token authority (ground truth),
// the stores with their fault model, the cross-process locks, the network, the consumers and the
// scripted user events, and it reports every fact oracles need (observation.h).
//
// Single-threaded and deterministic: every decision comes from the ChoiceSource given at
// construction; nothing is read from the host.
#pragma once

#include <array>
#include <coroutine>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/assert.h"
#include "engine/engine.h"
#include "engine/io.h"
#include "fake_oauth_server/authority.h"
#include "sim/choice.h"
#include "sim/disturbances.h"
#include "sim/oracles/oracle.h"
#include "sim/owner.h"
#include "sim/random_faults.h"
#include "sim/scheduler.h"
#include "sim/store_path.h"
#include "sim/store_truth.h"
#include "sim/trace.h"
#include "sim/world_config.h"

namespace credsim::sim {

class SimIo;

struct StoreState {
  std::string bytes;
  bool exists = false;
  bool symlink = false;  // the path is a symlink (writes through it keep it; a rename replaces it)
  // The path links to the same store of this home (InitialStore::link_home): `bytes`, `exists`
  // and `summary` stay empty here, the target has them.
  std::optional<std::string> link_home;
  // Fingerprint of `bytes`, kept by World::Summarize after every change: every engine read and
  // compare-and-swap needs it, and hashing the bytes each time was a quarter of a world's run.
  engine::StoreVersion version;
  StoreTruth summary;  // the world's own reading (store_truth.h), kept current on every change
};

struct RunSummary {
  int64_t end_ms = 0;
  uint64_t events = 0;
  uint64_t trace_lines = 0;
  uint64_t trace_hash = 0;
  size_t queue_peak = 0;
  uint64_t refreshes = 0, demands = 0, demands_failed = 0, reuse_seen = 0;
  bool limit_hit = false;
};

class World {
 public:
  World(WorldConfig config, ChoiceSource& choices, Trace& trace);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  void AddOracle(Oracle* oracle);
  RunSummary Run();

  // --- for SimIo, consumers and policies ---------------------------------------------------------
  const WorldConfig& config() const { return config_; }
  Scheduler& scheduler() { return scheduler_; }
  ChoiceSource& choices() { return choices_; }
  Trace& trace() { return trace_; }
  oauth::TokenAuthority& authority() { return authority_; }
  int64_t now_ms() const { return scheduler_.now_ms(); }  // relative to the start
  int64_t abs_ms() const { return kEpochMs + scheduler_.now_ms(); }
  // The server's clock (epoch ms): true time plus its scripted jumps. Every authority call uses it.
  int64_t server_ms() const { return abs_ms() + disturbances_.server_clock_offset_ms(); }
  // Scripted: the API refuses every access token (EventKind::kApiRejectStart).
  bool api_rejecting() const { return disturbances_.api_rejecting(); }
  bool faults_active() const { return faults_.active(now_ms()); }
  int64_t NetLatencyMs();
  int64_t StoreLatencyMs();

  struct Consumer {
    ConsumerSpec spec;
    size_t index = 0;
    bool reference = false;
    engine::SessionConfig session;
    ActorId actor = kNoActor;
    std::unique_ptr<SimIo> io;
    std::unique_ptr<engine::Io> policy_io;  // a legacy deviation wrapped around io, or null
    std::unique_ptr<engine::Engine> engine;
    LockTopology lock = LockTopology::kHome;  // spec.lock, or the default for its policy
    bool kill_at_next_refresh = false;
    bool lose_next_response = false;  // scripted: the next answer it gets is lost on the wire
    bool fail_after_grant = false;    // scripted: dies after its next granted refresh
    int64_t clock_jump_ms = 0;        // scripted jumps of its clock so far (kept across restarts)
    uint32_t incarnation = 0;
    // The last rotation the authority granted to this consumer (family, presented generation,
    // issued generation): if the process dies before any store holds the issued pair, the pair
    // dies with it (KillConsumer).
    struct Granted {
      uint32_t family = 0, presented = 0, issued = 0;
    };
    std::optional<Granted> last_granted;
    // The freshest (family, generation) each store showed this consumer at its latest read of
    // it (world ground truth): what it had in hand when it next presented a refresh token.
    std::vector<std::pair<engine::StoreId, std::pair<uint32_t, uint32_t>>> last_read;
  };
  Consumer& consumer(size_t index) {
    CREDSIM_ASSERT(index < consumers_.size(), "not a consumer of this world");
    return *consumers_[index];
  }
  size_t consumer_count() const { return consumers_.size(); }
  std::optional<size_t> FindConsumer(const std::string& name) const;
  // The consumer an actor runs (its current incarnation), or "world" (scripts, helpers).
  std::string ActorName(ActorId actor) const;

  // `known`: the version the reader holds; if the store still has it, the bytes are left out
  // (Io::ReadIfChanged). StoreVersion{} (the default) always copies them.
  engine::StoreRead ReadStore(const engine::StoreId& id, Owner owner,
                              engine::StoreVersion known = {});
  // How a write lands on a path that is a symlink: through it (the target changes, the link
  // stays), or by renaming a temp file over the path (the link becomes a private regular file).
  enum class WriteMode : uint8_t { kThroughLink, kRename };
  engine::StoreWrite WriteStore(const engine::StoreId& id, engine::StoreVersion expected,
                                std::string bytes, Owner owner,
                                WriteMode mode = WriteMode::kThroughLink);
  // Rename semantics (a temp file renamed over the path, what Claude Code and Codex do): no
  // compare-and-swap, and a symlink at the path is replaced by a regular file.
  engine::StoreWrite ReplaceStore(const engine::StoreId& id, std::string bytes, Owner owner);
  // A non-atomic in-place rewrite (truncate, then write): Begin leaves the first half of `bytes`
  // visible (a reader now sees a torn store), Finish writes the rest. The caller waits between.
  void BeginInPlaceWrite(const engine::StoreId& id, const std::string& bytes, Owner owner);
  engine::StoreWrite FinishInPlaceWrite(const engine::StoreId& id, std::string bytes, Owner owner);
  const StoreState* store(const engine::StoreId& id) const;  // the default home's path
  const StoreState* store(const StorePath& path) const;      // the path itself (a link: no bytes)
  bool keychain_locked() const { return disturbances_.keychain_locked(); }

  Task<engine::IoStatus> AcquireLock(engine::LockId lock, Owner owner, int64_t timeout_ms);
  void ReleaseLock(engine::LockId lock, Owner owner);

  // The server side of one token request that left the client at commit_seq `seen`.
  engine::HttpResult ServeTokenRequest(const engine::HttpRequest& request, uint64_t seen,
                                       Owner owner);

  // True when a store the consumer reads holds the family's live refresh token.
  bool UsableCredentialFor(size_t consumer) const;
  // Some store (any, the engine's rescue store included) holds this refresh token.
  bool AnyStoreHolds(uint32_t family, uint32_t generation) const;
  // Hands a demand to the oracles; a failed one gets its outage cause from ground truth first.
  void ReportDemand(DemandObserved demand);
  // A consumer compared `expires_at_ms` with its clock (`local_now_ms`) and decided; the world adds
  // true time and the consumer's skew bound and hands it to the oracles (clock).
  // `t_ms` is the world time at which the consumer read its clock.
  void ReportExpiryDecision(size_t index, int64_t t_ms, int64_t expires_at_ms, int64_t local_now_ms,
                            int64_t leeway_ms, bool decided_expiring);
  std::string LabelOf(const std::string& token) const;

 private:
  struct LockWaiter {
    Owner owner;
    ActorId actor;
    std::coroutine_handle<> handle;
    bool granted = false;
  };
  struct LockState {
    std::optional<Owner> holder;       // none: free
    std::vector<LockWaiter*> waiters;  // FIFO, bounded by kMaxLockWaiters
  };
  static constexpr size_t kMaxLockWaiters = 256;
  // One lock per (home, tool directory).
  using LockKey = std::pair<std::string, engine::LockId>;
  static constexpr size_t kMaxLocks = 1024;

  void Seed();
  void StartConsumer(size_t index);
  void KillConsumer(size_t index, const char* why);
  Task<void> Script();
  Task<void> Relogin(size_t index, std::optional<engine::StoreId> only_store);
  void ScheduleDeathAndRestart(size_t index, const char* why);
  bool LoseThisResponse(Consumer* c);
  // The steps of ServeTokenRequest (world.cc says what each decides).
  struct ReachBefore {
    bool live_in_reach = false, live_pair_unreadable = false, nothing_live = false;
  };
  std::optional<engine::HttpResult> FaultBeforeServer(const engine::HttpRequest& request,
                                                      const std::string& who);
  ReachBefore ReachOf(const Consumer* c) const;
  void DescribeReply(const oauth::TokenReply& reply, const Consumer* c, const ReachBefore& reach,
                     RefreshObserved& o);
  void RecordGrant(const oauth::TokenReply& reply, Consumer* c, bool lost);
  void EndProcessAfterReply(Consumer* c, bool killed, bool dies_after_grant);
  void NoteRead(Owner owner, const engine::StoreId& id, const StoreState* state);
  // Some refresh token the store holds (as the world reads it: whole tokens even in bytes that do
  // not parse) is the live one of its family.
  bool HoldsLiveRefreshToken(const StoreState& state) const;
  // A store the consumer names holds a live refresh token but does not parse.
  bool LivePairUnreadableFor(size_t index) const;
  // Some store (readable or not) or some consumer's latest grant holds a live refresh token: the
  // session is alive somewhere. Tools' grants count too (unlike in OutageCause): a tool holding
  // the live pair is what a reuse would cost.
  bool LiveTokenAnywhere() const;
  // The consumer's latest reads showed a refresh token, other than (family, generation), that the
  // authority still holds live: it had a working credential in hand.
  bool HadLiveTokenInHand(const Consumer& c, uint32_t family, uint32_t generation) const;
  Task<void> StaleLockJanitor(LockKey key, Owner dead_process);
  Task<engine::IoStatus> AcquireOne(LockKey key, Owner owner, int64_t timeout_ms);
  void ReleaseOne(LockState& l, Owner owner);
  static std::string LockLabel(const LockKey& key);  // "agent-home", "box-a/claude-home"
  // The locks `owner` takes for `lock`, in order (LockTopology).
  std::vector<LockKey> LockKeysFor(engine::LockId lock, Owner owner) const;
  // Homes: where a consumer's store is, and where the bytes behind that path are.
  const std::string& HomeOf(Owner owner) const;
  StorePath PathFor(const engine::StoreId& id, Owner owner) const;
  StorePath Resolve(const StorePath& path) const;
  // Two consumers read or write at least one common file (after links).
  bool ShareAStore(size_t a, size_t b) const;
  void Apply(const ScriptedEvent& event);
  void ReplaceSymlink(const StorePath& path);
  void Summarize(const StorePath& path, StoreState& state) const;
  const char* OutageCause(size_t index) const;
  // How far a consumer's clock may be off true time at t_ms: skew, scripted jumps and drift.
  static int64_t ClockErrorBoundMs(const Consumer& c, int64_t t_ms);
  int64_t ExpiryAllowanceMs(Owner owner) const;
  bool ExpiryStoredElsewhere(const StorePath& path, const StoreTruth& written) const;
  engine::StoreWrite Commit(const StorePath& path, StoreState& state, std::string bytes,
                            Owner owner, bool keep_link);
  void Observe(const RefreshObserved& refresh);
  // The consumer acting as `owner`, or null when it is not a consumer (the world, a login helper,
  // a dead process): only a consumer's reads, clock and grants are the world's to judge.
  Consumer* AsConsumer(Owner owner) const;
  std::string OwnerName(Owner owner) const;
  bool OwnerIsReference(Owner owner) const;

  WorldConfig config_;
  ChoiceSource& choices_;
  Trace& trace_;
  Scheduler scheduler_;
  oauth::TokenAuthority authority_;
  std::map<StorePath, StoreState> stores_;
  std::map<LockKey, LockState> locks_;
  std::vector<std::unique_ptr<Consumer>> consumers_;
  std::vector<std::unique_ptr<SimIo>> helper_ios_;  // login helpers (bounded by scripted events)
  std::vector<std::unique_ptr<engine::Engine>> helper_engines_;
  std::vector<Oracle*> oracles_;
  // Who retired each refresh token: (family, generation) -> the judged consumer (reference or
  // legacy) whose refresh rotated it away, or kNotJudged. Bounded; past the bound nothing is
  // recorded and a reuse is attributed by what its presenter had in hand alone.
  std::map<std::pair<uint32_t, uint32_t>, size_t> retired_by_;
  static constexpr size_t kNotJudged = SIZE_MAX;
  static constexpr size_t kMaxRetirements = 1u << 16;
  // Refresh tokens whose rotating answer was lost: a later replay of one is not a real reuse.
  std::set<std::pair<uint32_t, uint32_t>> lost_rotations_;
  static constexpr size_t kMaxLostRotations = 4096;
  Disturbances disturbances_;  // what the scripted events changed
  RandomFaults faults_;        // the random ones, drawn from choices_
  RunSummary summary_;
};

}  // namespace credsim::sim
