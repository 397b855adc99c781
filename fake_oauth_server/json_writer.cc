#include "fake_oauth_server/json_writer.h"

#include <cstdio>

#include "base/assert.h"

namespace credsim::oauth {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  const size_t left = s.size() - i;
  const auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;
    if (c == 0xED && b(i + 1) > 0x9F) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;
    if (c == 0xF4 && b(i + 1) > 0x8F) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view value) {
  out += '"';
  size_t i = 0;
  while (i < value.size()) {
    const auto c = static_cast<uint8_t>(value[i]);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      const size_t n = Utf8SequenceLength(value, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
        continue;
      }
      out.append(value.substr(i, n));
      i += n;
      continue;
    }
    ++i;
  }
  out += '"';
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) {
    CREDSIM_ASSERT(out_.empty(), "one top-level value per writer");
    return;
  }
  const uint64_t bit = uint64_t{1} << (depth_ - 1);
  if (first_bits_ & bit) {
    first_bits_ &= ~bit;
  } else {
    out_ += ',';
  }
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  CREDSIM_ASSERT(depth_ < 64);
  out_ += '{';
  ++depth_;
  first_bits_ |= uint64_t{1} << (depth_ - 1);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  CREDSIM_ASSERT(depth_ > 0 && !after_key_);
  out_ += '}';
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  CREDSIM_ASSERT(depth_ < 64);
  out_ += '[';
  ++depth_;
  first_bits_ |= uint64_t{1} << (depth_ - 1);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  CREDSIM_ASSERT(depth_ > 0 && !after_key_);
  out_ += ']';
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  CREDSIM_ASSERT(depth_ > 0 && !after_key_);
  BeforeValue();
  AppendJsonString(out_, key);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(out_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  BeforeValue();
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

const std::string& JsonWriter::str() const {
  CREDSIM_ASSERT(depth_ == 0 && !after_key_);
  return out_;
}

std::string JsonWriter::Take() {
  CREDSIM_ASSERT(depth_ == 0 && !after_key_);
  return std::move(out_);
}

}  // namespace credsim::oauth
