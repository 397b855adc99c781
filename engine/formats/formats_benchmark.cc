// Parse + validate of each store format on the sample files, next to nlohmann::json parsing the
// same bytes and extracting the same fields, in one binary and one run (so ratios are like for
// like). Run: build-release/bench/formats_benchmark (see docs/BENCHMARKS.md, "Store formats").
#include <benchmark/benchmark.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "engine/formats/agent_auth.h"
#include "engine/formats/claude_credentials.h"
#include "engine/formats/codex_auth.h"
#include "engine/formats/token_response.h"

namespace {

using namespace credsim::formats;

std::string Sample(const char* name) {
  std::ifstream in(std::string(CREDSIM_FORMATS_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const std::string& Claude() {
  static const std::string bytes = Sample("claude-credentials.json");
  return bytes;
}
const std::string& Agent() {
  static const std::string bytes = Sample("agent-auth.json");
  return bytes;
}
const std::string& Codex() {
  static const std::string bytes = Sample("codex-auth.json");
  return bytes;
}
const std::string& Grant() {
  static const std::string bytes = Sample("token-response-anthropic.json");
  return bytes;
}

void SetBytes(benchmark::State& state, const std::string& bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}

void BM_Claude_Credsim(benchmark::State& state) {
  for (auto _ : state) {
    Result<ClaudeCredentials> r = ParseClaudeCredentials(Claude());
    if (!r.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(r);
  }
  SetBytes(state, Claude());
}

// The same extraction with nlohmann::json: the typed fields Parse produces, type-checked.
void BM_Claude_Nlohmann(benchmark::State& state) {
  for (auto _ : state) {
    const nlohmann::json doc = nlohmann::json::parse(Claude(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) state.SkipWithError("parse failed");
    const nlohmann::json& o = doc.at("claudeAiOauth");
    ClaudeOauth oauth;
    oauth.access_token = o.at("accessToken").get<std::string>();
    oauth.refresh_token = o.at("refreshToken").get<std::string>();
    oauth.expires_at_ms = o.at("expiresAt").get<int64_t>();
    oauth.scopes = o.at("scopes").get<std::vector<std::string>>();
    oauth.subscription_type = o.at("subscriptionType").get<std::string>();
    oauth.rate_limit_tier = o.at("rateLimitTier").get<std::string>();
    oauth.refresh_token_expires_at_ms = o.at("refreshTokenExpiresAt").get<int64_t>();
    std::string original = Claude();
    benchmark::DoNotOptimize(oauth);
    benchmark::DoNotOptimize(original);
  }
  SetBytes(state, Claude());
}

void BM_Agent_Credsim(benchmark::State& state) {
  for (auto _ : state) {
    Result<AgentAuth> r = ParseAgentAuth(Agent());
    if (!r.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(r);
  }
  SetBytes(state, Agent());
}

std::optional<std::string> OptString(const nlohmann::json& o, const char* key) {
  const auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}
std::optional<int64_t> OptInt(const nlohmann::json& o, const char* key) {
  const auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  return it->get<int64_t>();
}

void BM_Agent_Nlohmann(benchmark::State& state) {
  for (auto _ : state) {
    const nlohmann::json doc = nlohmann::json::parse(Agent(), nullptr, false);
    if (doc.is_discarded()) state.SkipWithError("parse failed");
    AgentAuth auth;
    auth.version = OptInt(doc, "version");
    for (const auto& [name, p] : doc.at("providers").items()) {
      ProviderBlock& block = auth.providers[name];
      const nlohmann::json& t = p.at("tokens");
      block.tokens = ProviderTokens{OptString(t, "access_token"), OptString(t, "refresh_token"),
                                    OptString(t, "id_token"), OptString(t, "account_id")};
      block.last_refresh = OptString(p, "last_refresh");
      block.auth_mode = OptString(p, "auth_mode");
      const nlohmann::json& e = p.at("last_auth_error");
      block.last_auth_error =
          AuthErrorRecord{OptString(e, "code"), OptString(e, "message"), OptString(e, "reason"),
                          e.at("relogin_required").get<bool>(), OptString(e, "at")};
    }
    for (const auto& [name, entries] : doc.at("credential_pool").items()) {
      std::vector<PoolEntry>& pool = auth.pool[name];
      for (const nlohmann::json& e : entries) {
        PoolEntry entry;
        entry.id = e.at("id").get<std::string>();
        entry.label = OptString(e, "label");
        entry.auth_type = OptString(e, "auth_type");
        entry.priority = OptInt(e, "priority");
        entry.source = OptString(e, "source");
        entry.access_token = OptString(e, "access_token");
        entry.refresh_token = OptString(e, "refresh_token");
        entry.expires_at_ms = OptInt(e, "expires_at_ms");
        entry.last_refresh = OptString(e, "last_refresh");
        const std::optional<std::string> status = OptString(e, "last_status");
        entry.last_status = !status           ? PoolStatus::kUnset
                            : *status == "ok" ? PoolStatus::kOk
                                              : PoolStatus::kExhausted;
        entry.last_status_at_s = OptInt(e, "last_status_at");
        entry.last_error_code = OptInt(e, "last_error_code");
        entry.last_error_reason = OptString(e, "last_error_reason");
        entry.last_error_message = OptString(e, "last_error_message");
        entry.last_error_reset_at_s = OptInt(e, "last_error_reset_at");
        entry.secret_fingerprint = OptString(e, "secret_fingerprint");
        entry.scope = OptString(e, "scope");
        pool.push_back(std::move(entry));
      }
    }
    auth.original = Agent();
    benchmark::DoNotOptimize(auth);
  }
  SetBytes(state, Agent());
}

void BM_Codex_Credsim(benchmark::State& state) {
  for (auto _ : state) {
    Result<CodexAuth> r = ParseCodexAuth(Codex());
    if (!r.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(r);
  }
  SetBytes(state, Codex());
}

void BM_Codex_Nlohmann(benchmark::State& state) {
  for (auto _ : state) {
    const nlohmann::json doc = nlohmann::json::parse(Codex(), nullptr, false);
    if (doc.is_discarded()) state.SkipWithError("parse failed");
    CodexAuth auth;
    auth.auth_mode = OptString(doc, "auth_mode");
    auth.openai_api_key = OptString(doc, "OPENAI_API_KEY");
    const nlohmann::json& t = doc.at("tokens");
    auth.tokens = CodexTokens{OptString(t, "id_token"), OptString(t, "access_token"),
                              OptString(t, "refresh_token"), OptString(t, "account_id")};
    auth.last_refresh = OptString(doc, "last_refresh");
    auth.original = Codex();
    benchmark::DoNotOptimize(auth);
  }
  SetBytes(state, Codex());
}

void BM_Grant_Credsim(benchmark::State& state) {
  for (auto _ : state) {
    Result<TokenResponse> r = ParseTokenResponse(200, Grant());
    if (!r.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(r);
  }
  SetBytes(state, Grant());
}

void BM_Grant_Nlohmann(benchmark::State& state) {
  for (auto _ : state) {
    const nlohmann::json doc = nlohmann::json::parse(Grant(), nullptr, false);
    if (doc.is_discarded()) state.SkipWithError("parse failed");
    TokenGrant grant;
    grant.access_token = doc.at("access_token").get<std::string>();
    grant.refresh_token = OptString(doc, "refresh_token");
    grant.expires_in_s = OptInt(doc, "expires_in");
    grant.scope = OptString(doc, "scope");
    grant.id_token = OptString(doc, "id_token");
    grant.token_type = OptString(doc, "token_type");
    benchmark::DoNotOptimize(grant);
  }
  SetBytes(state, Grant());
}

// Serialize is not on the hot path (one write per refresh); measured so a regression is visible.
void BM_Claude_SerializeRotated(benchmark::State& state) {
  ClaudeCredentials creds = ParseClaudeCredentials(Claude()).value();
  creds.oauth->access_token = "sk-ant-oat01-EXAMPLE-access-0009";
  for (auto _ : state) {
    std::string out = SerializeClaudeCredentials(creds);
    benchmark::DoNotOptimize(out);
  }
}

BENCHMARK(BM_Claude_Credsim);
BENCHMARK(BM_Claude_Nlohmann);
BENCHMARK(BM_Agent_Credsim);
BENCHMARK(BM_Agent_Nlohmann);
BENCHMARK(BM_Codex_Credsim);
BENCHMARK(BM_Codex_Nlohmann);
BENCHMARK(BM_Grant_Credsim);
BENCHMARK(BM_Grant_Nlohmann);
BENCHMARK(BM_Claude_SerializeRotated);

}  // namespace

BENCHMARK_MAIN();
