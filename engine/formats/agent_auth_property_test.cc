// Round-trip properties of agent auth.json: random providers, pools and unknown members.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "engine/formats/agent_auth.h"
#include "engine/formats/json_tree.h"
#include "engine/formats/test_support.h"

namespace credsim::formats {
namespace {

using testing::GenEpochMs;
using testing::GenEpochSeconds;
using testing::GenOptional;
using testing::GenText;

rc::Gen<PoolEntry> GenEntry(std::string id) {
  const auto text = [] { return GenOptional(GenText()); };
  return rc::gen::build<PoolEntry>(
      rc::gen::set(&PoolEntry::id, rc::gen::just(id)), rc::gen::set(&PoolEntry::label, text()),
      rc::gen::set(&PoolEntry::auth_type, text()),
      rc::gen::set(&PoolEntry::priority, GenOptional(rc::gen::arbitrary<int64_t>())),
      rc::gen::set(&PoolEntry::source, text()), rc::gen::set(&PoolEntry::access_token, text()),
      rc::gen::set(&PoolEntry::refresh_token, text()),
      rc::gen::set(&PoolEntry::expires_at_ms, GenOptional(GenEpochMs())),
      rc::gen::set(&PoolEntry::last_refresh, text()),
      rc::gen::set(&PoolEntry::last_status,
                   rc::gen::element(PoolStatus::kUnset, PoolStatus::kOk, PoolStatus::kExhausted,
                                    PoolStatus::kDead)),
      rc::gen::set(&PoolEntry::last_status_at_s, GenOptional(GenEpochSeconds())),
      rc::gen::set(&PoolEntry::last_error_code, GenOptional(rc::gen::arbitrary<int64_t>())),
      rc::gen::set(&PoolEntry::last_error_reason, text()),
      rc::gen::set(&PoolEntry::last_error_message, text()),
      rc::gen::set(&PoolEntry::last_error_reset_at_s, GenOptional(GenEpochSeconds())),
      rc::gen::set(&PoolEntry::secret_fingerprint, text()),
      rc::gen::set(&PoolEntry::scope, text()));
}

// Entries with distinct ids "e0", "e1", ... (ids must be unique within a provider).
rc::Gen<std::vector<PoolEntry>> GenEntries() {
  return rc::gen::mapcat(rc::gen::inRange<int>(0, 4), [](int n) {
    std::vector<rc::Gen<PoolEntry>> gens;
    for (int i = 0; i < n; ++i) gens.push_back(GenEntry("e" + std::to_string(i)));
    return rc::gen::exec([gens] {
      std::vector<PoolEntry> entries;
      for (const auto& g : gens) entries.push_back(*g);
      return entries;
    });
  });
}

rc::Gen<ProviderBlock> GenBlock() {
  const auto text = [] { return GenOptional(GenText()); };
  return rc::gen::build<ProviderBlock>(
      rc::gen::set(&ProviderBlock::tokens, GenOptional(rc::gen::build<ProviderTokens>(
                                               rc::gen::set(&ProviderTokens::access_token, text()),
                                               rc::gen::set(&ProviderTokens::refresh_token, text()),
                                               rc::gen::set(&ProviderTokens::id_token, text()),
                                               rc::gen::set(&ProviderTokens::account_id, text())))),
      rc::gen::set(&ProviderBlock::last_refresh, text()),
      rc::gen::set(&ProviderBlock::auth_mode, text()),
      rc::gen::set(&ProviderBlock::last_auth_error,
                   GenOptional(rc::gen::build<AuthErrorRecord>(
                       rc::gen::set(&AuthErrorRecord::code, text()),
                       rc::gen::set(&AuthErrorRecord::message, text()),
                       rc::gen::set(&AuthErrorRecord::reason, text()),
                       rc::gen::set(&AuthErrorRecord::relogin_required,
                                    GenOptional(rc::gen::arbitrary<bool>())),
                       rc::gen::set(&AuthErrorRecord::at, text())))));
}

AgentAuth GenAuth() {
  AgentAuth auth;
  auth.version = *GenOptional(rc::gen::arbitrary<int64_t>());
  const int provider_count = *rc::gen::inRange(0, 3);
  for (int i = 0; i < provider_count; ++i) auth.providers[*GenText()] = *GenBlock();
  for (const char* provider : {"anthropic", "openai-codex", "x"}) {
    if (*rc::gen::arbitrary<bool>()) auth.pool[provider] = *GenEntries();
  }
  return auth;
}

bool SameTyped(const AgentAuth& a, const AgentAuth& b) {
  return a.version == b.version && a.providers == b.providers && a.pool == b.pool;
}

RC_GTEST_PROP(AgentAuthProperty, NewDocumentRoundTrips, ()) {
  const AgentAuth auth = GenAuth();
  const Result<AgentAuth> parsed = ParseAgentAuth(SerializeAgentAuth(auth));
  RC_ASSERT(parsed.ok());
  RC_ASSERT(SameTyped(parsed.value(), auth));
}

RC_GTEST_PROP(AgentAuthProperty, ModifyThenSerializeKeepsUnknownMembers, ()) {
  // A document with unknown members at the top and inside every provider block and pool entry.
  const AgentAuth first = GenAuth();
  const auto top_unknown = *testing::GenUnknownMembers();
  JsonValue doc = ParseJsonTree(SerializeAgentAuth(first)).value();
  for (const JsonMember& m : top_unknown) doc.members.push_back(m);
  std::vector<std::vector<JsonMember>> nested_unknown;
  const auto add_unknown = [&](JsonValue& object) {
    nested_unknown.push_back(*testing::GenUnknownMembers());
    for (const JsonMember& m : nested_unknown.back()) object.members.push_back(m);
  };
  if (JsonValue* providers = doc.Find("providers")) {
    for (JsonMember& p : providers->members) add_unknown(p.value);
  }
  if (JsonValue* pool = doc.Find("credential_pool")) {
    for (JsonMember& p : pool->members) {
      for (JsonValue& entry : p.value.array) add_unknown(entry);
    }
  }
  const std::string original = WriteJsonTree(doc);
  Result<AgentAuth> parsed = ParseAgentAuth(original);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(SameTyped(parsed.value(), first));
  RC_ASSERT(ParseJsonTree(SerializeAgentAuth(parsed.value())).value() == doc);

  // Rewrite every typed value of every existing provider and entry, keeping ids.
  AgentAuth modified = parsed.value();
  for (auto& [name, block] : modified.providers) block = *GenBlock();
  for (auto& [provider, entries] : modified.pool) {
    for (PoolEntry& e : entries) e = *GenEntry(e.id);
  }
  const std::string out = SerializeAgentAuth(modified);
  const Result<AgentAuth> reparsed = ParseAgentAuth(out);
  RC_ASSERT(reparsed.ok());
  RC_ASSERT(SameTyped(reparsed.value(), modified));
  const JsonValue tree = ParseJsonTree(out).value();
  RC_ASSERT(testing::UnknownMembers(tree, {"version", "providers", "credential_pool"}) ==
            testing::UnknownMembers(doc, {"version", "providers", "credential_pool"}));
  // Every nested unknown member is still there, in order, in the same object.
  size_t next = 0;
  const auto check = [&](const JsonValue& object) {
    std::vector<JsonMember> unknown;  // typed keys never start with "x-"
    for (const JsonMember& m : object.members) {
      if (m.key.rfind("x-", 0) == 0) unknown.push_back(m);
    }
    RC_ASSERT(next < nested_unknown.size());
    RC_ASSERT(unknown == nested_unknown[next++]);
  };
  if (const JsonValue* providers = tree.Find("providers")) {
    for (const JsonMember& p : providers->members) check(p.value);
  }
  if (const JsonValue* pool = tree.Find("credential_pool")) {
    for (const JsonMember& p : pool->members) {
      for (const JsonValue& entry : p.value.array) check(entry);
    }
  }
  RC_ASSERT(next == nested_unknown.size());
}

}  // namespace
}  // namespace credsim::formats
