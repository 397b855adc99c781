#include "live/command_template.h"

namespace credsim::live {

std::string ShellQuote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string TokenPath(engine::Provider provider) {
  return provider == engine::Provider::kAnthropic ? "/v1/oauth/token" : "/oauth/token";
}

TemplateValues CommandValues(const std::string& home, const std::string& server_base_url,
                             engine::Provider provider, const std::string& engine_binary,
                             const std::string& tag) {
  const std::string base = server_base_url + "/as/" + tag;
  return {{"home", home},
          {"token_url", base + TokenPath(provider)},
          {"base_url", base},
          {"provider", engine::ProviderName(provider)},
          {"codex_home", home + "/.codex"},
          {"claude_dir", home + "/.claude"},
          {"engine", engine_binary},
          {"tag", tag}};
}

std::map<std::string, std::string> CommandEnv(const TemplateValues& values) {
  std::map<std::string, std::string> env;
  for (const auto& [key, value] : values) {
    if (key == "home") env["HOME"] = value;
    if (key == "codex_home") env["CODEX_HOME"] = value;
    if (key == "token_url") env["CODEX_REFRESH_TOKEN_URL_OVERRIDE"] = value;
    std::string upper = "CREDSIM_";
    for (char c : key) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    env[upper] = value;
  }
  return env;
}

std::string ExpandTemplate(const std::string& command, const TemplateValues& values) {
  std::string out;
  size_t i = 0;
  while (i < command.size()) {
    bool replaced = false;
    if (command[i] == '{') {
      for (const auto& [key, value] : values) {
        const std::string placeholder = "{" + key + "}";
        if (command.compare(i, placeholder.size(), placeholder) == 0) {
          out += ShellQuote(value);
          i += placeholder.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += command[i++];
  }
  return out;
}

std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return text.substr(start, end - start + 1);
}

}  // namespace credsim::live
