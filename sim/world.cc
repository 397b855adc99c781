#include "sim/world.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "base/assert.h"
#include "engine/formats/json_tree.h"
#include "sim/labels.h"
#include "sim/policies/registry.h"
#include "sim/probes.h"
#include "sim/sim_io.h"
#include "sim/store_docs.h"
#include "sim/token_endpoint.h"

namespace credsim::sim {
namespace {

// The fuzz target's raw store bytes with the placeholders for the live pair filled in.
std::string WithTokens(std::string bytes, const std::string& access, const std::string& refresh) {
  for (const auto& [marker, value] :
       {std::pair<std::string_view, const std::string&>{"@AT@", access}, {"@RT@", refresh}}) {
    for (size_t at = bytes.find(marker); at != std::string::npos; at = bytes.find(marker, at)) {
      bytes.replace(at, marker.size(), value);
      at += value.size();
    }
  }
  return bytes;
}

oauth::AuthorityConfig AuthorityConfigFor(const WorldConfig& c) {
  oauth::AuthorityConfig a;
  a.provider = c.provider == engine::Provider::kAnthropic ? oauth::Provider::kAnthropic
                                                          : oauth::Provider::kOpenAi;
  a.access_ttl_ms = c.access_ttl_ms;
  a.reuse = c.reuse;
  a.race = c.race;
  a.revoke_access_on_refresh = c.revoke_siblings_on_refresh;
  a.refresh_ttl_ms = c.refresh_ttl_ms;
  return a;
}

// The provider's own answer when its API layer fails before the authority decides (the HTTP
// front sends the same bytes for the same fault). Retry-After travels in whole seconds.
engine::HttpResult ServerError(const oauth::Personality& p, int status, int64_t retry_after_ms) {
  const int retry_after_s = static_cast<int>((retry_after_ms + kSecondMs - 1) / kSecondMs);
  return ToHttpResult(oauth::ServerErrorToWire(p, status, status == 429 ? retry_after_s : -1));
}

}  // namespace

World::World(WorldConfig config, ChoiceSource& choices, Trace& trace)
    : config_(std::move(config)),
      choices_(choices),
      trace_(trace),
      scheduler_(choices, SchedulerLimits{.max_events = config_.max_events}, config_.shuffle_ties),
      authority_(AuthorityConfigFor(config_), config_.seed) {
  CREDSIM_ASSERT(config_.consumers.size() <= 256);
  CREDSIM_ASSERT(config_.events.size() <= 4096);
  CREDSIM_ASSERT(config_.duration_ms > 0 && config_.duration_ms <= 400 * kDayMs);
}

World::~World() = default;

void World::AddOracle(Oracle* oracle) {
  oracle->trace_ = &trace_;
  oracles_.push_back(oracle);
}

int64_t World::NetLatencyMs() {
  return choices_.RangeInclusive(config_.net_latency_ms_min, config_.net_latency_ms_max);
}
int64_t World::StoreLatencyMs() {
  return choices_.RangeInclusive(config_.store_latency_ms_min, config_.store_latency_ms_max);
}

std::string World::ActorName(ActorId actor) const {
  for (const auto& c : consumers_) {
    if (c->actor == actor) return c->spec.name;
  }
  return "world";
}

std::optional<size_t> World::FindConsumer(const std::string& name) const {
  for (const auto& c : consumers_) {
    if (c->spec.name == name) return c->index;
  }
  return std::nullopt;
}

std::string World::LabelOf(const std::string& token) const {
  return token.empty() ? "-" : authority_.Label(token);
}

World::Consumer* World::AsConsumer(Owner owner) const {
  if (!owner.is_consumer()) return nullptr;
  CREDSIM_ASSERT(owner.index < consumers_.size(), "a consumer owner names a consumer");
  return consumers_[owner.index].get();
}

std::string World::OwnerName(Owner owner) const {
  switch (owner.kind) {
    case Owner::Kind::kConsumer:
      return AsConsumer(owner)->spec.name;
    case Owner::Kind::kDeadProcess:
      CREDSIM_ASSERT(owner.index < consumers_.size(), "a dead process was a consumer");
      return consumers_[owner.index]->spec.name + "(dead)";
    case Owner::Kind::kLoginHelper:  // the user's login, traced as the world's act
    case Owner::Kind::kWorld:
      break;
  }
  return "world";
}
bool World::OwnerIsReference(Owner owner) const {
  const Consumer* c = AsConsumer(owner);
  return c ? c->reference : true;
}

// --- initial state ---------------------------------------------------------------------------

namespace {

// A scenario's stored values as data (InitialStore::Expiry and friends) override the defaults.
void ApplyStoredValues(const InitialStore& s, DocTokens& t) {
  using Expiry = InitialStore::Expiry;
  t.expiry_absent = s.expiry == Expiry::kAbsent;
  if (s.expiry == Expiry::kZero) t.stored_expiry = 0;
  if (s.expiry == Expiry::kAt) {
    const int64_t at_ms = kEpochMs + s.expiry_at_ms;
    t.stored_expiry = s.expiry_in_seconds ? at_ms / kSecondMs : at_ms;
  }
  if (s.refresh_token_expires_at_ms) {
    t.refresh_token_expires_at_ms = kEpochMs + *s.refresh_token_expires_at_ms;
  }
  if (s.last_refresh_at_ms) t.last_refresh = Rfc3339(kEpochMs + *s.last_refresh_at_ms);
  t.extra_members = s.extra_members;
}

}  // namespace

void World::Seed() {
  const bool openai = config_.provider == engine::Provider::kOpenAiCodex;
  const std::string client_id = engine::DefaultSession(config_.provider, "").client_id;
  // The previous pair is minted two minutes before the start and rotated one minute before it,
  // so a "previous" store holds a really spent refresh token and "current" a fresh pair.
  oauth::TokenReply first = authority_.Login({.client_id = client_id}, kEpochMs - 2 * kMinuteMs);
  oauth::TokenReply current = first;
  bool need_previous = std::any_of(
      config_.stores.begin(), config_.stores.end(),
      [](const InitialStore& s) { return !s.link_home && s.content == InitialContent::kPrevious; });
  if (need_previous) {
    oauth::TokenRequest r{.grant_type = oauth::GrantType::kRefreshToken,
                          .refresh_token = first.tokens.refresh_token,
                          .client_id = client_id};
    current = authority_.Handle(r, kEpochMs - kMinuteMs);
    CREDSIM_ASSERT(current.ok());
  }
  // A spent pair was issued before the live one, so it never carries a later expiry than any
  // stored copy of the live pair (otherwise the world would contradict itself).
  int64_t previous_expiry_max_ms = first.tokens.access_expires_ms;
  for (const InitialStore& s : config_.stores) {
    if (s.link_home || s.content != InitialContent::kCurrent) continue;
    const int64_t stored = s.expired ? kEpochMs - kMinuteMs : current.tokens.access_expires_ms;
    previous_expiry_max_ms = std::min(previous_expiry_max_ms, stored - kMinuteMs);
  }
  for (const InitialStore& s : config_.stores) {
    if (s.link_home) {
      StoreState& link = stores_[StorePath{s.home, s.id}];
      link.link_home = s.link_home;
      link.symlink = true;
      trace_.Event(0, "store.link", "")
          .Str("store", StorePath{s.home, s.id}.Name())
          .Str("to", StorePath{*s.link_home, s.id}.Name());
      continue;
    }
    if (s.content == InitialContent::kAbsent) continue;
    const oauth::TokenReply& r = s.content == InitialContent::kCurrent ? current : first;
    DocTokens t{r.tokens.access_token,
                r.tokens.refresh_token,
                r.tokens.id_token,
                r.tokens.access_expires_ms,
                s.scopes,
                s.subscription,
                s.claude_client_id,
                s.claude_scopes};
    t.providers_block = s.providers_block;
    t.pool_status = s.pool_status;
    t.pool_reset_at_s = (kEpochMs + s.pool_reset_in_ms) / kSecondMs;
    if (s.expired) t.expires_at_ms = kEpochMs - kMinuteMs;
    if (s.content == InitialContent::kPrevious) {
      t.expires_at_ms = std::min(t.expires_at_ms, previous_expiry_max_ms);
    }
    ApplyStoredValues(s, t);
    const StorePath path{s.home, s.id};
    StoreState& state = stores_[path];
    state.bytes = s.raw_bytes
                      ? WithTokens(*s.raw_bytes, r.tokens.access_token, r.tokens.refresh_token)
                      : DocFor(s.id.kind, t, openai);
    // Cut before the closing brace: unparseable, yet every other field is still in the bytes.
    if (s.corrupt) state.bytes.resize(state.bytes.rfind('}'));
    state.exists = true;
    state.symlink = s.symlink;
    Summarize(path, state);
    trace_.Event(0, "store.seed", "")
        .Str("store", path.Name())
        .Str("rt", LabelOf(r.tokens.refresh_token))
        .Bool("expired", s.expired);
  }
}

void World::Summarize(const StorePath& path, StoreState& state) const {
  CREDSIM_ASSERT(!state.link_home || !state.exists, "a link has no bytes of its own");
  state.version = state.exists ? engine::VersionOf(state.bytes) : engine::StoreVersion{};
  state.summary = ReadStoreTruth(path.id.kind, state.exists, state.bytes, authority_);
}

const StoreState* World::store(const engine::StoreId& id) const {
  return store(Resolve(StorePath{"", id}));
}

const StoreState* World::store(const StorePath& path) const {
  auto it = stores_.find(path);
  return it == stores_.end() ? nullptr : &it->second;
}

// --- homes -----------------------------------------------------------------------------------

const std::string& World::HomeOf(Owner owner) const {
  static const std::string kDefaultHome;
  if (owner.kind == Owner::Kind::kWorld) return kDefaultHome;
  // A login helper writes its consumer's home; a dead process lived in it.
  CREDSIM_ASSERT(owner.index < consumers_.size(), "every owner but the world has a consumer");
  return consumers_[owner.index]->spec.home;
}

StorePath World::PathFor(const engine::StoreId& id, Owner owner) const {
  return StorePath{HomeOf(owner), id};
}

StorePath World::Resolve(const StorePath& path) const {
  const StoreState* state = store(path);
  if (!state || !state->link_home) return path;
  StorePath target{*state->link_home, path.id};
  const StoreState* t = store(target);
  CREDSIM_ASSERT(!t || !t->link_home, "a link's target is never itself a link");
  return target;
}

bool World::ShareAStore(size_t a, size_t b) const {
  CREDSIM_ASSERT(a < consumers_.size() && b < consumers_.size(), "two consumers");
  for (const engine::StoreId& x : consumers_[a]->session.stores) {
    const StorePath px = Resolve(PathFor(x, Owner::Consumer(a)));
    for (const engine::StoreId& y : consumers_[b]->session.stores) {
      if (px == Resolve(PathFor(y, Owner::Consumer(b)))) return true;
    }
  }
  return false;
}

// --- stores ----------------------------------------------------------------------------------

engine::StoreRead World::ReadStore(const engine::StoreId& id, Owner owner,
                                   engine::StoreVersion known) {
  engine::StoreRead read;
  const StorePath path = PathFor(id, owner);
  // Every engine call reads every store: one map lookup for a plain path, a second through a link.
  const StoreState* at_path = store(path);
  const StoreState* file =
      at_path && at_path->link_home ? store(StorePath{*at_path->link_home, id}) : at_path;
  if (id.kind == engine::StoreKind::kClaudeKeychain && disturbances_.keychain_locked()) {
    if (OwnerIsReference(owner)) probes::keychain_locked_read.Hit();
    read.status = engine::IoStatus::kLocked;
    read.detail = "keychain locked";
  } else if (file && file->exists) {
    read.status = engine::IoStatus::kOk;
    read.version = file->version;
    read.unchanged = known.exists && known == read.version;
    if (!read.unchanged) read.bytes = file->bytes;
    read.facts.is_symlink = at_path->symlink;
  } else {
    read.status = engine::IoStatus::kNotFound;
  }
  NoteRead(owner, id, read.status == engine::IoStatus::kOk ? file : nullptr);
  if (config_.trace_io) {
    // What the reader was shown (the freshest refresh token, as a label): two reads of one store
    // at one moment differ in the trace exactly when they saw different sessions.
    const bool shown = read.status == engine::IoStatus::kOk && file->summary.readable;
    trace_.Event(now_ms(), "store.read", OwnerName(owner))
        .Str("store", path.Name())
        .Str("status", engine::IoStatusName(read.status))
        .Str("rt", shown ? RefreshLabel(file->summary.family, file->summary.generation) : "-");
  }
  return read;
}

void World::NoteRead(Owner owner, const engine::StoreId& id, const StoreState* state) {
  Consumer* c = AsConsumer(owner);
  if (!c) return;
  auto& reads = c->last_read;
  const std::pair<uint32_t, uint32_t> freshest =
      state && state->summary.readable ? std::pair(state->summary.family, state->summary.generation)
                                       : std::pair(0u, 0u);  // a store that does not parse: none
  bool found = false;
  for (auto& [store_id, seen] : reads) {
    if (store_id == id) {
      seen = freshest;
      found = true;
    } else if (freshest.first != 0 && seen.first != 0 && seen != freshest && c->reference) {
      probes::stores_disagree_at_read.Hit();
    }
  }
  if (found) return;
  CREDSIM_ASSERT(reads.size() < 64, "a consumer reads a bounded set of stores");
  reads.push_back({id, freshest});
}

bool World::HadLiveTokenInHand(const Consumer& c, uint32_t family, uint32_t generation) const {
  return std::any_of(c.last_read.begin(), c.last_read.end(), [&](const auto& read) {
    const auto [f, g] = read.second;
    return f != 0 && std::pair(f, g) != std::pair(family, generation) &&
           authority_.IsLiveGeneration(f, g);
  });
}

engine::StoreWrite World::WriteStore(const engine::StoreId& id, engine::StoreVersion expected,
                                     std::string bytes, Owner owner, WriteMode mode) {
  engine::StoreWrite write;
  const StorePath path = PathFor(id, owner);
  const StorePath target = Resolve(path);
  StoreState& state = stores_[target];
  const engine::StoreVersion actual = state.version;  // StoreVersion{} while absent
  if (id.kind == engine::StoreKind::kClaudeKeychain && disturbances_.keychain_locked()) {
    write.status = engine::IoStatus::kLocked;
  } else if (!(actual == expected)) {
    write.status = engine::IoStatus::kConflict;
  } else if (disturbances_.disk_full(target)) {
    probes::store_write_failed.Hit();
    write.status = engine::IoStatus::kIoError;
    write.detail = "scripted: disk full";
  } else if (faults_active() && choices_.Chance(config_.faults.store_write_fail_per_million)) {
    probes::store_write_failed.Hit();
    write.status = engine::IoStatus::kIoError;
    write.detail = "injected: disk full";
  } else if (mode == WriteMode::kRename && !(path == target)) {
    StoreState& link = stores_[path];  // the rename turns the link into a private file
    link.link_home.reset();
    return Commit(path, link, std::move(bytes), owner, /*keep_link=*/false);
  } else {
    return Commit(target, state, std::move(bytes), owner, mode == WriteMode::kThroughLink);
  }
  if (!state.exists && !state.link_home && write.status == engine::IoStatus::kConflict) {
    stores_.erase(target);
  }
  trace_.Event(now_ms(), "store.write_failed", OwnerName(owner))
      .Str("store", path.Name())
      .Str("status", engine::IoStatusName(write.status));
  return write;
}

engine::StoreWrite World::Commit(const StorePath& path, StoreState& state, std::string bytes,
                                 Owner owner, bool keep_link) {
  CREDSIM_ASSERT(!state.link_home, "bytes are committed to a file, never to a link");
  StoreWritten w{.t_ms = now_ms(),
                 .consumer = OwnerName(owner),
                 .reference = OwnerIsReference(owner),
                 .store = path.Name(),
                 .kind = path.id.kind};
  w.family_before = state.summary.family;
  w.generation_before = state.summary.generation;
  w.readable_before = state.summary.readable;
  // The world's own reader is strict (simdjson); the engine reads with its owner's acceptance
  // (a huge number, a repeated key, deep nesting: engine/formats/json_tree.h), and such a store it
  // may rewrite, keeping what it cannot represent. Only what no owner would parse counts here.
  w.unparsable_before =
      state.exists && !state.summary.readable && !formats::ParseJsonTree(state.bytes).ok();
  w.scopes_before = state.summary.scopes;
  w.plan_before = state.summary.subscription;
  w.markers_before = state.summary.markers;
  w.symlink_before = state.symlink;
  w.expiry_overstated_before_ms = state.summary.expiry_overstated_ms;
  w.foreign_before = state.summary.foreign_sections_digest;
  w.expiry_allowance_ms = ExpiryAllowanceMs(owner);
  state.bytes = std::move(bytes);
  state.exists = true;
  state.symlink = state.symlink && keep_link;
  Summarize(path, state);
  w.family_after = state.summary.family;
  w.generation_after = state.summary.generation;
  w.readable_after = state.summary.readable;
  w.scopes_after = state.summary.scopes;
  w.plan_after = state.summary.subscription;
  w.markers_after = state.summary.markers;
  w.symlink_after = state.symlink;
  w.expiry_overstated_after_ms = state.summary.expiry_overstated_ms;
  w.foreign_after = state.summary.foreign_sections_digest;
  w.expiry_copied = w.expiry_overstated_after_ms > 0 && ExpiryStoredElsewhere(path, state.summary);
  trace_.Event(now_ms(), "store.write", w.consumer)
      .Str("store", w.store)
      .Str("rt", RefreshLabel(w.family_after, w.generation_after))
      .Bool("readable", w.readable_after)
      .Bool("scopes", w.scopes_after);
  if (w.symlink_before && !w.symlink_after) {
    trace_.Event(now_ms(), "store.symlink_replaced", w.consumer).Str("store", w.store);
  }
  for (Oracle* o : oracles_) o->OnWrite(w);
  engine::StoreWrite write;
  write.status = engine::IoStatus::kOk;
  write.version = state.version;
  return write;
}

bool World::ExpiryStoredElsewhere(const StorePath& path, const StoreTruth& written) const {
  return std::any_of(stores_.begin(), stores_.end(), [&](const auto& entry) {
    const StoreTruth& other = entry.second.summary;
    return !(entry.first == path) && other.overstated_token == written.overstated_token &&
           other.expiry_overstated_ms >= written.expiry_overstated_ms;
  });
}

int64_t World::ExpiryAllowanceMs(Owner owner) const {
  // A grant's expires_in counts from the server's answer; the writer adds it to its own clock when
  // the answer arrives: the wire (both ways, worst case), the endpoint's grant delay, the writer's
  // clock error, and the server's own clock jumps all move the result.
  int64_t allowance_ms = 2 * config_.net_latency_ms_max + config_.token_grant_delay_ms +
                         std::abs(disturbances_.server_clock_offset_ms()) + kSecondMs;
  if (const Consumer* c = AsConsumer(owner)) allowance_ms += ClockErrorBoundMs(*c, now_ms());
  return allowance_ms;
}

engine::StoreWrite World::ReplaceStore(const engine::StoreId& id, std::string bytes, Owner owner) {
  const StorePath path = PathFor(id, owner);
  if (id.kind == engine::StoreKind::kClaudeKeychain && disturbances_.keychain_locked()) {
    trace_.Event(now_ms(), "store.write_failed", OwnerName(owner))
        .Str("store", path.Name())
        .Str("status", "locked");
    return engine::StoreWrite{engine::IoStatus::kLocked, {}, "keychain locked"};
  }
  StoreState& state = stores_[path];
  state.link_home.reset();  // a rename over a link replaces it with a private file
  return Commit(path, state, std::move(bytes), owner, /*keep_link=*/false);
}

// A truncate-then-write opens the path, so it follows a link and rewrites the target.
void World::BeginInPlaceWrite(const engine::StoreId& id, const std::string& bytes, Owner owner) {
  const StorePath target = Resolve(PathFor(id, owner));
  StoreState& state = stores_[target];
  state.bytes = bytes.substr(0, bytes.size() / 2);
  state.exists = true;
  Summarize(target, state);
  CREDSIM_ASSERT(!state.summary.readable || bytes.size() < 2);
  trace_.Event(now_ms(), "store.torn", OwnerName(owner)).Str("store", target.Name());
}

engine::StoreWrite World::FinishInPlaceWrite(const engine::StoreId& id, std::string bytes,
                                             Owner owner) {
  const StorePath target = Resolve(PathFor(id, owner));
  return Commit(target, stores_[target], std::move(bytes), owner, /*keep_link=*/true);
}

// --- locks -----------------------------------------------------------------------------------

namespace {
struct WaitForGrant {
  Scheduler& scheduler;
  std::coroutine_handle<>* slot;
  int64_t timeout_ms;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    *slot = h;
    scheduler.WakeAt(h, scheduler.current(), timeout_ms);  // the timeout; a grant supersedes it
  }
  void await_resume() const noexcept {}
};
}  // namespace

std::string World::LockLabel(const LockKey& key) {
  const std::string name = LockName(key.second);
  return key.first.empty() ? name : key.first + "/" + name;
}

std::vector<World::LockKey> World::LockKeysFor(engine::LockId lock, Owner owner) const {
  std::vector<LockKey> keys{{HomeOf(owner), lock}};
  const Consumer* c = AsConsumer(owner);
  if (!c || c->lock != LockTopology::kFile) return keys;
  // The lock beside the file: for each of the consumer's stores under this lock whose path links
  // into another home, that home's lock too (at most one: a link's target is one home).
  for (const engine::StoreId& id : c->session.stores) {
    if (engine::LockFor(id.kind) != lock) continue;
    const StorePath target = Resolve(PathFor(id, owner));
    if (target.home != keys.front().first) {
      keys.push_back({target.home, lock});
      break;
    }
  }
  return keys;
}

Task<engine::IoStatus> World::AcquireLock(engine::LockId lock, Owner owner, int64_t timeout_ms) {
  // Every process takes its home's lock first, then the one beside a linked file: one order for
  // all, so two homes sharing a file cannot deadlock (a target home's own processes take only
  // their home's lock).
  const int64_t deadline_ms = now_ms() + std::max<int64_t>(timeout_ms, 0);
  const std::vector<LockKey> keys = LockKeysFor(lock, owner);
  for (size_t i = 0; i < keys.size(); ++i) {
    const engine::IoStatus status =
        co_await AcquireOne(keys[i], owner, std::max<int64_t>(deadline_ms - now_ms(), 0));
    if (status != engine::IoStatus::kOk) {
      while (i > 0) ReleaseOne(locks_[keys[--i]], owner);  // the ones taken, newest first
      co_return status;
    }
  }
  co_return engine::IoStatus::kOk;
}

Task<engine::IoStatus> World::AcquireOne(LockKey key, Owner owner, int64_t timeout_ms) {
  CREDSIM_ASSERT(locks_.size() < kMaxLocks || locks_.count(key) > 0, "locks are bounded");
  LockState& l = locks_[key];
  CREDSIM_ASSERT(l.holder != owner && "a consumer must not take a lock twice");
  if (!l.holder && l.waiters.empty()) {
    l.holder = owner;
    if (config_.trace_io) {
      trace_.Event(now_ms(), "lock.acquired", OwnerName(owner)).Str("lock", LockLabel(key));
    }
    co_return engine::IoStatus::kOk;
  }
  if (timeout_ms <= 0 || l.waiters.size() >= kMaxLockWaiters) co_return engine::IoStatus::kTimeout;
  LockWaiter waiter{owner, scheduler_.current(), {}, false};
  l.waiters.push_back(&waiter);
  co_await WaitForGrant{scheduler_, &waiter.handle, timeout_ms};
  if (!waiter.granted) {
    std::erase(l.waiters, &waiter);
    trace_.Event(now_ms(), "lock.timeout", OwnerName(owner)).Str("lock", LockLabel(key));
    co_return engine::IoStatus::kTimeout;
  }
  CREDSIM_ASSERT(l.holder == owner);
  if (config_.trace_io) {
    trace_.Event(now_ms(), "lock.acquired", OwnerName(owner)).Str("lock", LockLabel(key));
  }
  co_return engine::IoStatus::kOk;
}

void World::ReleaseLock(engine::LockId lock, Owner owner) {
  // Every lock of this kind the owner holds, in any home: the link may have been replaced since
  // it was taken, so the keys are not recomputed.
  bool released = false;
  for (auto& [key, l] : locks_) {
    if (key.second != lock || l.holder != owner) continue;
    ReleaseOne(l, owner);
    released = true;
  }
  CREDSIM_ASSERT(released, "unlock of a lock not held");
}

void World::ReleaseOne(LockState& l, Owner owner) {
  CREDSIM_ASSERT(l.holder == owner && "unlock of a lock not held");
  l.holder.reset();
  if (l.waiters.empty()) return;
  LockWaiter* next = l.waiters.front();
  l.waiters.erase(l.waiters.begin());
  next->granted = true;
  l.holder = next->owner;
  scheduler_.WakeAt(next->handle, next->actor, 0);
}

Task<void> World::StaleLockJanitor(LockKey key, Owner dead_process) {
  // Claude Code's mkdir lock outlives a killed holder until it is 10 s stale
  // (docs/REAL_CLIENTS.md#claude-code-lock-protocol); a flock dies with its process, so only this
  // lock waits.
  co_await scheduler_.Delay(10 * kSecondMs);
  LockState& l = locks_[key];
  if (l.holder == dead_process) ReleaseOne(l, dead_process);
}

// --- network ---------------------------------------------------------------------------------

// What a request meets on its way, in order: lost before it leaves, a server error (a scripted
// outage or an injected 5xx), a rate limit, a path the server does not serve. The draws happen
// in this order and only as far as the request gets (a seed's world depends on it).
std::optional<engine::HttpResult> World::FaultBeforeServer(const engine::HttpRequest& request,
                                                           const std::string& who) {
  const bool faulty = faults_active();
  if (faulty && choices_.Chance(config_.faults.drop_before_per_million)) {
    trace_.Event(now_ms(), "net.dropped_before", who);
    engine::HttpResult r;
    r.transport = engine::HttpResult::Transport::kNotSent;
    r.detail = "connection reset before the request was sent";
    return r;
  }
  if (disturbances_.server_down() ||
      (faulty && choices_.Chance(config_.faults.error_5xx_per_million))) {
    trace_.Event(now_ms(), "net.server_error", who).Int("status", 503);
    return ServerError(authority_.personality(), 503, -1);
  }
  const bool injected_429 = faulty && choices_.Chance(config_.faults.rate_limit_per_million);
  // A scripted 429 answers one request (taken only when none was injected).
  if (injected_429 || disturbances_.TakeRateLimit()) {
    trace_.Event(now_ms(), "net.rate_limited", who)
        .Int("retry_after_ms", config_.faults.retry_after_ms);
    return ServerError(authority_.personality(), 429, config_.faults.retry_after_ms);
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
  o.response_lost = killed || LoseThisResponse(c) ||
                    (faults_active() && choices_.Chance(config_.faults.drop_after_per_million));
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

void World::ScheduleDeathAndRestart(size_t index, const char* why) {
  // A helper kills the process right after this resumption (an actor cannot destroy its own
  // frame); it restarts a second later.
  scheduler_.Spawn(
      [](World& w, size_t i, const char* reason) -> Task<void> {
        w.KillConsumer(i, reason);
        co_await w.scheduler().Delay(kSecondMs);
        w.StartConsumer(i);
      }(*this, index, why),
      0);
}

void World::Observe(const RefreshObserved& refresh) {
  for (Oracle* o : oracles_) o->OnRefresh(refresh);
}

const char* World::OutageCause(size_t index) const {
  const Consumer& c = *consumers_[index];
  const bool reads_keychain = std::any_of(
      c.session.stores.begin(), c.session.stores.end(),
      [](const engine::StoreId& id) { return id.kind == engine::StoreKind::kClaudeKeychain; });
  if (disturbances_.server_down()) return "server_down";
  if (disturbances_.api_rejecting()) return "api_rejecting";
  if (disturbances_.keychain_locked() && reads_keychain) return "keychain_locked";
  if (faults_active()) return "injected_faults";
  if (UsableCredentialFor(index)) return "lockout";
  for (const auto& [id, state] : stores_) {
    if (HoldsLiveRefreshToken(state)) return "out_of_reach";
  }
  // A judged engine that rotated still holds the pair (writing, retrying, or parking it); a
  // tool's unwritten grant is unknowable (the health check throws it away), so it is not counted.
  for (const auto& other : consumers_) {
    const auto& g = other->last_granted;
    if (other->reference && g && authority_.IsLiveGeneration(g->family, g->issued)) {
      return "rotation_unwritten";
    }
  }
  return "session_dead";
}

void World::ReportDemand(DemandObserved demand) {
  ++summary_.demands;
  if (!demand.served) {
    ++summary_.demands_failed;
    const std::optional<size_t> index = FindConsumer(demand.consumer);
    CREDSIM_ASSERT(index.has_value(), "demands come from consumers");
    demand.outage_cause = OutageCause(*index);
    trace_.Event(demand.t_ms, "demand.failed", demand.consumer)
        .Str("status", demand.status)
        .Str("cause", demand.outage_cause)
        .Bool("usable_existed", demand.usable_credential_existed);
  } else if (config_.trace_io) {
    trace_.Event(demand.t_ms, "demand.served", demand.consumer).Str("at", demand.token_label);
  }
  for (Oracle* o : oracles_) o->OnDemand(demand);
}

int64_t World::ClockErrorBoundMs(const Consumer& c, int64_t t_ms) {
  // Skew and scripted jumps, plus the drift accumulated by t_ms (rounded up per million ms).
  const int64_t drift_ms = (t_ms / 1'000'000 + 1) * std::abs(c.spec.drift_ppm);
  return std::abs(c.spec.skew_ms + c.clock_jump_ms) + drift_ms;
}

void World::ReportExpiryDecision(size_t index, int64_t t_ms, int64_t expires_at_ms,
                                 int64_t local_now_ms, int64_t leeway_ms, bool decided_expiring) {
  CREDSIM_ASSERT(index < consumers_.size() && t_ms <= now_ms() && leeway_ms >= 0);
  const Consumer& c = *consumers_[index];
  ExpiryDecision d{.t_ms = t_ms,
                   .consumer = c.spec.name,
                   .expires_at_ms = expires_at_ms,
                   .local_now_ms = local_now_ms,
                   .true_now_ms = kEpochMs + t_ms,
                   .leeway_ms = leeway_ms,
                   .skew_bound_ms = ClockErrorBoundMs(c, t_ms),
                   .decided_expiring = decided_expiring};
  // The world's own promise: a consumer's clock is never further off than its skew bound.
  CREDSIM_ASSERT(std::abs(d.local_now_ms - d.true_now_ms) <= d.skew_bound_ms);
  for (Oracle* o : oracles_) o->OnExpiryDecision(d);
}

bool World::HoldsLiveRefreshToken(const StoreState& state) const {
  return std::any_of(state.summary.refresh_tokens.begin(), state.summary.refresh_tokens.end(),
                     [&](const std::pair<uint32_t, uint32_t>& token) {
                       return token.first != 0 &&
                              authority_.IsLiveGeneration(token.first, token.second);
                     });
}

bool World::LivePairUnreadableFor(size_t index) const {
  const Consumer& c = *consumers_[index];
  return std::any_of(c.session.stores.begin(), c.session.stores.end(), [&](const auto& id) {
    const StoreState* s = store(Resolve(PathFor(id, Owner::Consumer(index))));
    return s && s->exists && !s->summary.readable && HoldsLiveRefreshToken(*s);
  });
}

bool World::UsableCredentialFor(size_t index) const {
  CREDSIM_ASSERT(index < consumers_.size(), "a consumer's index");
  const Consumer& c = *consumers_[index];
  return std::any_of(c.session.stores.begin(), c.session.stores.end(), [&](const auto& id) {
    const StoreState* s = store(Resolve(PathFor(id, Owner::Consumer(index))));
    if (!s || !s->summary.readable) return false;
    if (id.kind == engine::StoreKind::kClaudeKeychain && disturbances_.keychain_locked())
      return false;
    return HoldsLiveRefreshToken(*s);
  });
}

// --- consumers and scripted events -------------------------------------------------------------

void World::StartConsumer(size_t index) {
  Consumer& c = *consumers_[index];
  // Two deaths close together (a scripted restart and a kill during a refresh) each schedule a
  // restart; the second finds the process already running again and leaves it be. Starting it
  // twice would free the running engine under its own coroutine (found by the swarm property test
  // under AddressSanitizer).
  if (c.actor != kNoActor && scheduler_.alive(c.actor)) return;
  ++c.incarnation;
  c.io = std::make_unique<SimIo>(*this, Owner::Consumer(index), c.spec.skew_ms + c.clock_jump_ms,
                                 c.spec.drift_ppm);
  c.policy_io = MakePolicyIo(c.spec.policy, *c.io);
  c.engine = std::make_unique<engine::Engine>(c.policy_io ? *c.policy_io : *c.io, c.session);
  c.actor = scheduler_.Spawn(RunConsumer(*this, index), 0);
  trace_.Event(now_ms(), "consumer.start", c.spec.name)
      .Str("policy", c.spec.policy)
      .Int("incarnation", c.incarnation);
}

void World::KillConsumer(size_t index, const char* why) {
  Consumer& c = *consumers_[index];
  if (c.actor != kNoActor && scheduler_.alive(c.actor)) scheduler_.Kill(c.actor);
  c.actor = kNoActor;
  const Owner self = Owner::Consumer(index);
  for (auto& [key, l] : locks_) {
    std::erase_if(l.waiters, [&](LockWaiter* w) { return w->owner == self; });
    if (l.holder != self) continue;
    if (key.second == engine::LockId::kClaudeHome) {
      // The lock directory stays; its owner is now a dead process (not the restarted consumer).
      l.holder = Owner::DeadProcess(index);
      scheduler_.Spawn(StaleLockJanitor(key, *l.holder), 0);
    } else {
      ReleaseOne(l, self);
    }
  }
  trace_.Event(now_ms(), "consumer.killed", c.spec.name).Str("why", why);
  // Killed between the server's answer and the first store write (or with the pair pending in
  // memory only): the successor is gone with the process, exactly as if the answer had been lost
  // on the wire, and no client can avoid replaying its predecessor. Classified the same way.
  if (const auto g = std::exchange(c.last_granted, std::nullopt);
      g && authority_.IsLiveGeneration(g->family, g->issued) &&
      !AnyStoreHolds(g->family, g->issued) && lost_rotations_.size() < kMaxLostRotations) {
    lost_rotations_.insert({g->family, g->presented});
    trace_.Event(now_ms(), "refresh.lost_with_process", c.spec.name)
        .Str("rt", RefreshLabel(g->family, g->issued));
  }
}

bool World::LiveTokenAnywhere() const {
  for (const auto& [id, state] : stores_) {
    if (HoldsLiveRefreshToken(state)) return true;
  }
  for (const auto& c : consumers_) {
    const auto& g = c->last_granted;
    if (g && authority_.IsLiveGeneration(g->family, g->issued)) return true;
  }
  return false;
}

bool World::AnyStoreHolds(uint32_t family, uint32_t generation) const {
  for (const auto& [id, state] : stores_) {
    for (const auto& [f, gen] : state.summary.refresh_tokens) {
      if (f == family && gen == generation) return true;
    }
  }
  return false;
}

Task<void> World::Relogin(size_t index, std::optional<engine::StoreId> only_store) {
  // A user's login is its own short process: a fresh engine on its own Io writes the new family
  // into every store of that consumer's session, or only into `only_store` (a tool's own login).
  const Consumer& c = *consumers_[index];
  engine::SessionConfig session = c.session;
  if (only_store) {
    session.stores = {*only_store};
    session.rescue_store.reset();
  }
  oauth::TokenReply login = authority_.Login({.client_id = c.session.client_id}, server_ms());
  trace_.Event(now_ms(), "user.relogin", c.spec.name)
      .Str("rt", LabelOf(login.tokens.refresh_token));
  if (helper_ios_.size() >= 256) co_return;
  helper_ios_.push_back(std::make_unique<SimIo>(*this, Owner::LoginHelper(index), 0, 0));
  helper_engines_.push_back(std::make_unique<engine::Engine>(*helper_ios_.back(), session));
  engine::Credential fresh;
  fresh.access_token = login.tokens.access_token;
  fresh.refresh_token = login.tokens.refresh_token;
  fresh.expires_at_ms = login.tokens.access_expires_ms;
  fresh.scopes = std::vector<std::string>{"user:inference", "user:profile"};
  fresh.subscription_type = "max";
  if (!login.tokens.id_token.empty()) fresh.id_token = login.tokens.id_token;
  engine::TokenResult r = co_await helper_engines_.back()->Login(std::move(fresh));
  trace_.Event(now_ms(), "user.relogin_written", c.spec.name)
      .Str("status", engine::TokenStatusName(r.status));
}

void World::Apply(const ScriptedEvent& e) {
  const std::optional<size_t> who = FindConsumer(e.consumer);
  switch (e.kind) {
    case EventKind::kRelogin:
      if (who) scheduler_.Spawn(Relogin(*who, e.store), 0);
      break;
    case EventKind::kRestart:
      if (who) {
        KillConsumer(*who, "restart");
        StartConsumer(*who);
      }
      break;
    case EventKind::kKillDuringRefresh:
      if (who) consumers_[*who]->kill_at_next_refresh = true;
      break;
    case EventKind::kKeychainLock:
    case EventKind::kKeychainUnlock:
      disturbances_.set_keychain_locked(e.kind == EventKind::kKeychainLock);
      break;
    case EventKind::kTearStore:
      CREDSIM_ASSERT(e.store.has_value(), "the scenario parser requires a store");
      if (auto it = stores_.find(Resolve({e.home, *e.store}));
          it != stores_.end() && it->second.exists) {
        it->second.bytes.resize(it->second.bytes.size() / 2);
        Summarize(it->first, it->second);
      }
      break;
    case EventKind::kReplaceSymlink:
      CREDSIM_ASSERT(e.store.has_value(), "the scenario parser requires a store");
      ReplaceSymlink(StorePath{e.home, *e.store});
      break;
    case EventKind::kServerDown:
    case EventKind::kServerUp:
      disturbances_.set_server_down(e.kind == EventKind::kServerDown);
      break;
    case EventKind::kDiskFull:
    case EventKind::kDiskOk:
      CREDSIM_ASSERT(e.store.has_value(), "the scenario parser requires a store");
      disturbances_.set_disk_full(Resolve({e.home, *e.store}), e.kind == EventKind::kDiskFull);
      break;
    case EventKind::kRateLimitNext:
      disturbances_.RateLimitNextRequest();
      break;
    case EventKind::kLoseNextResponse:
      if (who) consumers_[*who]->lose_next_response = true;
      if (!who) disturbances_.LoseNextAnswer();
      break;
    case EventKind::kFailAfterGrant:
      if (who) consumers_[*who]->fail_after_grant = true;
      break;
    case EventKind::kServerClockJump:
      disturbances_.JumpServerClock(e.by_ms);
      break;
    case EventKind::kClockJump:
      if (who) {
        consumers_[*who]->clock_jump_ms += e.by_ms;
        consumers_[*who]->io->JumpClock(e.by_ms);
      }
      break;
    case EventKind::kApiRejectStart:
    case EventKind::kApiRejectEnd:
      disturbances_.set_api_rejecting(e.kind == EventKind::kApiRejectStart);
      break;
  }
  trace_.Event(now_ms(), "script.event", e.consumer)
      .Str("do", EventKindName(e.kind))
      .Int("by_ms", e.by_ms);
}

void World::ReplaceSymlink(const StorePath& path) {
  auto it = stores_.find(path);
  if (it == stores_.end() || !it->second.symlink) return;
  StoreState& link = it->second;
  if (link.link_home) {
    // The new private file starts as a copy of what the link showed: the same pair, two files.
    const StoreState* target = store(StorePath{*link.link_home, path.id});
    link.link_home.reset();
    if (target) {
      link.bytes = target->bytes;
      link.exists = target->exists;
    }
  }
  link.symlink = false;
  Summarize(path, link);
  trace_.Event(now_ms(), "store.symlink_replaced", "").Str("store", path.Name());
}

Task<void> World::Script() {
  std::vector<ScriptedEvent> events = config_.events;
  std::stable_sort(
      events.begin(), events.end(),
      [](const ScriptedEvent& a, const ScriptedEvent& b) { return a.at_ms < b.at_ms; });
  for (const ScriptedEvent& e : events) {
    if (e.at_ms > now_ms()) co_await scheduler_.Delay(e.at_ms - now_ms());
    Apply(e);
  }
}

RunSummary World::Run() {
  Seed();
  for (size_t i = 0; i < config_.consumers.size(); ++i) {
    auto c = std::make_unique<Consumer>();
    c->spec = config_.consumers[i];
    c->index = i;
    c->reference = IsJudgedPolicy(c->spec.policy);
    c->lock = c->spec.lock.value_or(c->reference ? LockTopology::kFile : LockTopology::kHome);
    c->session = SessionFor(config_.provider, c->spec);
    if (!c->spec.stores.empty()) c->session.stores = c->spec.stores;  // a tool that knows fewer
    consumers_.push_back(std::move(c));
  }
  trace_.Event(0, "world.start", "")
      .Int("seed", static_cast<int64_t>(config_.seed))
      .Int("consumers", static_cast<int64_t>(consumers_.size()))
      .Int("duration_ms", config_.duration_ms);
  for (size_t i = 0; i < consumers_.size(); ++i) StartConsumer(i);
  if (!config_.events.empty()) scheduler_.Spawn(Script(), 0);
  scheduler_.RunUntil(config_.duration_ms);
  for (Oracle* o : oracles_) o->Finish(config_.duration_ms);
  trace_.Event(scheduler_.now_ms(), "world.end", "")
      .Int("events", static_cast<int64_t>(scheduler_.events_run()));
  summary_.end_ms = scheduler_.now_ms();
  summary_.events = scheduler_.events_run();
  summary_.queue_peak = scheduler_.queue_peak();
  summary_.limit_hit = scheduler_.limit_hit();
  summary_.trace_lines = trace_.lines();
  summary_.trace_hash = trace_.hash();
  return summary_;
}

}  // namespace credsim::sim
