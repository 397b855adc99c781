// ReplaceAll: every `from` in *text replaced by `to`, left to right. A replacement is never
// searched again, so a `to` that contains `from` cannot loop. Returns how many were replaced.
//
// Placeholders ("@AT@", "@RT@", "@OLD@", "@EXP_MS@", ...) stand for tokens and times that only
// exist at run time: the fuzz targets' inputs, the simulator's fuzzed raw stores and credsim
// fuzz-store's mutations all fill them in with this.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/assert.h"

namespace credsim::base {

inline size_t ReplaceAll(std::string* text, std::string_view from, std::string_view to) {
  CREDSIM_ASSERT(!from.empty(), "an empty pattern matches everywhere");
  size_t replaced = 0;
  for (size_t at = text->find(from); at != std::string::npos;
       at = text->find(from, at + to.size())) {
    text->replace(at, from.size(), to);
    ++replaced;
  }
  return replaced;
}

}  // namespace credsim::base
