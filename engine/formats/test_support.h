// Shared by the formats tests: the sample files, and RapidCheck generators for token text and for
// random unknown JSON members (the content Serialize must carry through untouched).
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/formats/json_tree.h"

namespace credsim::formats::testing {

// Bytes of engine/formats/testdata/<name>; aborts the test binary when missing.
std::string ReadTestdata(std::string_view name);

// The members of `object` whose keys are not in `typed_keys`, in order.
std::vector<JsonMember> UnknownMembers(const JsonValue& object,
                                       const std::vector<std::string_view>& typed_keys);

// Valid UTF-8 built from code points: ASCII including control characters, quotes and backslashes,
// and any Unicode scalar value (no surrogates). Tokens, labels, provider names.
rc::Gen<std::string> GenText();
// Epoch ms values the format can hold unambiguously: 0, or >= 10^11 (below that reads as seconds).
rc::Gen<int64_t> GenEpochMs();
// Epoch seconds below 10^11 (at or above reads as milliseconds).
rc::Gen<int64_t> GenEpochSeconds();
// Any JSON value nested at most `depth` levels; scalars include int64, uint64 > INT64_MAX, doubles.
rc::Gen<JsonValue> GenJsonValue(int depth);
// Members with keys "x-<text>" (never a typed key of any format), duplicates possible.
rc::Gen<std::vector<JsonMember>> GenUnknownMembers();

template <class T>
rc::Gen<std::optional<T>> GenOptional(rc::Gen<T> gen) {
  return rc::gen::oneOf(rc::gen::just(std::optional<T>()),
                        rc::gen::map(std::move(gen), [](T v) { return std::optional<T>(v); }));
}

// An object with exactly these members, in order.
JsonValue ObjectOf(std::vector<JsonMember> members);

}  // namespace credsim::formats::testing
