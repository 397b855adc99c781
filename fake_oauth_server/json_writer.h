// A small JSON writer for response bodies. The server writes its own JSON (rather than sharing a
// helper with engine/) so that the server and the engine stay two independent readings of the
// protocol. Strings are escaped per RFC 8259 §7; bytes that are not valid UTF-8 are replaced by
// U+FFFD so a hostile request echoed into an error can never make the response invalid JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace credsim::oauth {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  // Shorthands for a member.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) {
    return Key(key).String(std::string_view(value));
  }
  JsonWriter& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, uint64_t value) { return Key(key).Uint(value); }
  JsonWriter& Field(std::string_view key, uint32_t value) { return Key(key).Uint(value); }
  JsonWriter& Field(std::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }

  // The document; every object and array must be closed.
  const std::string& str() const;
  std::string Take();

 private:
  void BeforeValue();
  std::string out_;
  // One bit per nesting level: is the next element the first? Depth is bounded at 64.
  uint64_t first_bits_ = 0;
  int depth_ = 0;
  bool after_key_ = false;
};

// Appends `value` escaped and quoted.
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace credsim::oauth
