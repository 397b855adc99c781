// The world's stores: reads, compare-and-swap writes, in-place and atomic replacements, and what
// each write tells the oracles (sim/world.h).
#include <algorithm>
#include <cstdlib>
#include <utility>

#include "base/assert.h"
#include "engine/formats/json_tree.h"
#include "sim/labels.h"
#include "sim/probes.h"
#include "sim/world.h"

namespace credsim::sim {

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
  } else if (faults_.WriteFails(now_ms())) {
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

}  // namespace credsim::sim
