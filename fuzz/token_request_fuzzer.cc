// The fake server's token endpoint without sockets: arbitrary bytes through the request decoder
// (JSON or form, chosen by the first byte) into an authority holding one live family. The literal
// "@RT@" in the body stands for the family's live refresh token and "@OLD@" for its spent one, so
// most inputs reach rotation, reuse and grace logic instead of dying as unknown tokens.
// Invariants after each input: a refused token never rotates the family; a family has at most one
// live generation; presenting the same request twice grants at most once under the reject policy.
// Round trip: a decoded refresh request, encoded again by the engine's own client (JSON or form,
// as the body came) and decoded again, names the same grant, refresh token and client.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/replace_all.h"
#include "engine/token_client.h"
#include "fake_oauth_server/authority.h"
#include "fake_oauth_server/request_decode.h"
#include "fuzz/fuzz_check.h"

using namespace credsim::oauth;

namespace {

constexpr int64_t kT0 = 1'790'000'000'000;

void CheckRoundTrip(const DecodedTokenRequest& decoded, bool openai, bool form) {
  const TokenRequest& r = decoded.request;
  if (r.grant_type != GrantType::kRefreshToken || r.refresh_token.empty()) return;
  credsim::engine::SessionConfig session;
  session.provider =
      openai ? credsim::engine::Provider::kOpenAiCodex : credsim::engine::Provider::kAnthropic;
  session.client_id = r.client_id;
  session.body_format =
      form ? credsim::engine::BodyFormat::kForm : credsim::engine::BodyFormat::kJson;
  credsim::engine::Credential current;
  current.refresh_token = r.refresh_token;
  const credsim::engine::HttpRequest again = credsim::engine::BuildRefreshRequest(session, current);
  const DecodedTokenRequest back = DecodeTokenRequest(again.content_type, again.body);
  CREDSIM_FUZZ_CHECK(back.ok, "the engine's encoding of a decoded request decodes");
  CREDSIM_FUZZ_CHECK(back.request.grant_type == GrantType::kRefreshToken &&
                         back.request.refresh_token == r.refresh_token &&
                         back.request.client_id == r.client_id,
                     "decode -> the engine's encoding -> decode names the same request");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 8192) return 0;
  AuthorityConfig config;
  config.provider = (data[0] & 1) ? Provider::kOpenAi : Provider::kAnthropic;
  TokenAuthority authority(config, /*seed=*/7);
  const TokenReply login = authority.Login({.client_id = "fuzz"}, kT0);
  CREDSIM_FUZZ_CHECK(login.ok(), "login");
  TokenRequest first;
  first.grant_type = GrantType::kRefreshToken;
  first.refresh_token = login.tokens.refresh_token;
  first.client_id = "fuzz";
  first.seen_commit_seq = authority.commit_seq();
  const TokenReply rotated = authority.Handle(first, kT0 + 1000);
  CREDSIM_FUZZ_CHECK(rotated.ok(), "first rotation");

  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  credsim::base::ReplaceAll(&body, "@RT@", rotated.tokens.refresh_token);
  credsim::base::ReplaceAll(&body, "@OLD@", login.tokens.refresh_token);
  const std::string_view content_type =
      (data[0] & 2) ? "application/x-www-form-urlencoded" : "application/json";
  DecodedTokenRequest decoded = DecodeTokenRequest(content_type, body);
  if (!decoded.ok) {
    CREDSIM_FUZZ_CHECK(!decoded.error_description.empty(), "a refused body says why");
    return 0;
  }
  CheckRoundTrip(decoded, (data[0] & 1) != 0, (data[0] & 2) != 0);
  const uint32_t before = authority.Family(rotated.family_id).generation;
  decoded.request.seen_commit_seq = authority.commit_seq();
  const TokenReply a = authority.Handle(decoded.request, kT0 + 2000);
  const uint32_t after = authority.Family(rotated.family_id).generation;
  if (!a.ok()) {
    CREDSIM_FUZZ_CHECK(after == before || after == 0, "a refused request never rotates");
  }
  decoded.request.seen_commit_seq = authority.commit_seq();
  const TokenReply b = authority.Handle(decoded.request, kT0 + 3000);
  if (decoded.request.grant_type == GrantType::kRefreshToken) {
    CREDSIM_FUZZ_CHECK(!(a.ok() && b.ok()), "one refresh token is granted once (reject policy)");
  }
  const AuthorityState state = authority.State(4);
  CREDSIM_FUZZ_CHECK(state.live_families <= state.families_created, "family counts");
  return 0;
}
