#include "engine/formats/json_dom.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_set>

#include "base/assert.h"
#include "engine/formats/json_tree.h"
#include "engine/formats/time_units.h"

namespace credsim::formats::internal {
namespace {

// What a parse failure means, in words a user can act on. simdjson does not report an offset, so
// these errors are all at "$"; none of them quotes the input.
const char* SyntaxMessage(simdjson::error_code code) {
  switch (code) {
    case simdjson::EMPTY:
      return "expected a JSON document; found empty input (or only whitespace)";
    case simdjson::DEPTH_ERROR:
      return "expected no value inside more than 1000 nested arrays/objects; found deeper nesting";
    case simdjson::UTF8_ERROR:
      return "expected UTF-8 text; found an invalid UTF-8 byte sequence";
    case simdjson::UNESCAPED_CHARS:
      return "expected control characters inside strings to be escaped; found a raw one (e.g. NUL)";
    case simdjson::UNCLOSED_STRING:
      return "expected a closing quote; found the end of input inside a string";
    case simdjson::STRING_ERROR:
      return "expected a valid string escape; found a malformed one";
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "expected a number that fits 64 bits (integer) or a double; found a malformed or "
             "out-of-range number";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "expected true, false or null; found a malformed literal";
    case simdjson::TAPE_ERROR:
      return "expected exactly one well-formed JSON value; found misplaced or missing commas, "
             "braces or keys, or bytes after the value";
    default:
      return "expected well-formed JSON; found input simdjson rejects";
  }
}

simdjson::dom::parser& ThreadParser() {
  // One parser per thread: it keeps its buffers (bounded by kMaxDocumentBytes) between documents,
  // which is what makes small-document parsing cheap.
  thread_local simdjson::dom::parser parser(kMaxDocumentBytes);
  return parser;
}

constexpr int64_t kSecondsBelow = 100'000'000'000;  // 10^11, same boundary as ReadEpochGuessingUnit
// Longer keys are not quoted in error paths (the longest field name of the formats is 22 bytes;
// tokens are 40 and more).
constexpr size_t kMaxQuotedKeyBytes = 32;

}  // namespace

std::string JsonPath::ToString() const {
  // Collect frames root-first; a path is never deeper than the document's nesting limit (+1 for $).
  const JsonPath* frames[kMaxNestingDepth + 2];
  int count = 0;
  for (const JsonPath* p = this; p != nullptr && count < kMaxNestingDepth + 2; p = p->parent) {
    frames[count++] = p;
  }
  std::string out = "$";
  for (int i = count - 2; i >= 0; --i) {  // frames[count-1] is "$"
    const JsonPath& f = *frames[i];
    if (f.is_index) {
      out.push_back('[');
      out.append(std::to_string(f.index));  // appended piecewise: g++ 12 -O3 -Wrestrict misfires
      out.push_back(']');
    } else if (f.key.size() <= kMaxQuotedKeyBytes) {
      out += ".";
      out += f.key;
    } else {
      // A key this long is no field name any owner writes; it may be token text that a broken
      // writer used as a key, and paths end up in logs: name it by its size only.
      out += ".<";
      out.append(std::to_string(f.key.size()));
      out += "-byte key>";
    }
  }
  return out;
}

// simdjson holds an integer as int64 or uint64 and anything else as a double; JSON.parse and
// Python read every well-formed number (Infinity, inf, a big integer).
bool FitsSimdjson(const std::string& number) {
  const bool integer = number.find_first_of(".eE") == std::string::npos;
  char* end = nullptr;
  errno = 0;
  if (integer && number[0] == '-') {
    (void)std::strtoll(number.c_str(), &end, 10);
  } else if (integer) {
    (void)std::strtoull(number.c_str(), &end, 10);
  } else {
    const double value = std::strtod(number.c_str(), &end);
    if (errno == ERANGE && !std::isinf(value)) errno = 0;  // underflow reads as 0 everywhere
  }
  const bool well_formed = end == number.c_str() + number.size();
  return !well_formed || errno != ERANGE;  // malformed numbers stay errors for the parser
}

std::optional<WithoutOverflow> ReplaceOverflowingNumbers(std::string_view bytes) {
  WithoutOverflow out;
  size_t ordinal = 0;
  size_t i = 0;
  while (i < bytes.size()) {  // one pass, bounded by the document size
    const char c = bytes[i];
    if (c == '"') {  // skip a string, escapes included: a key or text is never a number
      for (++i; i < bytes.size() && bytes[i] != '"'; ++i) {
        if (bytes[i] == '\\') ++i;
      }
      ++i;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < bytes.size() &&
           (std::isdigit(static_cast<unsigned char>(bytes[end])) || bytes[end] == '.' ||
            bytes[end] == 'e' || bytes[end] == 'E' || bytes[end] == '+' || bytes[end] == '-')) {
      ++end;
    }
    const std::string text(bytes.substr(i, end - i));
    if (!FitsSimdjson(text)) {
      if (out.replaced.empty()) out.bytes.assign(bytes.data(), bytes.size());
      out.bytes.replace(i, text.size(), "0" + std::string(text.size() - 1, ' '));
      out.replaced.emplace_back(ordinal, text);
    }
    ++ordinal;
    i = end;
  }
  if (out.replaced.empty()) return std::nullopt;
  return out;
}

Result<Element> ParseDom(std::string_view bytes, Overflow overflow) {
  if (bytes.size() > kMaxDocumentBytes) {
    return ParseError{"$", "expected at most " + std::to_string(kMaxDocumentBytes) +
                               " bytes; found " + std::to_string(bytes.size())};
  }
  simdjson::dom::parser& parser = ThreadParser();
  if (parser.max_depth() != kMaxNestingDepth + 1) {
    // simdjson's max_depth counts values: the root is at depth 1, so +1 allows kMaxNestingDepth
    // enclosing levels.
    if (parser.allocate(std::max<size_t>(bytes.size(), 512), kMaxNestingDepth + 1)) {
      return ParseError{"$", "expected memory for the parser; found allocation failure"};
    }
  }
  Element root;
  simdjson::error_code code = parser.parse(bytes.data(), bytes.size()).get(root);
  if ((code == simdjson::NUMBER_ERROR || code == simdjson::NUMBER_OUT_OF_RANGE) &&
      overflow == Overflow::kReadAsZero) {
    // The parser copies the bytes into its own buffer: the replaced copy may go out of scope.
    if (const std::optional<WithoutOverflow> replaced = ReplaceOverflowingNumbers(bytes)) {
      code = parser.parse(replaced->bytes.data(), replaced->bytes.size()).get(root);
    }
  }
  if (code != simdjson::SUCCESS) return ParseError{"$", SyntaxMessage(code)};
  return root;
}

const char* KindForMessage(Element found) {
  switch (found.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::INT64:
      return "an integer";
    case simdjson::dom::element_type::UINT64:
      return "an integer above 2^63-1";
    case simdjson::dom::element_type::DOUBLE:
      return "a number with a fraction or exponent";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown JSON value";
}

ParseError Mismatch(const JsonPath& path, std::string_view expected, Element found) {
  return ParseError{path.ToString(),
                    "expected " + std::string(expected) + "; found " + KindForMessage(found)};
}

ParseError Invalid(const JsonPath& path, std::string message) {
  return ParseError{path.ToString(), std::move(message)};
}

ParseError DuplicateKey(const JsonPath& path) {
  return ParseError{path.ToString(),
                    "expected this key once; found it more than once in the same object"};
}

std::vector<simdjson::dom::key_value_pair> LastOfEachKey(simdjson::dom::object object) {
  std::vector<simdjson::dom::key_value_pair> all;
  for (simdjson::dom::key_value_pair member : object) all.push_back(member);  // bounded by the doc
  std::vector<simdjson::dom::key_value_pair> kept;
  kept.reserve(all.size());
  std::unordered_set<std::string_view> seen;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (seen.insert(it->key).second) kept.push_back(*it);
  }
  std::reverse(kept.begin(), kept.end());
  return kept;
}

int TypedKeySet::IndexOf(std::string_view key, const std::string_view* names, int count) {
  CREDSIM_ASSERT(count <= 64);
  for (int i = 0; i < count; ++i) {
    if (names[i] == key) return i;
  }
  return -1;
}

bool TypedKeySet::MarkSeen(int index) {
  CREDSIM_ASSERT(index >= 0 && index < 64);
  const uint64_t bit = uint64_t{1} << index;
  const bool first = (seen_ & bit) == 0;
  seen_ |= bit;
  return first;
}

std::optional<ParseError> ReadObject(Element e, const JsonPath& path, simdjson::dom::object* out) {
  if (e.get_object().get(*out) != simdjson::SUCCESS) return Mismatch(path, "an object", e);
  return std::nullopt;
}

std::optional<ParseError> ReadString(Element e, const JsonPath& path, std::string* out) {
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) return Mismatch(path, "a string", e);
  out->assign(text.data(), text.size());
  return std::nullopt;
}

std::optional<ParseError> ReadOptionalString(Element e, const JsonPath& path,
                                             std::optional<std::string>* out) {
  if (e.is_null()) {
    out->reset();
    return std::nullopt;
  }
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) return Mismatch(path, "a string or null", e);
  out->emplace(text.data(), text.size());
  return std::nullopt;
}

std::optional<ParseError> ReadInteger(Element e, const JsonPath& path, int64_t* out) {
  int64_t value = 0;
  if (e.get_int64().get(value) == simdjson::SUCCESS) {
    *out = value;
    return std::nullopt;
  }
  if (e.type() == simdjson::dom::element_type::UINT64) {
    return Invalid(path, "expected an integer within int64; found a larger one");
  }
  double number = 0;
  if (e.type() == simdjson::dom::element_type::DOUBLE &&
      e.get_double().get(number) == simdjson::SUCCESS) {
    // JavaScript writers may produce 1795000000000.0-like doubles; accept exact integers only.
    constexpr double kExactLimit = 9007199254740992.0;  // 2^53
    if (std::floor(number) == number && std::fabs(number) <= kExactLimit) {
      *out = static_cast<int64_t>(number);
      return std::nullopt;
    }
    return Invalid(path, "expected an integer; found a number with a fraction or beyond 2^53");
  }
  return Mismatch(path, "an integer", e);
}

std::optional<ParseError> ReadOptionalInteger(Element e, const JsonPath& path,
                                              std::optional<int64_t>* out) {
  if (e.is_null()) {
    out->reset();
    return std::nullopt;
  }
  int64_t value = 0;
  if (auto error = ReadInteger(e, path, &value)) {
    if (!e.is_number()) return Mismatch(path, "an integer or null", e);
    return error;
  }
  *out = value;
  return std::nullopt;
}

std::optional<ParseError> ReadOptionalBool(Element e, const JsonPath& path,
                                           std::optional<bool>* out) {
  if (e.is_null()) {
    out->reset();
    return std::nullopt;
  }
  bool value = false;
  if (e.get_bool().get(value) != simdjson::SUCCESS) return Mismatch(path, "a boolean or null", e);
  *out = value;
  return std::nullopt;
}

std::optional<ParseError> ReadEpochMs(Element e, const JsonPath& path, int64_t* out_ms,
                                      std::vector<UnitNote>* notes) {
  int64_t raw = 0;
  if (auto error = ReadInteger(e, path, &raw)) return error;
  if (raw < 0)
    return Invalid(path, "expected a non-negative epoch timestamp; found a negative one");
  const EpochReading reading = ReadEpochGuessingUnit(raw);
  if (reading.assumed_seconds && raw != 0) {
    notes->push_back(UnitNote{path.ToString(), std::to_string(raw) +
                                                   " looks like epoch seconds; read as seconds "
                                                   "(x1000 -> ms)"});
  }
  *out_ms = reading.epoch_ms;
  return std::nullopt;
}

std::optional<ParseError> ReadOptionalEpochMs(Element e, const JsonPath& path,
                                              std::optional<int64_t>* out_ms,
                                              std::vector<UnitNote>* notes) {
  if (e.is_null()) {
    out_ms->reset();
    return std::nullopt;
  }
  int64_t value = 0;
  if (!e.is_number()) return Mismatch(path, "an integer (epoch ms) or null", e);
  if (auto error = ReadEpochMs(e, path, &value, notes)) return error;
  *out_ms = value;
  return std::nullopt;
}

std::optional<ParseError> ReadOptionalEpochSeconds(Element e, const JsonPath& path,
                                                   std::optional<int64_t>* out_s,
                                                   std::vector<UnitNote>* notes) {
  if (e.is_null()) {
    out_s->reset();
    return std::nullopt;
  }
  int64_t raw = 0;
  if (!e.is_number()) return Mismatch(path, "an integer (epoch seconds) or null", e);
  if (auto error = ReadInteger(e, path, &raw)) return error;
  if (raw < 0)
    return Invalid(path, "expected a non-negative epoch timestamp; found a negative one");
  if (raw >= kSecondsBelow) {
    notes->push_back(UnitNote{path.ToString(), std::to_string(raw) +
                                                   " looks like epoch milliseconds; read as ms "
                                                   "(/1000 -> s, rounded down)"});
    raw /= 1000;
  }
  *out_s = raw;
  return std::nullopt;
}

void NoteIfNotRfc3339(const std::optional<std::string>& text, const JsonPath& path,
                      std::vector<UnitNote>* notes) {
  if (!text.has_value() || ParseRfc3339Ms(*text).ok()) return;
  notes->push_back(UnitNote{path.ToString(), "not an RFC 3339 timestamp; kept as text"});
}

}  // namespace credsim::formats::internal
