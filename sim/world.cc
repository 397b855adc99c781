#include "sim/world.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "base/assert.h"
#include "base/replace_all.h"
#include "engine/formats/json_tree.h"
#include "sim/labels.h"
#include "sim/policies/registry.h"
#include "sim/probes.h"
#include "sim/sim_io.h"
#include "sim/store_docs.h"

namespace credsim::sim {
namespace {

// The fuzz target's raw store bytes with the placeholders for the live pair filled in.
std::string WithTokens(std::string bytes, const std::string& access, const std::string& refresh) {
  base::ReplaceAll(&bytes, "@AT@", access);
  base::ReplaceAll(&bytes, "@RT@", refresh);
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

}  // namespace

World::World(WorldConfig config, ChoiceSource& choices, Trace& trace)
    : config_(std::move(config)),
      choices_(choices),
      trace_(trace),
      scheduler_(choices, SchedulerLimits{.max_events = config_.max_events}, config_.shuffle_ties),
      authority_(AuthorityConfigFor(config_), config_.seed),
      faults_(config_.faults, config_.faults_until_ms, choices) {
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
