#include "fake_oauth_server/json_writer.h"

#include <gtest/gtest.h>

namespace credsim::oauth {
namespace {

TEST(JsonWriter, NestedObjectsAndArrays) {
  JsonWriter w;
  w.BeginObject().Field("a", 1).Key("b").BeginArray().Int(-2).Bool(true).Null().EndArray();
  w.Key("c").BeginObject().EndObject().Field("d", "x").EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":[-2,true,null],"c":{},"d":"x"})");
}

TEST(JsonWriter, EscapesPerRfc8259) {
  std::string out;
  AppendJsonString(out, std::string("q\"b\\n\nt\tc\x01z\0e", 13));
  EXPECT_EQ(out, "\"q\\\"b\\\\n\\nt\\tc\\u0001z\\u0000e\"");
}

TEST(JsonWriter, KeepsValidUtf8ReplacesInvalid) {
  std::string out;
  AppendJsonString(out, "\xc3\xa9");  // é
  EXPECT_EQ(out, "\"\xc3\xa9\"");
  out.clear();
  AppendJsonString(out, "\xff\xc3");  // invalid byte, truncated sequence
  EXPECT_EQ(out, "\"\\ufffd\\ufffd\"");
  out.clear();
  AppendJsonString(out, "\xed\xa0\x80");  // a UTF-16 surrogate encoded in UTF-8 (RFC 3629 bans it)
  EXPECT_EQ(out, "\"\\ufffd\\ufffd\\ufffd\"");
}

}  // namespace
}  // namespace credsim::oauth
