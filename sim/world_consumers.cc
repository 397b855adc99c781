// The world's consumers and scripted events: start, kill and restart a process, re-login, and
// every event of a scenario's timeline (sim/world.h).
#include <algorithm>
#include <cstdlib>
#include <utility>

#include "base/assert.h"
#include "engine/formats/json_tree.h"
#include "sim/labels.h"
#include "sim/policies/registry.h"
#include "sim/probes.h"
#include "sim/sim_io.h"
#include "sim/world.h"

namespace credsim::sim {

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

}  // namespace credsim::sim
