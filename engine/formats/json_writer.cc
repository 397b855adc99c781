// WriteJsonTree: the one JSON writer of formats/. Layout follows JSON.stringify(value, null, 2),
// which is what Claude Code writes, plus a final newline.
#include <array>
#include <charconv>
#include <cmath>

#include "base/assert.h"
#include "engine/formats/json_tree.h"

namespace credsim::formats {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one (overlong forms,
// surrogates and code points above U+10FFFF are invalid, as in RFC 3629).
size_t ValidUtf8Length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  unsigned char min_second = 0x80, max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;  // overlong
    if (lead == 0xED) max_second = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;  // overlong
    if (lead == 0xF4) max_second = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < min_second || byte(i + 1) > max_second) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

void WriteString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {  // each step consumes >= 1 byte
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t length = ValidUtf8Length(s, i);
      if (length == 0) {
        out->append("\xEF\xBF\xBD");  // U+FFFD for one bad byte, then resynchronise
        ++i;
      } else {
        out->append(s.substr(i, length));
        i += length;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void WriteDouble(double value, std::string* out) {
  if (!std::isfinite(value)) {  // not reachable from parsed JSON; keep the output valid anyway
    out->append("null");
    return;
  }
  std::array<char, 32> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  CREDSIM_ASSERT(ec == std::errc());
  const std::string_view text(buffer.data(), end - buffer.data());
  out->append(text);
  // "1" would read back as an integer; keep the value a double.
  if (text.find_first_of(".eE") == std::string_view::npos) out->append(".0");
}

template <class Integer>
void WriteInteger(Integer value, std::string* out) {
  std::array<char, 24> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  CREDSIM_ASSERT(ec == std::errc());
  out->append(buffer.data(), end - buffer.data());
}

void Indent(int depth, std::string* out) { out->append(static_cast<size_t>(depth) * 2, ' '); }

void WriteValue(const JsonValue& v, int depth, std::string* out) {
  // Trees come from ParseJsonTree (bounded by kMaxNestingDepth) or from typed values a few levels
  // deep; a deeper tree is a programming error.
  CREDSIM_ASSERT(depth <= kMaxNestingDepth + 8);
  switch (v.kind) {
    case JsonKind::kNull:
      out->append("null");
      return;
    case JsonKind::kBool:
      out->append(v.boolean ? "true" : "false");
      return;
    case JsonKind::kInt64:
      WriteInteger(v.int64, out);
      return;
    case JsonKind::kUint64:
      WriteInteger(v.uint64, out);
      return;
    case JsonKind::kDouble:
      if (!v.raw_number.empty()) {
        out->append(v.raw_number);  // a number no double holds, as the file wrote it
        return;
      }
      WriteDouble(v.number, out);
      return;
    case JsonKind::kString:
      WriteString(v.string, out);
      return;
    case JsonKind::kArray:
      if (v.array.empty()) {
        out->append("[]");
        return;
      }
      out->append("[\n");
      for (size_t i = 0; i < v.array.size(); ++i) {
        Indent(depth + 1, out);
        WriteValue(v.array[i], depth + 1, out);
        out->append(i + 1 < v.array.size() ? ",\n" : "\n");
      }
      Indent(depth, out);
      out->push_back(']');
      return;
    case JsonKind::kObject:
      if (v.members.empty()) {
        out->append("{}");
        return;
      }
      out->append("{\n");
      for (size_t i = 0; i < v.members.size(); ++i) {
        Indent(depth + 1, out);
        WriteString(v.members[i].key, out);
        out->append(": ");
        WriteValue(v.members[i].value, depth + 1, out);
        out->append(i + 1 < v.members.size() ? ",\n" : "\n");
      }
      Indent(depth, out);
      out->push_back('}');
      return;
  }
}

}  // namespace

std::string WriteJsonTree(const JsonValue& root) {
  std::string out;
  out.reserve(1024);
  WriteValue(root, 0, &out);
  out.push_back('\n');
  return out;
}

}  // namespace credsim::formats
