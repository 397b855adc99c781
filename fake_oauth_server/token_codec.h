// Token text: how the authority turns (kind, family, generation, expiry) into the string a client
// stores, and back.
//
// Every token carries a sealed handle: base64url(MAC | masked(kind | family | generation |
// expiry_ms)), the MAC being HMAC-SHA-256 under the authority's 32-byte key, truncated to 128 bits,
// and the mask a keystream derived from the MAC (so the text reveals nothing to a client). Why: the
// authority can then tell a retired token of a live family from an unknown one without remembering
// every token it ever issued — one small record per family is enough, so memory stays bounded
// after millions of grants while reuse detection stays exact. Forging a handle needs the key (drawn
// from the injected seed in the simulator, from getrandom in the HTTP binary).
//
// Shapes (personality.h): anthropic "sk-ant-oat01-<handle>" / "sk-ant-ort01-<handle>"; openai
// access and id tokens are unsigned JWTs (header {"alg":"none"}) whose third segment is the handle,
// and refresh tokens are "rt_<handle>".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fake_oauth_server/personality.h"

namespace credsim::oauth {

using MasterKey = std::array<uint8_t, 32>;

enum class TokenKind : uint8_t { kAccess = 1, kRefresh = 2, kId = 3 };

struct TokenHandle {
  TokenKind kind = TokenKind::kAccess;
  uint32_t family_id = 0;
  uint32_t generation = 0;
  int64_t expires_ms = 0;
  bool operator==(const TokenHandle&) const = default;
};

// Claims that go into an openai-shaped JWT besides exp/iat.
struct JwtClaims {
  std::string_view client_id;
  std::string_view account_id;
  // Codex needs the user ids besides the account to recover from a 401 in the middle of a session
  // (docs/REAL_CLIENTS.md#fake-server-codex-needs-user-claims).
  std::string_view user_id;
  std::string_view plan_type;
  std::string_view email;
  int64_t issued_ms = 0;
};

std::string SealHandle(const TokenHandle& handle, const MasterKey& key);
std::optional<TokenHandle> OpenHandle(std::string_view sealed, const MasterKey& key);

std::string FormatToken(const Personality& personality, const TokenHandle& handle,
                        const MasterKey& key, const JwtClaims& claims);

// Accepts the shape of any personality; the prefix (or JWT form) must agree with the sealed kind.
std::optional<TokenHandle> ParseToken(std::string_view text, const MasterKey& key);

// "fam3/rt7", "fam3/at7", "fam3/id7": what logs show instead of token text.
std::string LabelOf(const TokenHandle& handle);

// Keyed derivation of other opaque strings (authorization codes, device codes): HMAC(key, purpose
// || counter), so they are unpredictable without the key and reproducible with the seed.
std::string DeriveOpaque(const MasterKey& key, std::string_view purpose, uint64_t counter,
                         size_t bytes);

}  // namespace credsim::oauth
