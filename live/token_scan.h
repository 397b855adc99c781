// Finds text shaped like an OAuth token of the providers credsim serves, in what a consumer
// printed: Anthropic "sk-ant-oat01-…" / "sk-ant-ort01-…", OpenAI refresh tokens "rt_…" and JWTs
// "eyJ….eyJ….". The caller asks the server which of them are real tokens of the run (by label),
// so a consumer's own made-up strings are not blamed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace credsim::live {

// Every token-shaped substring of `text`, in order, at most `limit`.
std::vector<std::string> TokenShapedStrings(std::string_view text, size_t limit = 64);

}  // namespace credsim::live
