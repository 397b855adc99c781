// Result<T>: a parsed value or a precise ParseError. Parsers in formats/ never throw and never
// crash: every byte string yields one or the other.
//
// Rules shared by every parser and serializer in formats/ (see json_dom.h, json_tree.h):
// - One JSON value per document, only whitespace after it, at most kMaxDocumentBytes (1 MiB), no
//   value inside more than kMaxNestingDepth (1000) arrays/objects. Syntax errors are reported at
//   "$".
// - Duplicate keys: each store is read as its owner reads it. The Claude and agent parsers keep the
//   last copy of a typed key (JSON.parse, Python's json); the Codex and token-response parsers
//   refuse a repeat as a ParseError (serde). Duplicated unknown keys are kept verbatim, in order.
// - null for an optional typed value reads as nullopt; an unchanged null is written back as null.
// - Epoch fields never mix units silently: a ms field holding a value in (0, 10^11) is read as
//   seconds (x1000) and a seconds field holding >= 10^11 as ms (/1000, rounded down), each with a
//   UnitNote. So typed ms values in (0, 10^11) and seconds values >= 10^11 do not round-trip.
// - Serialize is total: strings that are not valid UTF-8 get U+FFFD per bad sequence (and so do not
//   round-trip); an `original` that is not a JSON object is replaced by {}.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace credsim::formats {

struct ParseError {
  std::string
      path;  // JSON path of the offending value, e.g. "$.claudeAiOauth.expiresAt"; "$" = whole
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
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(ParseError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& {
    CREDSIM_ASSERT(ok());
    return std::get<0>(v_);
  }
  T& value() & {
    CREDSIM_ASSERT(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    CREDSIM_ASSERT(ok());
    return std::get<0>(std::move(v_));
  }
  const ParseError& error() const {
    CREDSIM_ASSERT(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, ParseError> v_;
};

}  // namespace credsim::formats
