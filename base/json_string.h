// AppendJsonString: `s` as one JSON string (RFC 8259 §7): the quote and the backslash escaped,
// every control byte as \u00XX, everything else verbatim. The engine's refresh request bodies
// and the simulator's trace lines (so also credsim live's reports) are written with it.
//
// Two writers keep their own, stricter escaping on purpose: engine/formats/json_writer.cc writes
// stores back field for field (short escapes, invalid UTF-8 repaired so the file stays valid for
// its owner), and the fake server's json_writer shapes answers like the real providers' and shares
// no code with the engine it judges beyond this directory's dependency-free headers.
#pragma once

#include <string>
#include <string_view>

namespace credsim::base {

inline void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
}

}  // namespace credsim::base
