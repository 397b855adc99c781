// The inputs of `credsim fuzz-store`: every built-in file is what its owner reads, each mutation
// does what its name says to the owner's reading (judged by the engine's decoders, which read each
// store with its owner's acceptance), and a case is reproduced from its seed.
#include "live/store_mutator.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "engine/store_codec.h"

namespace credsim::live {
namespace {

constexpr FuzzedStore kStores[] = {FuzzedStore::kClaude, FuzzedStore::kAgent, FuzzedStore::kCodex};

// An unsigned JWT with an exp claim (the engine reads Codex's expiry from the token itself).
constexpr const char* kJwt =
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJleHAiOjE3OTUwMDAwMDAsImh0dHBzOi8vYXBpLm9wZW5haS5jb20vYX"
    "V0aCI6eyJjaGF0Z3B0X2FjY291bnRfaWQiOiJhY2MtRVhBTVBMRSJ9fQ.sig";

LiveValues Live(FuzzedStore store) {
  LiveValues v;
  v.access_token = store == FuzzedStore::kCodex ? kJwt : "sk-ant-oat01-live-access-0001";
  v.refresh_token =
      store == FuzzedStore::kCodex ? "rt_live_refresh_0001" : "sk-ant-ort01-live-0001";
  v.id_token = kJwt;
  v.now_ms = 1'790'000'000'000;
  v.expires_at_ms = v.now_ms + 8 * 3600 * 1000;
  return v;
}

engine::StoreView Read(FuzzedStore store, const std::string& text) {
  engine::StoreRead read;
  read.status = engine::IoStatus::kOk;
  read.bytes = Instantiate(text, Live(store));
  return engine::DecodeStore(ProviderOf(store), StoreIdOf(store), read);
}

bool HoldsLivePair(FuzzedStore store, const engine::StoreView& view) {
  const LiveValues live = Live(store);
  for (const engine::Candidate& c : view.slots) {
    if (c.credential.access_token == live.access_token &&
        c.credential.refresh_token == live.refresh_token) {
      return true;
    }
  }
  return false;
}

TEST(StoreMutator, EveryBuiltInFileIsReadByItsOwnerWithTheLivePair) {
  for (FuzzedStore store : kStores) {
    for (const std::string& t : BuiltInTemplates(store)) {
      const engine::StoreView view = Read(store, t);
      ASSERT_TRUE(view.readable()) << FuzzedStoreName(store) << ": " << view.corrupt.value_or("");
      EXPECT_TRUE(HoldsLivePair(store, view)) << FuzzedStoreName(store);
    }
  }
}

// The shaping mutations leave a file its owner still reads with the live pair, except where the
// owner itself refuses the shape (stated per case); the last four leave one it refuses.
TEST(StoreMutator, EachMutationDoesWhatItsNameSays) {
  const std::set<std::pair<std::string, std::string>> owner_refuses = {
      {"claude", "expiry-dropped"},  // the engine requires expiresAt (docs/FUZZ_STORE.md)
      {"codex", "duplicate-keys"},   // serde refuses a duplicated field of Codex's structs
      {"codex", "huge-numbers"},     // and a number no f64 holds
  };
  for (FuzzedStore store : kStores) {
    const std::string name = FuzzedStoreName(store);
    for (const std::string& mutation : MutationNames(store)) {
      std::string text = BuiltInTemplates(store).front();
      if (!ApplyMutation(store, mutation, &text)) continue;  // e.g. no expiry field in Codex's file
      const engine::StoreView view = Read(store, text);
      const bool terminal = mutation == "bom" || mutation == "trailing-bytes" ||
                            mutation == "truncated" || mutation == "null-document";
      if (terminal || owner_refuses.count({name, mutation}) != 0) {
        EXPECT_FALSE(view.readable() && HoldsLivePair(store, view)) << name << " " << mutation;
      } else {
        ASSERT_TRUE(view.readable())
            << name << " " << mutation << ": " << view.corrupt.value_or("");
        EXPECT_TRUE(HoldsLivePair(store, view)) << name << " " << mutation;
      }
    }
  }
}

TEST(StoreMutator, ExpiredAndSecondsChangeTheExpiryTheOwnerReads) {
  const LiveValues live = Live(FuzzedStore::kClaude);
  std::string expired = BuiltInTemplates(FuzzedStore::kClaude).front();
  ASSERT_TRUE(ApplyMutation(FuzzedStore::kClaude, "expired", &expired));
  const engine::StoreView view = Read(FuzzedStore::kClaude, expired);
  ASSERT_TRUE(view.readable() && !view.slots.empty());
  EXPECT_LT(view.slots.front().credential.expires_at_ms, live.now_ms);
  EXPECT_NE(Instantiate(expired, live).find(std::to_string(live.now_ms - 3600 * 1000)),
            std::string::npos);
}

TEST(StoreMutator, SameSeedSameCaseAndSeedsDiffer) {
  const std::string t = BuiltInTemplates(FuzzedStore::kClaude).front();
  std::set<std::string> distinct;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    const MutatedInput a = Mutate(FuzzedStore::kClaude, t, seed);
    const MutatedInput b = Mutate(FuzzedStore::kClaude, t, seed);
    EXPECT_EQ(a.text, b.text);
    EXPECT_EQ(a.mutations, b.mutations);
    EXPECT_FALSE(a.mutations.empty());
    EXPECT_LE(a.mutations.size(), 4u);
    distinct.insert(a.text);
  }
  EXPECT_GT(distinct.size(), 30u);
}

TEST(StoreMutator, PlaceholdersTakeEveryTokenBackOut) {
  for (FuzzedStore store : kStores) {
    const std::string t = BuiltInTemplates(store).front();
    const LiveValues live = Live(store);
    const std::string text = Instantiate(t, live);
    EXPECT_EQ(text.find('@'), std::string::npos) << FuzzedStoreName(store);
    const std::string back = Placeholders(text, live);
    EXPECT_EQ(back.find(live.refresh_token), std::string::npos);
    EXPECT_EQ(back.find(live.access_token), std::string::npos);
    EXPECT_NE(back.find("@RT@"), std::string::npos);
  }
}

TEST(StoreMutator, NamesParse) {
  FuzzedStore s;
  EXPECT_TRUE(ParseFuzzedStore("codex", &s));
  EXPECT_EQ(s, FuzzedStore::kCodex);
  EXPECT_FALSE(ParseFuzzedStore("keychain", &s));
  std::string text = "{}";
  EXPECT_FALSE(ApplyMutation(FuzzedStore::kClaude, "no-such-mutation", &text));
  EXPECT_EQ(text, "{}");
}

}  // namespace
}  // namespace credsim::live
