#include "live/token_scan.h"

namespace credsim::live {
namespace {

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

size_t RunOfTokenChars(std::string_view text, size_t from) {
  size_t end = from;
  while (end < text.size() && IsTokenChar(text[end])) ++end;
  return end - from;
}

// A JWT: three base64url parts separated by dots, the first starting "eyJ" (a JSON object).
size_t JwtLength(std::string_view text, size_t at) {
  size_t end = at;
  for (int part = 0; part < 3; ++part) {
    const size_t n = RunOfTokenChars(text, end);
    if (n < 2) return 0;
    end += n;
    if (part < 2) {
      if (end >= text.size() || text[end] != '.') return 0;
      ++end;
    }
  }
  return end - at;
}

}  // namespace

std::vector<std::string> TokenShapedStrings(std::string_view text, size_t limit) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size() && out.size() < limit) {
    const bool boundary = i == 0 || !IsTokenChar(text[i - 1]);
    size_t length = 0;
    if (boundary && text.substr(i, 7) == "sk-ant-") {
      length = RunOfTokenChars(text, i);
      if (length < 20) length = 0;
    } else if (boundary && text.substr(i, 3) == "rt_") {
      length = RunOfTokenChars(text, i);
      if (length < 12) length = 0;
    } else if (boundary && text.substr(i, 3) == "eyJ") {
      length = JwtLength(text, i);
    }
    if (length > 0) {
      out.emplace_back(text.substr(i, length));
      i += length;
    } else {
      ++i;
    }
  }
  return out;
}

}  // namespace credsim::live
