// Token families: one per login, one small record each.
//
// Memory: a live family is one record (~200 bytes); retired tokens are not stored at all, because
// every token carries its sealed (family, generation) (token_codec.h): a presented refresh token
// whose generation is below the family's current one is a retired token of that family, exactly,
// however many rotations ago it was retired. When a family ends (revoked, or past its absolute
// refresh lifetime) its record is erased and only its fate — one byte per family ever created —
// remains, so a late token of a reclaimed family is still told apart as "revoked" or "expired"
// rather than "unknown". Limits: max_live families at once, max_total families over the
// authority's life (the fate vector's size).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace credsim::oauth {

enum class FamilyFate : uint8_t { kNever, kLive, kRevoked, kExpired };
std::string_view ToString(FamilyFate fate);

struct TokenFamily {
  uint32_t id = 0;
  uint32_t generation = 0;  // the current (only valid) refresh token's generation; 1 at login
  int64_t created_ms = 0;
  int64_t expires_ms = 0;     // absolute refresh lifetime: created_ms + refresh TTL, never extended
  int64_t rotated_ms = 0;     // when the current generation was issued
  uint64_t rotated_seq = 0;   // the authority's commit sequence number of that issue
  uint32_t access_floor = 1;  // access tokens of a lower generation are revoked
  std::string client_id;
  std::string scope;          // issued at login; what a refresh that names no scope gets
  std::string granted_scope;  // what a refresh may ask for, at most (RFC 6749 §6); has `scope`
  std::string issued_scope;   // the current generation's scope if a refresh named one; else `scope`
};

class FamilyStore {
 public:
  FamilyStore(uint32_t max_live, uint32_t max_total);

  // nullptr when a limit is reached. `now_ms` must not be lower than at the previous Create, so
  // that expiry is ordered by id and reclaiming is a cursor walk.
  TokenFamily* Create(int64_t now_ms, int64_t lifetime_ms, std::string client_id,
                      std::string scope);
  TokenFamily* Find(uint32_t id);
  const TokenFamily* Find(uint32_t id) const;
  FamilyFate Fate(uint32_t id) const;
  bool Revoke(uint32_t id);  // false if not live

  // Ends families whose absolute lifetime has passed, oldest first, at most `budget` of them.
  size_t ReclaimExpired(int64_t now_ms, size_t budget);

  size_t live() const { return live_.size(); }
  uint32_t created() const { return static_cast<uint32_t>(fate_.size()); }
  uint64_t revoked_total() const { return revoked_total_; }
  uint64_t expired_total() const { return expired_total_; }
  // Live families in id order, at most `limit`.
  std::vector<const TokenFamily*> List(size_t limit) const;

 private:
  uint32_t max_live_;
  uint32_t max_total_;
  std::unordered_map<uint32_t, TokenFamily> live_;
  std::vector<FamilyFate> fate_;  // index id - 1
  uint32_t reclaim_cursor_ = 1;   // every id below it is no longer live
  int64_t last_expiry_ms_ = 0;
  uint64_t revoked_total_ = 0;
  uint64_t expired_total_ = 0;
};

}  // namespace credsim::oauth
