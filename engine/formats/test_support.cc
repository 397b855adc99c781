#include "engine/formats/test_support.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

namespace credsim::formats::testing {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

rc::Gen<JsonValue> GenScalar() {
  return rc::gen::oneOf(
      rc::gen::just(JsonValue::Null()), rc::gen::map(rc::gen::arbitrary<bool>(), JsonValue::Bool),
      rc::gen::map(rc::gen::arbitrary<int64_t>(), JsonValue::Int),
      rc::gen::map(
          rc::gen::inRange<uint64_t>(uint64_t{1} << 63, std::numeric_limits<uint64_t>::max()),
          [](uint64_t v) {
            JsonValue j;
            j.kind = JsonKind::kUint64;
            j.uint64 = v;
            return j;
          }),
      rc::gen::map(rc::gen::arbitrary<double>(),
                   [](double d) {
                     JsonValue j;
                     j.kind = JsonKind::kDouble;
                     j.number = std::isfinite(d) ? d : 0.25;  // JSON has no inf/nan
                     return j;
                   }),
      rc::gen::map(GenText(), [](std::string s) { return JsonValue::String(s); }));
}

}  // namespace

std::string ReadTestdata(std::string_view name) {
  const std::string path = std::string(CREDSIM_FORMATS_TESTDATA) + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "missing test data file %s\n", path.c_str());
    std::abort();
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<JsonMember> UnknownMembers(const JsonValue& object,
                                       const std::vector<std::string_view>& typed_keys) {
  std::vector<JsonMember> out;
  for (const JsonMember& m : object.members) {
    bool typed = false;
    for (std::string_view k : typed_keys) typed = typed || m.key == k;
    if (!typed) out.push_back(m);
  }
  return out;
}

rc::Gen<std::string> GenText() {
  const rc::Gen<uint32_t> code_point = rc::gen::oneOf(
      rc::gen::inRange<uint32_t>(0x20, 0x7F), rc::gen::inRange<uint32_t>(0, 0x80),
      rc::gen::element<uint32_t>('"', '\\', '/', 0, '\n', 0x7F),
      rc::gen::inRange<uint32_t>(0x80, 0xD800), rc::gen::inRange<uint32_t>(0xE000, 0x110000));
  return rc::gen::map(rc::gen::container<std::vector<uint32_t>>(code_point),
                      [](const std::vector<uint32_t>& cps) {
                        std::string out;
                        for (uint32_t cp : cps) AppendUtf8(cp, &out);
                        return out;
                      });
}

rc::Gen<int64_t> GenEpochMs() {
  return rc::gen::oneOf(
      rc::gen::just<int64_t>(0), rc::gen::inRange<int64_t>(100'000'000'000, 4'102'444'800'000),
      rc::gen::inRange<int64_t>(100'000'000'000, std::numeric_limits<int64_t>::max()));
}

rc::Gen<int64_t> GenEpochSeconds() { return rc::gen::inRange<int64_t>(0, 100'000'000'000); }

rc::Gen<JsonValue> GenJsonValue(int depth) {
  if (depth <= 0) return GenScalar();
  const rc::Gen<JsonValue> child = GenJsonValue(depth - 1);
  const rc::Gen<JsonValue> array =
      rc::gen::mapcat(rc::gen::inRange<size_t>(0, 4), [child](size_t n) {
        return rc::gen::map(rc::gen::container<std::vector<JsonValue>>(n, child),
                            [](std::vector<JsonValue> items) {
                              JsonValue j = JsonValue::Array();
                              j.array = std::move(items);
                              return j;
                            });
      });
  const rc::Gen<JsonValue> object =
      rc::gen::mapcat(rc::gen::inRange<size_t>(0, 4), [child](size_t n) {
        return rc::gen::map(rc::gen::container<std::vector<std::pair<std::string, JsonValue>>>(
                                n, rc::gen::pair(GenText(), child)),
                            [](const std::vector<std::pair<std::string, JsonValue>>& pairs) {
                              JsonValue j = JsonValue::Object();
                              for (const auto& [k, v] : pairs)
                                j.members.push_back(JsonMember{k, v});
                              return j;
                            });
      });
  return rc::gen::oneOf(GenScalar(), GenScalar(), array, object);
}

rc::Gen<std::vector<JsonMember>> GenUnknownMembers() {
  return rc::gen::mapcat(rc::gen::inRange<size_t>(0, 5), [](size_t n) {
    return rc::gen::map(rc::gen::container<std::vector<std::pair<std::string, JsonValue>>>(
                            n, rc::gen::pair(GenText(), GenJsonValue(2))),
                        [](const std::vector<std::pair<std::string, JsonValue>>& pairs) {
                          std::vector<JsonMember> members;
                          for (const auto& [k, v] : pairs) {
                            members.push_back(JsonMember{"x-" + k, v});
                          }
                          return members;
                        });
  });
}

JsonValue ObjectOf(std::vector<JsonMember> members) {
  JsonValue j = JsonValue::Object();
  j.members = std::move(members);
  return j;
}

}  // namespace credsim::formats::testing
