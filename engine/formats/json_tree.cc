#include "engine/formats/json_tree.h"

#include <cmath>

#include "base/assert.h"
#include "engine/formats/json_dom.h"

namespace credsim::formats {
namespace {

// Numbers in document order, and the texts of those no double could hold (ascending ordinals).
struct NumberTexts {
  const std::vector<std::pair<size_t, std::string>>* replaced = nullptr;
  size_t next_ordinal = 0;
  size_t next_replaced = 0;

  // The original text of the number being visited, if it was replaced.
  std::string TakeIfReplaced() {
    const size_t ordinal = next_ordinal++;
    if (replaced == nullptr || next_replaced >= replaced->size()) return "";
    if ((*replaced)[next_replaced].first != ordinal) return "";
    return (*replaced)[next_replaced++].second;
  }
};

// DOM -> tree. `depth` is bounded by the parser's nesting limit, so recursion is too.
JsonValue FromDom(internal::Element e, int depth, NumberTexts& numbers) {
  CREDSIM_ASSERT(depth <= kMaxNestingDepth + 1);
  JsonValue out;
  switch (e.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return out;
    case simdjson::dom::element_type::BOOL:
      out.kind = JsonKind::kBool;
      out.boolean = e.get_bool().value_unsafe();
      return out;
    case simdjson::dom::element_type::INT64:
      out.kind = JsonKind::kInt64;
      out.int64 = e.get_int64().value_unsafe();
      if (std::string raw = numbers.TakeIfReplaced(); !raw.empty()) {
        out = JsonValue();  // the "0" stood in for a number no double can hold
        out.kind = JsonKind::kDouble;
        out.number = raw[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        out.raw_number = std::move(raw);
      }
      return out;
    case simdjson::dom::element_type::UINT64:
      out.kind = JsonKind::kUint64;
      out.uint64 = e.get_uint64().value_unsafe();
      numbers.TakeIfReplaced();
      return out;
    case simdjson::dom::element_type::DOUBLE:
      out.kind = JsonKind::kDouble;
      out.number = e.get_double().value_unsafe();
      numbers.TakeIfReplaced();
      return out;
    case simdjson::dom::element_type::STRING:
      out.kind = JsonKind::kString;
      out.string = std::string(e.get_string().value_unsafe());
      return out;
    case simdjson::dom::element_type::ARRAY: {
      out.kind = JsonKind::kArray;
      // Keep the array in a local: ranging over a temporary result's value_unsafe() would dangle.
      const simdjson::dom::array array = e.get_array().value_unsafe();
      for (internal::Element item : array) {
        out.array.push_back(FromDom(item, depth + 1, numbers));
      }
      return out;
    }
    case simdjson::dom::element_type::OBJECT: {
      out.kind = JsonKind::kObject;
      const simdjson::dom::object object = e.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair field : object) {
        out.members.push_back(
            JsonMember{std::string(field.key), FromDom(field.value, depth + 1, numbers)});
      }
      return out;
    }
  }
  return out;
}

}  // namespace

JsonValue JsonValue::Null() { return JsonValue(); }

JsonValue JsonValue::Bool(bool value) {
  JsonValue v;
  v.kind = JsonKind::kBool;
  v.boolean = value;
  return v;
}

JsonValue JsonValue::Int(int64_t value) {
  JsonValue v;
  v.kind = JsonKind::kInt64;
  v.int64 = value;
  return v;
}

JsonValue JsonValue::String(std::string_view value) {
  JsonValue v;
  v.kind = JsonKind::kString;
  v.string = std::string(value);
  return v;
}

JsonValue JsonValue::Object() {
  JsonValue v;
  v.kind = JsonKind::kObject;
  return v;
}

JsonValue JsonValue::Array() {
  JsonValue v;
  v.kind = JsonKind::kArray;
  return v;
}

JsonValue* JsonValue::Find(std::string_view key) {
  CREDSIM_ASSERT(is_object());
  for (auto it = members.rbegin(); it != members.rend(); ++it) {  // the last one counts
    if (it->key == key) return &it->value;
  }
  return nullptr;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  return const_cast<JsonValue*>(this)->Find(key);
}

void JsonValue::Set(std::string_view key, JsonValue value) {
  CREDSIM_ASSERT(is_object());
  size_t first = members.size();
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].key == key) {
      first = i;
      break;
    }
  }
  if (first == members.size()) {
    members.push_back(JsonMember{std::string(key), std::move(value)});
    return;
  }
  members[first].value = std::move(value);
  // Drop later duplicates so the key we just wrote is the only reading of it.
  size_t kept = first + 1;
  for (size_t i = first + 1; i < members.size(); ++i) {
    if (members[i].key == key) continue;
    if (kept != i) members[kept] = std::move(members[i]);
    ++kept;
  }
  members.resize(kept);
  CREDSIM_ASSERT(Find(key) != nullptr);
}

size_t JsonValue::Remove(std::string_view key) {
  CREDSIM_ASSERT(is_object());
  const size_t before = members.size();
  std::erase_if(members, [key](const JsonMember& m) { return m.key == key; });
  return before - members.size();
}

bool operator==(const JsonValue& a, const JsonValue& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case JsonKind::kNull:
      return true;
    case JsonKind::kBool:
      return a.boolean == b.boolean;
    case JsonKind::kInt64:
      return a.int64 == b.int64;
    case JsonKind::kUint64:
      return a.uint64 == b.uint64;
    case JsonKind::kDouble:
      return a.raw_number == b.raw_number && (a.number == b.number || !a.raw_number.empty());
    case JsonKind::kString:
      return a.string == b.string;
    case JsonKind::kArray:
      return a.array == b.array;
    case JsonKind::kObject:
      return a.members == b.members;
  }
  return false;
}

bool operator==(const JsonMember& a, const JsonMember& b) {
  return a.key == b.key && a.value == b.value;
}

Result<JsonValue> ParseJsonTree(std::string_view bytes) {
  NumberTexts numbers;
  Result<internal::Element> root = internal::ParseDom(bytes);
  if (root.ok()) return FromDom(root.value(), 0, numbers);
  // Whatever the owner's reader accepts is carried: a number simdjson cannot hold keeps its text.
  // The scan runs only when the plain parse failed (every write-back parses its store's bytes).
  const std::optional<internal::WithoutOverflow> replaced =
      internal::ReplaceOverflowingNumbers(bytes);
  if (!replaced) return root.error();
  root = internal::ParseDom(replaced->bytes);
  if (!root.ok()) return root.error();
  numbers.replaced = &replaced->replaced;
  return FromDom(root.value(), 0, numbers);
}

}  // namespace credsim::formats
