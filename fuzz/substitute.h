// Placeholders in fuzz inputs ("@RT@", "@OLD@", ...) stand for real tokens the target minted, so
// mutations keep sealed tokens whole while moving them anywhere in a body or a store.
#pragma once

#include <string>
#include <string_view>

// `text` with every `marker` replaced by `value` (a value containing the marker is not re-read).
inline std::string Substitute(std::string text, std::string_view marker, const std::string& value) {
  for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at)) {
    text.replace(at, marker.size(), value);
    at += value.size();
  }
  return text;
}
