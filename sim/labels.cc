#include "sim/labels.h"

namespace credsim::sim {
namespace {

// Digits at the front of `s` (at most 9, so no overflow); advances `s`. false if none.
bool TakeNumber(std::string_view& s, uint32_t* out) {
  uint32_t value = 0;
  size_t i = 0;
  for (; i < s.size() && i < 9 && s[i] >= '0' && s[i] <= '9'; ++i) {
    value = value * 10 + static_cast<uint32_t>(s[i] - '0');
  }
  if (i == 0) return false;
  s.remove_prefix(i);
  *out = value;
  return true;
}

}  // namespace

LabelParts ParseLabel(std::string_view label) {
  LabelParts parts;
  if (!label.starts_with("fam")) return {};
  label.remove_prefix(3);
  if (!TakeNumber(label, &parts.family) || label.size() < 4 || label[0] != '/') return {};
  label.remove_prefix(3);  // "/rt", "/at", "/id"
  if (!TakeNumber(label, &parts.generation) || !label.empty()) return {};
  return parts;
}

std::string RefreshLabel(uint32_t family, uint32_t generation) {
  return "fam" + std::to_string(family) + "/rt" + std::to_string(generation);
}

}  // namespace credsim::sim
