#include "fake_oauth_server/token_codec.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <system_error>

#include "base/assert.h"
#include "fake_oauth_server/base64url.h"
#include "fake_oauth_server/json_writer.h"
#include "fake_oauth_server/sha256.h"

namespace credsim::oauth {
namespace {

constexpr size_t kPayloadBytes = 1 + 4 + 4 + 8;
constexpr size_t kMacBytes = 16;
constexpr size_t kSealedBytes = kPayloadBytes + kMacBytes;
constexpr std::string_view kAccessPrefixAnthropic = "sk-ant-oat01-";
constexpr std::string_view kRefreshPrefixAnthropic = "sk-ant-ort01-";
constexpr std::string_view kRefreshPrefixOpenAi = "rt_";

std::string_view KeyView(const MasterKey& key) {
  return std::string_view(reinterpret_cast<const char*>(key.data()), key.size());
}

void PutLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

uint64_t GetLe(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(in[at + i])} << (8 * i);
  return v;
}

std::string JwtHeader() { return Base64UrlEncode(R"({"alg":"none","typ":"JWT"})"); }

std::string JwtPayload(const TokenHandle& h, const JwtClaims& c) {
  JsonWriter w;
  w.BeginObject();
  if (h.kind == TokenKind::kId) w.Field("email", c.email);
  w.Field("exp", h.expires_ms / 1000).Field("iat", c.issued_ms / 1000);
  w.Key("https://api.openai.com/auth")
      .BeginObject()
      .Field("chatgpt_account_id", c.account_id)
      .Field("chatgpt_plan_type", c.plan_type)
      .Field("chatgpt_user_id", c.user_id)
      .Field("user_id", c.user_id)
      .EndObject();
  if (h.kind == TokenKind::kAccess) w.Field("client_id", c.client_id);
  w.Field("iss", "https://auth.openai.com");
  w.EndObject();
  return Base64UrlEncode(w.str());
}

// Payload hidden by a keystream derived from the MAC (a deterministic, SIV-like construction):
// tokens look random and reveal neither family nor generation to a client, yet the same
// (kind, family, generation, expiry) always seals to the same text, which grace replay relies on.
std::array<uint8_t, 32> MaskFor(const MasterKey& key, std::string_view mac) {
  std::string msg = "mask:";
  msg.append(mac);
  return HmacSha256(KeyView(key), msg);
}

}  // namespace

std::string SealHandle(const TokenHandle& h, const MasterKey& key) {
  CREDSIM_ASSERT(h.family_id > 0 && h.generation > 0);
  std::string payload;
  payload.reserve(kPayloadBytes);
  payload += static_cast<char>(h.kind);
  PutLe(payload, h.family_id, 4);
  PutLe(payload, h.generation, 4);
  PutLe(payload, static_cast<uint64_t>(h.expires_ms), 8);
  CREDSIM_ASSERT(payload.size() == kPayloadBytes);
  const Sha256Digest full_mac = HmacSha256(KeyView(key), payload);
  std::string sealed(reinterpret_cast<const char*>(full_mac.data()), kMacBytes);
  const std::array<uint8_t, 32> mask = MaskFor(key, sealed);
  for (size_t i = 0; i < kPayloadBytes; ++i) {
    sealed += static_cast<char>(static_cast<uint8_t>(payload[i]) ^ mask[i]);
  }
  CREDSIM_ASSERT(sealed.size() == kSealedBytes);
  return Base64UrlEncode(sealed);
}

std::optional<TokenHandle> OpenHandle(std::string_view text, const MasterKey& key) {
  if (text.size() != (kSealedBytes * 4 + 2) / 3) return std::nullopt;
  const std::optional<std::string> raw = Base64UrlDecode(text);
  if (!raw || raw->size() != kSealedBytes) return std::nullopt;
  const std::string_view mac = std::string_view(*raw).substr(0, kMacBytes);
  const std::array<uint8_t, 32> mask = MaskFor(key, mac);
  std::string payload(kPayloadBytes, '\0');
  for (size_t i = 0; i < kPayloadBytes; ++i) {
    payload[i] = static_cast<char>(static_cast<uint8_t>((*raw)[kMacBytes + i]) ^ mask[i]);
  }
  const Sha256Digest expected = HmacSha256(KeyView(key), payload);
  unsigned diff = 0;  // constant time: the comparison must not tell an attacker how much matched
  for (size_t i = 0; i < kMacBytes; ++i) {
    diff |= static_cast<unsigned>(expected[i] ^ static_cast<uint8_t>(mac[i]));
  }
  if (diff != 0) return std::nullopt;
  TokenHandle h;
  const uint8_t kind = static_cast<uint8_t>(payload[0]);
  if (kind < 1 || kind > 3) return std::nullopt;
  h.kind = static_cast<TokenKind>(kind);
  h.family_id = static_cast<uint32_t>(GetLe(payload, 1, 4));
  h.generation = static_cast<uint32_t>(GetLe(payload, 5, 4));
  h.expires_ms = static_cast<int64_t>(GetLe(payload, 9, 8));
  if (h.family_id == 0 || h.generation == 0) return std::nullopt;
  return h;
}

std::string FormatToken(const Personality& p, const TokenHandle& h, const MasterKey& key,
                        const JwtClaims& claims) {
  const std::string sealed = SealHandle(h, key);
  if (h.kind == TokenKind::kRefresh) return std::string(p.refresh_prefix) + sealed;
  if (p.jwt_tokens) return JwtHeader() + "." + JwtPayload(h, claims) + "." + sealed;
  CREDSIM_ASSERT(h.kind == TokenKind::kAccess, "id tokens exist only for JWT personalities");
  return std::string(p.access_prefix) + sealed;
}

std::optional<TokenHandle> ParseToken(std::string_view text, const MasterKey& key) {
  if (text.size() > 4096) return std::nullopt;
  std::optional<TokenHandle> h;
  std::optional<TokenKind> expected;
  if (text.starts_with(kAccessPrefixAnthropic)) {
    h = OpenHandle(text.substr(kAccessPrefixAnthropic.size()), key);
    expected = TokenKind::kAccess;
  } else if (text.starts_with(kRefreshPrefixAnthropic)) {
    h = OpenHandle(text.substr(kRefreshPrefixAnthropic.size()), key);
    expected = TokenKind::kRefresh;
  } else if (text.starts_with(kRefreshPrefixOpenAi)) {
    h = OpenHandle(text.substr(kRefreshPrefixOpenAi.size()), key);
    expected = TokenKind::kRefresh;
  } else {
    const size_t first = text.find('.');
    const size_t last = text.rfind('.');
    if (first == std::string_view::npos || first == last) return std::nullopt;
    h = OpenHandle(text.substr(last + 1), key);
    if (h && h->kind == TokenKind::kRefresh) return std::nullopt;
    return h;
  }
  if (!h || h->kind != *expected) return std::nullopt;
  return h;
}

std::string LabelOf(const TokenHandle& h) {
  // Formatted into a stack buffer: labels are made on every access check the simulator does.
  char text[3 + 10 + 3 + 10];  // "fam" UINT32 "/at" UINT32
  char* end = text + sizeof text;
  char* p = std::copy_n("fam", 3, text);
  // Ten digits always fit; the checks keep every write provably inside the buffer (g++ 12 at -O1
  // cannot see that to_chars never fails here and warns about the next copy).
  const std::to_chars_result family = std::to_chars(p, end - 3, h.family_id);
  if (family.ec != std::errc()) return "fam?";
  p = std::copy_n(h.kind == TokenKind::kAccess    ? "/at"
                  : h.kind == TokenKind::kRefresh ? "/rt"
                                                  : "/id",
                  3, family.ptr);
  const std::to_chars_result generation = std::to_chars(p, end, h.generation);
  if (generation.ec != std::errc()) return "fam?";
  return std::string(text, generation.ptr);
}

std::string DeriveOpaque(const MasterKey& key, std::string_view purpose, uint64_t counter,
                         size_t bytes) {
  CREDSIM_ASSERT(bytes > 0 && bytes <= 32);
  std::string msg(purpose);
  msg += '\0';
  PutLe(msg, counter, 8);
  const Sha256Digest mac = HmacSha256(KeyView(key), msg);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), bytes));
}

}  // namespace credsim::oauth
