// Differential: two independent readings of the same store bytes must agree on what they both
// extract. One is the engine's decoder (engine/store_codec.h: each store read with its owner's
// acceptance, typed); the other is the world's own reader (sim/store_truth.h: format-blind,
// simdjson's DOM, every string asked of the token authority), which every oracle of the simulator
// judges by. If they disagree, an oracle can call a store "holding the live token" that the engine
// cannot see, or miss one it uses, and a verdict would hide an outage.
//
// The first byte picks the store (Claude file, keychain item, agent auth.json, Codex auth.json);
// in the rest "@AT@", "@RT@" and "@OLD@" become the authority's live access token, live refresh
// token and retired refresh token, so inputs hold real sealed tokens in any shape. Invariants:
//  - every refresh token of the authority that the engine extracts, the world's reader lists too
//    (same family and generation), and the freshest it names is at least as fresh;
//  - the engine's parse errors and unit notes never quote token text (labels only, always).
#include <cstdint>
#include <string>
#include <string_view>

#include "base/replace_all.h"
#include "engine/store_codec.h"
#include "fake_oauth_server/authority.h"
#include "fuzz/fuzz_check.h"
#include "sim/store_truth.h"

using namespace credsim;

namespace {

constexpr int64_t kT0 = 1'790'000'000'000;

struct Fuzzed {
  engine::StoreId id;
  engine::Provider provider;
  oauth::Provider personality;
};

const Fuzzed kStores[] = {
    {{engine::StoreKind::kClaudeFile, ""},
     engine::Provider::kAnthropic,
     oauth::Provider::kAnthropic},
    {{engine::StoreKind::kClaudeKeychain, ""},
     engine::Provider::kAnthropic,
     oauth::Provider::kAnthropic},
    {{engine::StoreKind::kAgentAuth, ""},
     engine::Provider::kAnthropic,
     oauth::Provider::kAnthropic},
    {{engine::StoreKind::kCodexAuth, ""}, engine::Provider::kOpenAiCodex, oauth::Provider::kOpenAi},
};

// An authority with one family rotated once: generation 1 retired, generation 2 live.
struct Session {
  explicit Session(oauth::Provider personality) : authority(Config(personality), /*seed=*/7) {
    const oauth::TokenReply login = authority.Login({.client_id = "fuzz"}, kT0);
    CREDSIM_FUZZ_CHECK(login.ok(), "login");
    oauth::TokenRequest refresh;
    refresh.grant_type = oauth::GrantType::kRefreshToken;
    refresh.refresh_token = login.tokens.refresh_token;
    refresh.client_id = "fuzz";
    refresh.seen_commit_seq = authority.commit_seq();
    const oauth::TokenReply rotated = authority.Handle(refresh, kT0 + 1000);
    CREDSIM_FUZZ_CHECK(rotated.ok(), "first rotation");
    retired_refresh = login.tokens.refresh_token;
    live = rotated.tokens;
  }
  static oauth::AuthorityConfig Config(oauth::Provider personality) {
    oauth::AuthorityConfig config;
    config.provider = personality;
    return config;
  }
  oauth::TokenAuthority authority;
  oauth::IssuedTokens live;
  std::string retired_refresh;
};

bool Listed(const sim::StoreTruth& truth, const oauth::TokenHandle& h) {
  for (const auto& [family, generation] : truth.refresh_tokens) {
    if (family == h.family_id && generation == h.generation) return true;
  }
  return false;
}

void CheckNoTokenText(const Session& s, std::string_view text) {
  for (const std::string* token :
       {&s.live.access_token, &s.live.refresh_token, &s.retired_refresh}) {
    CREDSIM_FUZZ_CHECK(text.find(*token) == std::string_view::npos,
                       "the engine's parse messages never quote token text");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 65536) return 0;
  const Fuzzed& store = kStores[data[0] % 4];
  static const Session anthropic(oauth::Provider::kAnthropic);
  static const Session openai(oauth::Provider::kOpenAi);
  const Session& s = store.personality == oauth::Provider::kOpenAi ? openai : anthropic;

  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  base::ReplaceAll(&bytes, "@AT@", s.live.access_token);
  base::ReplaceAll(&bytes, "@RT@", s.live.refresh_token);
  base::ReplaceAll(&bytes, "@OLD@", s.retired_refresh);

  engine::StoreRead read;
  read.status = engine::IoStatus::kOk;
  read.bytes = bytes;
  const engine::StoreView view = engine::DecodeStore(store.provider, store.id, read);
  const sim::StoreTruth truth =
      sim::ReadStoreTruth(store.id.kind, /*exists=*/true, bytes, s.authority);

  if (view.corrupt) CheckNoTokenText(s, *view.corrupt);
  for (const std::string& note : view.notes) CheckNoTokenText(s, note);
  const bool truth_saturated = truth.refresh_tokens.size() >= sim::kMaxTruthTokens;
  for (const engine::Candidate& c : view.slots) {
    const std::optional<oauth::TokenHandle> h = s.authority.Inspect(c.credential.refresh_token);
    if (!h || h->kind != oauth::TokenKind::kRefresh) continue;
    CREDSIM_FUZZ_CHECK(truth_saturated || Listed(truth, *h),
                       "the world's reader lists every refresh token the engine extracts");
    CREDSIM_FUZZ_CHECK(
        std::pair(truth.family, truth.generation) >= std::pair(h->family_id, h->generation),
        "the world's freshest refresh token is at least the engine's");
  }
  return 0;
}
