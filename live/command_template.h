// The contract a command of `credsim live` and `credsim fuzz-store` runs under
// (docs/EXTERNAL_ENGINES.md): the placeholders of its template, the environment it gets, and how
// its answer is read. One definition, so both subcommands hand a command the same things.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/credential.h"

namespace credsim::live {

using TemplateValues = std::vector<std::pair<std::string, std::string>>;

// The token endpoint's path on fake_oauth_server for the provider.
std::string TokenPath(engine::Provider provider);

// The placeholders of one run of a command: {home}, {token_url} and {base_url} (under
// /as/<tag>, so the server's log names the run), {provider} (anthropic | openai-codex),
// {codex_home}, {claude_dir}, {engine}, {tag}.
TemplateValues CommandValues(const std::string& home, const std::string& server_base_url,
                             engine::Provider provider, const std::string& engine_binary,
                             const std::string& tag);

// The environment added for it: HOME, CODEX_HOME, Codex's token-URL override, and every value as
// CREDSIM_<NAME>.
std::map<std::string, std::string> CommandEnv(const TemplateValues& values);

// Placeholders, each replaced by its value single-quoted for /bin/sh. Unknown placeholders are
// left as they are.
std::string ExpandTemplate(const std::string& command, const TemplateValues& values);

// `value` single-quoted for /bin/sh.
std::string ShellQuote(const std::string& value);

// The last non-blank line of a command's output (its answer), without the line end.
std::string LastLine(const std::string& text);

}  // namespace credsim::live
