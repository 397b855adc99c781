// An ordered JSON tree: the whole content of a store file, every key in file order, so Serialize
// can patch a few typed values and write everything else back unchanged. Used only by Serialize
// (Parse extracts typed values straight from simdjson's DOM, see json_dom.h).
//
// Duplicate keys are kept, in order, exactly as read: the tree does not interpret unknown members.
// Set() collapses duplicates of the key it writes, because the typed parsers reject a duplicated
// typed key (two readers of one file must never disagree about which token is current).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/formats/result.h"

namespace credsim::formats {

// Limits shared by every parser in formats/. Real store files are a few KiB and nest 5 levels deep;
// the limits bound memory, recursion and the parser's retained buffers.
// kMaxNestingDepth: no value may be enclosed by more than 64 arrays/objects (so 64 levels of
// containers holding values, or 65 when the innermost one is empty). This is simdjson's own rule
// with max_depth = kMaxNestingDepth + 1, stated exactly.
inline constexpr int kMaxNestingDepth = 64;
inline constexpr size_t kMaxDocumentBytes = size_t{1} << 20;  // 1 MiB

enum class JsonKind : uint8_t { kNull, kBool, kInt64, kUint64, kDouble, kString, kArray, kObject };

struct JsonMember;

struct JsonValue {
  JsonKind kind = JsonKind::kNull;
  bool boolean = false;
  int64_t int64 = 0;
  uint64_t uint64 = 0;  // only for integers above INT64_MAX, as simdjson reports them
  double number = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::vector<JsonMember> members;  // objects, in file order (duplicates kept)

  static JsonValue Null();
  static JsonValue Bool(bool value);
  static JsonValue Int(int64_t value);
  static JsonValue String(std::string_view value);
  static JsonValue Object();
  static JsonValue Array();

  bool is_object() const { return kind == JsonKind::kObject; }
  bool is_array() const { return kind == JsonKind::kArray; }
  // First member named `key`, or nullptr. Objects only.
  JsonValue* Find(std::string_view key);
  const JsonValue* Find(std::string_view key) const;
  // Replaces the first member named `key` in place (keeping its position) and removes any later
  // duplicates; appends when absent. Objects only.
  void Set(std::string_view key, JsonValue value);
  // Removes every member named `key`; returns how many were removed. Objects only.
  size_t Remove(std::string_view key);
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

bool operator==(const JsonValue& a, const JsonValue& b);
bool operator==(const JsonMember& a, const JsonMember& b);

// Any byte string -> a tree or a ParseError (same acceptance rules and messages as every typed
// parser: one JSON value, nothing after it but whitespace, no value inside more than
// kMaxNestingDepth arrays/objects, at most kMaxDocumentBytes).
Result<JsonValue> ParseJsonTree(std::string_view bytes);

// 2-space indented JSON with a final newline, like the sample files. Total: strings that are not
// valid UTF-8 get U+FFFD for each bad sequence; doubles use the shortest text that reads back as
// the same double (and always as a double: "1.0", never "1").
std::string WriteJsonTree(const JsonValue& root);

}  // namespace credsim::formats
