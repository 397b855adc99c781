// Authority labels ("fam1/rt3") as numbers, for oracles that compare generations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace credsim::sim {

struct LabelParts {
  uint32_t family = 0;  // 0: not a label of this authority ("unknown", "-")
  uint32_t generation = 0;
};

// "fam<F>/<kind><G>" -> {F, G}; anything else -> {0, 0}.
LabelParts ParseLabel(std::string_view label);
// {F, G} -> "fam<F>/rt<G>": a refresh token's label, for traces and messages.
std::string RefreshLabel(uint32_t family, uint32_t generation);

}  // namespace credsim::sim
