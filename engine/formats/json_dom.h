// Internal: the one place formats/ calls simdjson. Parses a byte string with a thread-local DOM
// parser (error codes only, never exceptions) and reads typed values from elements, naming the JSON
// path of whatever is wrong. Paths are built only when an error is reported, so the happy path
// allocates nothing but the typed values themselves.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/formats/result.h"

namespace credsim::formats::internal {

using Element = simdjson::dom::element;

// A JSON path as a chain of stack frames: "$", "$.claudeAiOauth", "$.credential_pool.anthropic[2]".
// Rendered to text only for an error message.
struct JsonPath {
  const JsonPath* parent = nullptr;  // nullptr: this is "$"
  std::string_view key;              // member name, when !is_index
  size_t index = 0;                  // array index, when is_index
  bool is_index = false;

  JsonPath Member(std::string_view name) const { return JsonPath{this, name, 0, false}; }
  JsonPath Index(size_t i) const { return JsonPath{this, {}, i, true}; }
  std::string ToString() const;
};

// Parses `bytes` as exactly one JSON value. The element stays valid until the next ParseDom call on
// this thread (callers convert it to typed values before calling anything else that parses).
Result<Element> ParseDom(std::string_view bytes);

// "a string", "an integer", "null", ... — what the error message says was found.
const char* KindForMessage(Element found);
ParseError Mismatch(const JsonPath& path, std::string_view expected, Element found);
ParseError Invalid(const JsonPath& path, std::string message);

// Readers: nullopt on success, the error otherwise. "Optional" readers map JSON null to nullopt.
// Integers accept int64 values, and doubles with no fraction within +/-2^53 (JavaScript writers).
std::optional<ParseError> ReadObject(Element e, const JsonPath& path, simdjson::dom::object* out);
std::optional<ParseError> ReadString(Element e, const JsonPath& path, std::string* out);
std::optional<ParseError> ReadOptionalString(Element e, const JsonPath& path,
                                             std::optional<std::string>* out);
std::optional<ParseError> ReadInteger(Element e, const JsonPath& path, int64_t* out);
std::optional<ParseError> ReadOptionalInteger(Element e, const JsonPath& path,
                                              std::optional<int64_t>* out);
std::optional<ParseError> ReadOptionalBool(Element e, const JsonPath& path,
                                           std::optional<bool>* out);

// Tracks which typed keys an object has shown, so a duplicated typed key is an error (JavaScript
// and Python keep the last, serde rejects, other readers keep the first: a file two tools would
// read differently is not a credential we can trust). Unknown keys may repeat; they are kept
// verbatim.
class TypedKeySet {
 public:
  // Index of `key` in `names`, or -1 when it is not a typed key.
  static int IndexOf(std::string_view key, const std::string_view* names, int count);
  // False when key number `index` was already seen.
  bool MarkSeen(int index);

 private:
  uint64_t seen_ = 0;
};
ParseError DuplicateKey(const JsonPath& path);

// Epoch timestamp readers that never mix units silently: the value is returned in the field's unit
// and a note is appended when the file held the other unit.
std::optional<ParseError> ReadEpochMs(Element e, const JsonPath& path, int64_t* out_ms,
                                      std::vector<UnitNote>* notes);
std::optional<ParseError> ReadOptionalEpochMs(Element e, const JsonPath& path,
                                              std::optional<int64_t>* out_ms,
                                              std::vector<UnitNote>* notes);
std::optional<ParseError> ReadOptionalEpochSeconds(Element e, const JsonPath& path,
                                                   std::optional<int64_t>* out_s,
                                                   std::vector<UnitNote>* notes);

// A note (not an error) when an RFC 3339 field does not hold a readable timestamp: tools keep such
// text as is, and so do we.
void NoteIfNotRfc3339(const std::optional<std::string>& text, const JsonPath& path,
                      std::vector<UnitNote>* notes);

}  // namespace credsim::formats::internal
