#include "fake_oauth_server/model_answers.h"

#include "fake_oauth_server/json_writer.h"

namespace credsim::oauth {
namespace {

constexpr std::string_view kEventStream = "text/event-stream";
constexpr std::string_view kJson = "application/json";

// One server-sent event (WHATWG HTML §9.2): "event: NAME\ndata: JSON\n\n".
void AppendEvent(std::string& out, std::string_view name, std::string_view json) {
  out.append("event: ").append(name).append("\ndata: ").append(json).append("\n\n");
}

std::string TextContent(std::string_view type) {
  JsonWriter w;
  w.BeginArray().BeginObject().Field("type", type).Field("text", "ok");
  if (type == "output_text") w.Key("annotations").BeginArray().EndArray();
  w.EndObject().EndArray();
  return w.Take();
}

}  // namespace

bool AsksForStream(std::string_view body) {
  // Only a top-level member counts; nested "stream" keys are rare in a request and harmless here.
  size_t at = body.find("\"stream\"");
  while (at != std::string_view::npos) {
    size_t v = body.find_first_not_of(" \t\r\n", at + 8);
    if (v != std::string_view::npos && body[v] == ':') {
      v = body.find_first_not_of(" \t\r\n", v + 1);
      if (v != std::string_view::npos && body.substr(v, 4) == "true") return true;
    }
    at = body.find("\"stream\"", at + 8);
  }
  return false;
}

ModelAnswer AnthropicMessage(bool stream) {
  if (!stream) {
    std::string body = R"({"id":"msg_fake","type":"message","role":"assistant","content":)";
    body += TextContent("text");
    body += R"(,"model":"fake","stop_reason":"end_turn","stop_sequence":null,)"
            R"("usage":{"input_tokens":1,"output_tokens":1}})";
    return {std::string(kJson), std::move(body)};
  }
  std::string out;
  AppendEvent(out, "message_start",
              R"({"type":"message_start","message":{"id":"msg_fake","type":"message",)"
              R"("role":"assistant","model":"fake","content":[],"stop_reason":null,)"
              R"("stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}})");
  AppendEvent(out, "content_block_start",
              R"({"type":"content_block_start","index":0,)"
              R"("content_block":{"type":"text","text":""}})");
  AppendEvent(out, "content_block_delta",
              R"({"type":"content_block_delta","index":0,)"
              R"("delta":{"type":"text_delta","text":"ok"}})");
  AppendEvent(out, "content_block_stop", R"({"type":"content_block_stop","index":0})");
  AppendEvent(out, "message_delta",
              R"({"type":"message_delta","delta":{"stop_reason":"end_turn",)"
              R"("stop_sequence":null},"usage":{"output_tokens":1}})");
  AppendEvent(out, "message_stop", R"({"type":"message_stop"})");
  return {std::string(kEventStream), std::move(out)};
}

ModelAnswer OpenAiResponseStream() {
  std::string out;
  AppendEvent(out, "response.created",
              R"({"type":"response.created","response":{"id":"resp_fake","object":"response",)"
              R"("status":"in_progress","output":[]}})");
  std::string item = R"({"type":"response.output_item.done","output_index":0,"item":)"
                     R"({"type":"message","id":"msg_fake","status":"completed",)"
                     R"("role":"assistant","content":)";
  item += TextContent("output_text");
  item += "}}";
  AppendEvent(out, "response.output_item.done", item);
  AppendEvent(out, "response.completed",
              R"({"type":"response.completed","response":{"id":"resp_fake","object":"response",)"
              R"("status":"completed","output":[],"usage":{"input_tokens":1,)"
              R"("input_tokens_details":{"cached_tokens":0},"output_tokens":1,)"
              R"("output_tokens_details":{"reasoning_tokens":0},"total_tokens":2}}})");
  return {std::string(kEventStream), std::move(out)};
}

ModelAnswer AnthropicProfile(std::string_view account_uuid, std::string_view organization_uuid) {
  JsonWriter w;
  w.BeginObject()
      .Key("account")
      .BeginObject()
      .Field("uuid", account_uuid)
      .Field("email", "user@example.invalid")
      .Field("display_name", "credsim user")
      .Field("has_claude_max", true)
      .Field("has_claude_pro", false)
      .EndObject()
      .Key("organization")
      .BeginObject()
      .Field("uuid", organization_uuid)
      .Field("name", "credsim")
      .Field("organization_type", "claude_max")
      .Field("rate_limit_tier", "default_claude_max_20x")
      .EndObject()
      .EndObject();
  return {std::string(kJson), w.Take()};
}

}  // namespace credsim::oauth
