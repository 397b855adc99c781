// Result<T>: a parsed value or a precise ParseError. Parsers in formats/ never throw and never crash:
// every byte string yields one or the other.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace credsim::formats {

struct ParseError {
  std::string path;     // JSON path of the offending value, e.g. "$.claudeAiOauth.expiresAt"; "$" = whole
  std::string message;  // what was expected and what was found; never the token text itself
  std::string ToString() const { return path + ": " + message; }
};

// A note about how a value was read, e.g. a timestamp whose unit had to be assumed.
struct UnitNote {
  std::string path;
  std::string note;  // e.g. "1795000000 looks like epoch seconds; read as seconds (x1000 -> ms)"
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(ParseError error) : v_(std::move(error)) {}   // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const ParseError& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, ParseError> v_;
};

}  // namespace credsim::formats
