// The reference engine on an openai-codex session: ~/.codex/auth.json plus an agent's providers
// block and credential pool (hermes #19611, the `auth add` report, openai/codex #6498).
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/formats/agent_auth.h"
#include "engine/formats/codex_auth.h"
#include "engine/testing/mem_io.h"
#include "engine/testing/store_docs.h"

namespace credsim::engine {
namespace {

using testing::kHourMs;
using testing::kNowMs;

const StoreId kCodex{StoreKind::kCodexAuth, ""};
const StoreId kAgent{StoreKind::kAgentAuth, ""};

std::string Base64Url(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint8_t(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    for (int s = 18; s >= 6; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  return out;
}

// An unsigned JWT access token "generation N" expiring at exp_ms, of ChatGPT account `account`.
std::string Jwt(int generation, int64_t exp_ms, const std::string& account = "acc-1") {
  return Base64Url(R"({"alg":"none"})") + "." +
         Base64Url(R"({"exp":)" + std::to_string(exp_ms / 1000) + R"(,"gen":)" +
                   std::to_string(generation) + R"(,"https://api.openai.com/auth":)" +
                   R"({"chatgpt_account_id":")" + account + R"("}})") +
         ".sig";
}

std::string CodexDoc(int generation, int64_t exp_ms) {
  return R"({"auth_mode": "chatgpt", "OPENAI_API_KEY": null, "tokens": {"id_token": "idt",
  "access_token": ")" +
         Jwt(generation, exp_ms) + R"(", "refresh_token": "rt-)" + std::to_string(generation) +
         R"(", "account_id": "acc-1"},
  "last_refresh": "2026-09-20T00:00:00Z", "extra_top_level": [1, 2]})";
}

class CodexEngineTest : public ::testing::Test {
 protected:
  CodexEngineTest() {
    io.SetEndpoint([this](const HttpRequest& request) {
      EXPECT_NE(request.body.find("\"refresh_reason\""), std::string::npos);
      const std::string live = "rt-" + std::to_string(live_);
      if (request.body.find("\"" + live + "\"") == std::string::npos) {
        return testing::JsonResponse(401, R"({"error":{"code":"refresh_token_reused",
          "message":"Your refresh token has already been used"}})");
      }
      ++live_;
      ++grants_;
      return testing::JsonResponse(200, R"({"access_token":")" + Jwt(live_, kNowMs + 10 * kHourMs) +
                                            R"(","refresh_token":"rt-)" + std::to_string(live_) +
                                            R"(","id_token":"idt2"})");
    });
  }
  static SessionConfig Codex() {
    SessionConfig config = DefaultSession(Provider::kOpenAiCodex, "");
    config.token_url = "http://authority.test/oauth/token";
    return config;
  }
  formats::AgentAuth Agent() { return formats::ParseAgentAuth(io.Get(kAgent)).value(); }
  formats::CodexAuth CodexFile() { return formats::ParseCodexAuth(io.Get(kCodex)).value(); }

  testing::MemIo io;
  int live_ = 1;
  int grants_ = 0;
};

// `auth add` wrote only the pool while the runtime read the providers block ("missing
// access_token"). A login through the engine writes both, and the Codex file.
TEST_F(CodexEngineTest, LoginPopulatesProvidersBlockPoolAndCodexFile) {
  io.Put(kAgent, R"({"version": 1, "active_provider": "openai-codex"})");
  Engine engine(io, Codex());
  Credential fresh{.access_token = Jwt(5, kNowMs + 10 * kHourMs),
                   .refresh_token = "rt-5",
                   .expires_at_ms = kNowMs + 10 * kHourMs,
                   .id_token = "idt"};
  const TokenResult r = RunToCompletion(engine.Login(fresh));
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  const auto agent = Agent();
  ASSERT_TRUE(agent.providers.count("openai-codex"));
  EXPECT_EQ(agent.providers.at("openai-codex").tokens->refresh_token, "rt-5");
  ASSERT_EQ(agent.pool.at("openai-codex").size(), 1u);
  EXPECT_EQ(agent.pool.at("openai-codex")[0].refresh_token, "rt-5");
  EXPECT_EQ(CodexFile().tokens->refresh_token, "rt-5");
  EXPECT_NE(io.Get(kAgent).find("\"active_provider\""), std::string::npos);
}

// hermes #19611: the providers block was rotated but the pool was not. Resolve from the fresher.
TEST_F(CodexEngineTest, ResolvesFromTheFresherOfProvidersBlockAndPool) {
  io.Put(kAgent, R"({"providers": {"openai-codex": {"tokens": {"access_token": ")" +
                     Jwt(2, kNowMs + 9 * kHourMs) + R"(", "refresh_token": "rt-2"}}},
    "credential_pool": {"openai-codex": [{"id": "p1", "auth_type": "oauth",
      "access_token": ")" +
                     Jwt(1, kNowMs - kHourMs) + R"(", "refresh_token": "rt-1",
      "last_status": "exhausted", "last_error_reset_at": 1790086400}]}})");
  live_ = 2;
  Engine engine(io, Codex());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.refresh_token, "rt-2");
  EXPECT_EQ(grants_, 0);
  const auto agent = Agent();
  EXPECT_EQ(agent.pool.at("openai-codex")[0].refresh_token, "rt-2") << "pool repaired";
  EXPECT_EQ(agent.pool.at("openai-codex")[0].last_status, formats::PoolStatus::kOk);
}

// openai/codex #6498: another instance rotated; our copy is stale. The reuse error leads to a
// re-read that finds the rotated pair, instead of "refresh token was already used".
TEST_F(CodexEngineTest, ReuseErrorRecoversFromTheRotatedCopy) {
  io.Put(kCodex, CodexDoc(1, kNowMs - kHourMs));
  live_ = 1;
  io.SetEndpoint([this, inner = std::function<HttpResult(const HttpRequest&)>()](
                     const HttpRequest& request) mutable {
    // Another Codex process wins the race: it rotates rt-1 and saves rt-2 just before us.
    if (live_ == 1) {
      live_ = 2;
      io.Put(kCodex, CodexDoc(2, kNowMs + 10 * kHourMs));
    }
    const std::string live = "rt-" + std::to_string(live_);
    if (request.body.find("\"" + live + "\"") == std::string::npos) {
      return testing::JsonResponse(401, R"({"error":{"code":"refresh_token_reused"}})");
    }
    return testing::JsonResponse(500, "unexpected");
  });
  Engine engine(io, Codex());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_TRUE(r.adopted);
  EXPECT_EQ(r.credential.refresh_token, "rt-2");
  EXPECT_EQ(io.token_requests(), 1);
}

TEST_F(CodexEngineTest, RefreshKeepsIdTokenAccountAndUnknownFields) {
  io.Put(kCodex, CodexDoc(1, kNowMs - kHourMs));
  Engine engine(io, Codex());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.expires_at_ms / 1000, (kNowMs + 10 * kHourMs) / 1000) << "from JWT exp";
  const auto codex = CodexFile();
  EXPECT_EQ(codex.tokens->refresh_token, "rt-2");
  EXPECT_EQ(codex.tokens->id_token, "idt2");
  EXPECT_EQ(codex.tokens->account_id, "acc-1");
  EXPECT_NE(io.Get(kCodex).find("extra_top_level"), std::string::npos);
}

// A multi-account pool: the other account's entry is neither used nor overwritten.
TEST_F(CodexEngineTest, AnotherAccountsPoolEntryIsNeverTouched) {
  io.Put(kCodex, CodexDoc(1, kNowMs - kHourMs));
  const std::string other_at = Jwt(50, kNowMs + 20 * kHourMs, "acc-OTHER");
  io.Put(kAgent, R"({"credential_pool": {"openai-codex": [
      {"id": "mine", "auth_type": "oauth", "access_token": ")" +
                     Jwt(1, kNowMs - kHourMs) +
                     R"(", "refresh_token": "rt-1"},
      {"id": "other", "auth_type": "oauth", "access_token": ")" +
                     other_at + R"(", "refresh_token": "rt-other"}]}})");
  Engine engine(io, Codex());
  const TokenResult r = RunToCompletion(engine.GetToken());
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.detail;
  EXPECT_EQ(r.credential.refresh_token, "rt-2") << "refreshed our account, not served theirs";
  const auto pool = Agent().pool.at("openai-codex");
  EXPECT_EQ(pool[0].refresh_token, "rt-2");
  EXPECT_EQ(pool[1].refresh_token, "rt-other");
  EXPECT_EQ(pool[1].access_token, other_at);
  EXPECT_EQ(CodexFile().tokens->refresh_token, "rt-2");
}

// An opaque access token with no recorded expiry is served as is, and replaced after a 401.
TEST_F(CodexEngineTest, UnknownExpiryIsServedAndReplacedAfterA401) {
  io.Put(kAgent, R"({"providers": {"openai-codex": {"tokens": {"access_token": "opaque-at",
      "refresh_token": "rt-1", "account_id": "acc-1"}}}})");
  Engine engine(io, Codex());
  const TokenResult served = RunToCompletion(engine.GetToken());
  ASSERT_EQ(served.status, TokenStatus::kOk) << served.detail;
  EXPECT_EQ(served.credential.access_token, "opaque-at");
  EXPECT_EQ(grants_, 0);
  const TokenResult after = RunToCompletion(engine.OnUnauthorized("opaque-at"));
  ASSERT_EQ(after.status, TokenStatus::kOk) << after.detail;
  EXPECT_EQ(after.credential.refresh_token, "rt-2");
  EXPECT_EQ(grants_, 1);
}

}  // namespace
}  // namespace credsim::engine
