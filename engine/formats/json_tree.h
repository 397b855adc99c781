// An ordered JSON tree: the whole content of a store file, every key in file order, so Serialize
// can patch a few typed values and write everything else back unchanged. Used only by Serialize
// (Parse extracts typed values straight from simdjson's DOM, see json_dom.h).
//
// Duplicate keys are kept, in order, exactly as read: the tree does not interpret unknown members.
// Find() returns the *last* of duplicates, as JSON.parse and Python's json read them (the owners of
// the Claude and agent stores, whose typed parsers keep the last too); Set() collapses duplicates
// of the key it writes, so a written key has one reading whatever the reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/formats/result.h"

namespace credsim::formats {

// Limits shared by every parser in formats/. Real store files are a few KiB and nest 5 levels deep;
// the limits bound memory, recursion and the parser's retained buffers.
// kMaxNestingDepth: no value may be enclosed by more than 1000 arrays/objects (so 1000 levels of
// containers holding values, or 1001 when the innermost one is empty). This is simdjson's own rule
// with max_depth = kMaxNestingDepth + 1, stated exactly. The stores' owners read much deeper
// documents than any real file: Node's JSON.parse has no fixed limit and Python's json stops near
// its recursion limit of 1000, so a deep unknown member (an MCP server's config) must not make
// the engine call a store unreadable that its owner reads (it was 64, and 200-deep `mcpOAuth`
// locked a user out of a live refresh token).
inline constexpr int kMaxNestingDepth = 1000;
inline constexpr size_t kMaxDocumentBytes = size_t{1} << 20;  // 1 MiB

enum class JsonKind : uint8_t { kNull, kBool, kInt64, kUint64, kDouble, kString, kArray, kObject };

struct JsonMember;

struct JsonValue {
  JsonKind kind = JsonKind::kNull;
  bool boolean = false;
  int64_t int64 = 0;
  uint64_t uint64 = 0;  // only for integers above INT64_MAX, as simdjson reports them
  double number = 0;
  // kDouble only: the number's text as the file held it, when a double cannot hold it ("1e400":
  // JSON.parse reads Infinity, Python inf). Written back verbatim, so nothing the engine cannot
  // represent is lost by a write-back.
  std::string raw_number;
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
  // Last member named `key` (the one JSON.parse and Python's json read), or nullptr. Objects only.
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
