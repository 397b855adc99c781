#include "fake_oauth_server/families.h"

#include <algorithm>

#include "base/assert.h"

namespace credsim::oauth {

std::string_view ToString(FamilyFate fate) {
  switch (fate) {
    case FamilyFate::kNever:
      return "never";
    case FamilyFate::kLive:
      return "live";
    case FamilyFate::kRevoked:
      return "revoked";
    case FamilyFate::kExpired:
      return "expired";
  }
  return "never";
}

FamilyStore::FamilyStore(uint32_t max_live, uint32_t max_total)
    : max_live_(max_live), max_total_(max_total) {
  CREDSIM_ASSERT(max_live_ > 0 && max_total_ >= max_live_);
}

TokenFamily* FamilyStore::Create(int64_t now_ms, int64_t lifetime_ms, std::string client_id,
                                 std::string scope) {
  if (live_.size() >= max_live_ || fate_.size() >= max_total_) return nullptr;
  const int64_t expires_ms = now_ms + lifetime_ms;
  CREDSIM_ASSERT(expires_ms >= last_expiry_ms_ &&
                 "expiry must be ordered by id for the reclaim cursor");
  last_expiry_ms_ = expires_ms;
  fate_.push_back(FamilyFate::kLive);
  const auto id = static_cast<uint32_t>(fate_.size());
  TokenFamily& f = live_[id];
  f.id = id;
  f.generation = 1;
  f.created_ms = now_ms;
  f.expires_ms = expires_ms;
  f.rotated_ms = now_ms;
  f.client_id = std::move(client_id);
  f.scope = std::move(scope);
  return &f;
}

TokenFamily* FamilyStore::Find(uint32_t id) {
  auto it = live_.find(id);
  return it == live_.end() ? nullptr : &it->second;
}

const TokenFamily* FamilyStore::Find(uint32_t id) const {
  auto it = live_.find(id);
  return it == live_.end() ? nullptr : &it->second;
}

FamilyFate FamilyStore::Fate(uint32_t id) const {
  if (id == 0 || id > fate_.size()) return FamilyFate::kNever;
  return fate_[id - 1];
}

bool FamilyStore::Revoke(uint32_t id) {
  if (Fate(id) != FamilyFate::kLive) return false;
  const size_t erased = live_.erase(id);
  CREDSIM_ASSERT(erased == 1);
  (void)erased;
  fate_[id - 1] = FamilyFate::kRevoked;
  ++revoked_total_;
  return true;
}

size_t FamilyStore::ReclaimExpired(int64_t now_ms, size_t budget) {
  size_t ended = 0;
  // Bounded twice: by `budget` families ended and by 4 * budget ids stepped over (revoked ones).
  for (size_t steps = 0; steps < 4 * budget && ended < budget; ++steps) {
    if (reclaim_cursor_ > fate_.size()) break;
    const uint32_t id = reclaim_cursor_;
    if (fate_[id - 1] == FamilyFate::kLive) {
      const TokenFamily* f = Find(id);
      CREDSIM_ASSERT(f != nullptr);
      if (f->expires_ms > now_ms) break;  // ordered by expiry: nothing later has expired either
      live_.erase(id);
      fate_[id - 1] = FamilyFate::kExpired;
      ++expired_total_;
      ++ended;
    }
    ++reclaim_cursor_;
  }
  return ended;
}

std::vector<const TokenFamily*> FamilyStore::List(size_t limit) const {
  std::vector<const TokenFamily*> out;
  out.reserve(std::min(limit, live_.size()));
  for (const auto& [id, f] : live_) out.push_back(&f);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->id < b->id; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace credsim::oauth
