#include "sim/store_truth.h"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/assert.h"
#include "sim/store_docs.h"

namespace credsim::sim {
namespace {

namespace dom = simdjson::dom;

// Sealed tokens are far longer than this; shorter strings (names, scopes, dates) skip the MAC.
constexpr size_t kMinTokenLength = 20;
constexpr size_t kMaxValuesVisited = 4096;

struct Walk {
  const oauth::TokenAuthority& authority;
  bool claude;
  StoreTruth& truth;
  size_t visited = 0;

  std::optional<oauth::TokenHandle> TokenIn(dom::element value) const {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS || text.size() < kMinTokenLength) {
      return std::nullopt;
    }
    return authority.Inspect(text);
  }

  void NoteRefresh(const oauth::TokenHandle& h) {
    if (truth.refresh_tokens.size() < kMaxTruthTokens) {
      truth.refresh_tokens.push_back({h.family_id, h.generation});
    }
    if (std::pair(h.family_id, h.generation) > std::pair(truth.family, truth.generation)) {
      truth.family = h.family_id;
      truth.generation = h.generation;
    }
  }

  static std::optional<int64_t> Number(dom::element value) {
    int64_t i = 0;
    if (value.get_int64().get(i) == simdjson::SUCCESS) return i;
    double d = 0;
    if (value.get_double().get(d) == simdjson::SUCCESS && d > -9e15 && d < 9e15) {
      return static_cast<int64_t>(d);
    }
    return std::nullopt;
  }

  // One object's own members: its tokens, its stored expiry, its scopes.
  void Object(dom::object object, int depth) {
    bool holds_refresh = false, has_scopes = false, has_plan = false;
    std::optional<oauth::TokenHandle> access;
    std::optional<int64_t> stored_expiry_ms;
    // Every owner reads the last of duplicated keys (JSON.parse, Python's json; serde refuses
    // them): an earlier copy is shadowed, out of every reader's reach.
    std::unordered_map<std::string_view, size_t> last_position;
    size_t position = 0;
    for (dom::key_value_pair member : object) last_position[member.key] = position++;
    position = 0;
    for (dom::key_value_pair member : object) {
      if (last_position[member.key] != position++) continue;
      if (member.key == "scopes") {
        dom::array scopes;
        has_scopes = member.value.get_array().get(scopes) == simdjson::SUCCESS && scopes.size() > 0;
      } else if (member.key == "subscriptionType") {
        std::string_view plan;
        has_plan = member.value.get_string().get(plan) == simdjson::SUCCESS && !plan.empty();
      } else if (member.key == "expiresAt" || member.key == "expires_at_ms") {
        stored_expiry_ms = Number(member.value);
      } else if (auto h = TokenIn(member.value)) {
        if (h->kind == oauth::TokenKind::kRefresh) holds_refresh = true, NoteRefresh(*h);
        if (h->kind == oauth::TokenKind::kAccess) access = h;
        continue;
      }
      Value(member.value, depth + 1);
    }
    if (holds_refresh && claude && !has_scopes) truth.scopes = false;
    if (holds_refresh && claude && !has_plan) truth.subscription = false;
    if (access && stored_expiry_ms && *stored_expiry_ms - access->expires_ms > 0 &&
        *stored_expiry_ms - access->expires_ms > truth.expiry_overstated_ms) {
      truth.expiry_overstated_ms = *stored_expiry_ms - access->expires_ms;
      truth.overstated_token = {access->family_id, access->generation};
    }
  }

  void Value(dom::element value, int depth) {
    if (depth > kMaxTruthDepth || ++visited > kMaxValuesVisited) return;
    dom::object object;
    dom::array array;
    if (value.get_object().get(object) == simdjson::SUCCESS) {
      Object(object, depth);
    } else if (value.get_array().get(array) == simdjson::SUCCESS) {
      for (dom::element item : array) {
        if (auto h = TokenIn(item); h && h->kind == oauth::TokenKind::kRefresh) NoteRefresh(*h);
        Value(item, depth + 1);
      }
    }
  }
};

// The top-level keys whose contents are the session's credentials in each store's format (what an
// engine may rewrite); every other top-level section belongs to someone else.
bool CredentialSection(engine::StoreKind kind, std::string_view key) {
  switch (kind) {
    case engine::StoreKind::kClaudeFile:
    case engine::StoreKind::kClaudeKeychain:
    case engine::StoreKind::kEngineRescue:
      return key == "claudeAiOauth";
    case engine::StoreKind::kAgentAuth:
      return key == "providers" || key == "credential_pool" || key == "version";
    case engine::StoreKind::kCodexAuth:
      return key == "tokens" || key == "last_refresh" || key == "auth_mode" ||
             key == "OPENAI_API_KEY";
  }
  return false;
}

uint64_t Fnv1a(uint64_t hash, std::string_view bytes) {
  for (const char c : bytes) hash = (hash ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
  return hash;
}

uint64_t ForeignSectionsDigest(engine::StoreKind kind, dom::object top) {
  std::vector<std::pair<std::string_view, std::string>> sections;
  for (dom::key_value_pair m : top) {
    if (CredentialSection(kind, m.key)) continue;
    if (sections.size() >= 64) break;
    sections.push_back({m.key, simdjson::minify(m.value)});
  }
  std::sort(sections.begin(), sections.end());
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const auto& [key, value] : sections) hash = Fnv1a(Fnv1a(Fnv1a(hash, key), "="), value);
  return hash;
}

// simdjson's DOM refuses a number no double holds (1e400, 1e-400) or an integer beyond 64 bits,
// which every owner reads (JSON.parse and Python: Infinity / 0 / a float; serde: an error only
// for fields it deserializes). The world reads such a document as its owners do: each such
// number becomes 0 outside strings, and the rest parses as before. nullopt when none was found.
std::optional<std::string> WithUnholdableNumbersZeroed(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  bool in_string = false, changed = false;
  for (size_t i = 0; i < bytes.size();) {
    const char c = bytes[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < bytes.size()) out += bytes[++i];
      if (c == '"') in_string = false;
      ++i;
      continue;
    }
    if (c == '"') in_string = true;
    if (c != '-' && (c < '0' || c > '9')) {
      out += c;
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < bytes.size() && std::strchr("0123456789+-.eE", bytes[end]) != nullptr) ++end;
    const std::string literal(bytes.substr(i, end - i));
    const bool integer = literal.find_first_of(".eE") == std::string::npos;
    errno = 0;
    const double value = std::strtod(literal.c_str(), nullptr);
    const bool unholdable = errno == ERANGE || std::isinf(value) ||
                            (integer && literal.size() > (literal[0] == '-' ? 20u : 19u));
    out += unholdable ? "0" : literal;
    changed |= unholdable;
    i = end;
  }
  if (!changed) return std::nullopt;
  return out;
}

// A store that does not parse (torn, corrupt) may still hold whole tokens: every quoted string
// is inspected, so the world knows a live pair sits there out of every reader's reach. Only
// refresh_tokens is filled: `readable` stays false and the freshest pair (family, generation)
// stays none, so no_lockout and every reader of the freshest slot count it as unusable.
void NoteTokensInUnreadable(std::string_view bytes, const oauth::TokenAuthority& authority,
                            StoreTruth& truth) {
  for (size_t open = bytes.find('"'); open != std::string_view::npos;) {
    const size_t close = bytes.find('"', open + 1);
    if (close == std::string_view::npos) break;
    const std::string_view text = bytes.substr(open + 1, close - open - 1);
    if (text.size() >= kMinTokenLength) {
      const auto h = authority.Inspect(text);
      if (h && h->kind == oauth::TokenKind::kRefresh &&
          truth.refresh_tokens.size() < kMaxTruthTokens) {
        truth.refresh_tokens.push_back({h->family_id, h->generation});
      }
    }
    open = bytes.find('"', close + 1);
  }
}

}  // namespace

StoreTruth ReadStoreTruth(engine::StoreKind kind, bool exists, std::string_view bytes,
                          const oauth::TokenAuthority& authority) {
  StoreTruth truth;
  truth.exists = exists;
  if (!exists) return truth;
  truth.markers = bytes.find(kMarkerKey) != std::string_view::npos;
  // One parser per thread: its buffers are reused, and worlds may run on several threads.
  thread_local dom::parser parser;
  const std::optional<std::string> zeroed = WithUnholdableNumbersZeroed(bytes);
  const simdjson::padded_string padded(zeroed ? std::string_view(*zeroed) : bytes);
  dom::element root;
  dom::object top;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS ||
      root.get_object().get(top) != simdjson::SUCCESS) {
    NoteTokensInUnreadable(bytes, authority, truth);
    return truth;
  }
  truth.readable = true;
  truth.scopes = true;
  truth.subscription = true;
  Walk walk{authority, engine::IsClaudeKind(kind), truth};
  walk.Value(root, 0);
  truth.foreign_sections_digest = ForeignSectionsDigest(kind, top);
  CREDSIM_ASSERT(truth.refresh_tokens.size() <= kMaxTruthTokens);
  CREDSIM_ASSERT(truth.expiry_overstated_ms >= 0);
  return truth;
}

}  // namespace credsim::sim
