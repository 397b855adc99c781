#include "engine/credential.h"

namespace credsim::engine {

const char* ProviderName(Provider provider) {
  return provider == Provider::kAnthropic ? "anthropic" : "openai-codex";
}

std::optional<Provider> ParseProvider(std::string_view name) {
  if (name == "anthropic") return Provider::kAnthropic;
  if (name == "openai-codex" || name == "openai") return Provider::kOpenAiCodex;
  return std::nullopt;
}

std::string RedactedLabel(std::string_view prefix, std::string_view token) {
  if (token.empty()) return std::string(prefix) + "~-";
  uint32_t hash = 2166136261u;  // FNV-1a 32, folded to 16 bits below
  for (unsigned char c : token) {
    hash ^= c;
    hash *= 16777619u;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  const uint32_t folded = (hash ^ (hash >> 16)) & 0xffff;
  std::string label(prefix);
  label += '~';
  for (int shift = 12; shift >= 0; shift -= 4) label += kHex[(folded >> shift) & 0xf];
  return label;
}

}  // namespace credsim::engine
