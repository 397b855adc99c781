// The inputs of `credsim fuzz-store`: credential files in the shapes their owners write, with the
// session's values as placeholders, and named mutations of them that stay near valid (the cases
// the public reports and the owners' readers disagree on). Pure text in, text out, deterministic
// from a seed, free of I/O, so a case is reproduced from its seed or from its saved input.
//
// Placeholders (replaced by Instantiate once a login gave the live pair):
//   @AT@ @RT@ @ID@      the live access, refresh and id tokens (@AT_ESCAPED@, @RT_ESCAPED@: the
//                       same text with its first characters written as \u escapes)
//   @EXP_MS@ @EXP_S@    the access token's expiry, epoch milliseconds / seconds
//   @PAST_MS@ @PAST_S@  an hour ago, epoch milliseconds / seconds
//   @NOW_RFC3339@ @OLD_RFC3339@  now, and nine days ago (Codex refreshes after eight)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/credential.h"
#include "engine/store_id.h"

namespace credsim::live {

enum class FuzzedStore : uint8_t { kClaude, kAgent, kCodex };

// "claude" | "agent" | "codex"; false for anything else.
bool ParseFuzzedStore(std::string_view name, FuzzedStore* out);
const char* FuzzedStoreName(FuzzedStore store);
engine::Provider ProviderOf(FuzzedStore store);
// The store the sandbox file is: the Claude file, the agent's root auth.json, Codex's auth.json.
engine::StoreId StoreIdOf(FuzzedStore store);

// Real-shaped files of the store's owner, every field the reported formats use, with placeholders.
std::vector<std::string> BuiltInTemplates(FuzzedStore store);

struct MutatedInput {
  std::string text;                    // still with placeholders
  std::vector<std::string> mutations;  // names, in the order applied
};

// The mutation names Mutate may apply to `store`'s files (for --help and the tests).
std::vector<std::string> MutationNames(FuzzedStore store);

// Applies one to three mutations, chosen by `seed`, to `template_text`. Same inputs, same output.
MutatedInput Mutate(FuzzedStore store, const std::string& template_text, uint64_t seed);
// Applies the named mutation; false when the name is unknown or does not apply to the text.
bool ApplyMutation(FuzzedStore store, std::string_view name, std::string* text);

struct LiveValues {
  std::string access_token, refresh_token, id_token;
  int64_t now_ms = 0;
  int64_t expires_at_ms = 0;
};

// Replaces every placeholder with its value (JSON-escaped where it lands inside a string).
std::string Instantiate(const std::string& text, const LiveValues& values);
// The reverse for what a run left behind: each live token back to its placeholder, so a saved
// reproducer holds no token text.
std::string Placeholders(std::string text, const LiveValues& values);

}  // namespace credsim::live
