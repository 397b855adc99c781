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

// What to do with a number simdjson cannot hold ("1e400", an integer beyond 64 bits): simdjson
// refuses the whole document, Codex's serde_json refuses it too, but JSON.parse (Claude Code) reads
// Infinity or a rounded double and Python (the agent) inf or a big integer, so a Claude or agent
// store holding one in some unrelated member must still be read.
enum class Overflow : uint8_t { kRefused, kReadAsZero };

// The document with every number simdjson cannot hold replaced by "0" and spaces (same length and
// offsets), and the replaced texts keyed by the number's ordinal among all numbers in document
// order (the order a DOM walk visits them). nullopt when there is no such number.
struct WithoutOverflow {
  std::string bytes;
  std::vector<std::pair<size_t, std::string>> replaced;  // (ordinal, original text), ascending
};
std::optional<WithoutOverflow> ReplaceOverflowingNumbers(std::string_view bytes);

// Parses `bytes` as exactly one JSON value. The element stays valid until the next ParseDom call on
// this thread (callers convert it to typed values before calling anything else that parses).
// With Overflow::kReadAsZero a number no double can hold reads as 0 (a typed field holding one is
// as good as absent); the tree (ParseJsonTree) keeps its text for the write-back.
Result<Element> ParseDom(std::string_view bytes, Overflow overflow = Overflow::kRefused);

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

// Tracks which typed keys an object has shown. Each store is read as its owner reads it: Codex's
// serde_json refuses a duplicated field, so the Codex parser (and the token-response parser) call
// a repeat an error; the Claude and agent parsers iterate LastOfEachKey() and never see one, as
// JSON.parse and Python keep the last. Unknown keys may repeat; they are kept verbatim.
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

// The members a reader that keeps the last of duplicated keys sees: each key once, at its last
// occurrence, in file order. That is how the owners of the Claude stores (Claude Code: JSON.parse)
// and of the agent store (Python's json) read a file, so those parsers iterate this; a file they
// read must not be one the engine calls unreadable (a repeated key used to lock a user out of a
// live token). Codex's serde_json refuses a duplicated field, and so does the Codex parser.
std::vector<simdjson::dom::key_value_pair> LastOfEachKey(simdjson::dom::object object);

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
