// acceptance_probe FORMAT FILE...: for each file, whether the engine's parser for FORMAT (claude,
// agent, codex) accepts it as JSON ("json-ok"/"json-refused") and as a store ("store-ok" or
// "store-refused"), one line per file, tab-separated. A test tool for owner_acceptance_test.py,
// which compares the JSON-level answer with the store owner's own reader; never prints file
// contents (an error names a JSON path only).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/formats/agent_auth.h"
#include "engine/formats/claude_credentials.h"
#include "engine/formats/codex_auth.h"
#include "engine/formats/json_tree.h"

namespace {

using namespace credsim::formats;

template <class T>
const char* Verdict(const Result<T>& r) {
  return r.ok() ? "store-ok" : "store-refused";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: acceptance_probe claude|agent|codex FILE...\n");
    return 2;
  }
  const std::string format = argv[1];
  if (format != "claude" && format != "agent" && format != "codex") {
    std::fprintf(stderr, "acceptance_probe: unknown format %s\n", format.c_str());
    return 2;
  }
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    // The JSON level as the owner reads it: the tree accepts what JSON.parse and Python read;
    // Codex's serde_json refuses what the Codex parser refuses at the root.
    const bool json_ok = ParseJsonTree(bytes).ok();
    const char* store = format == "claude"  ? Verdict(ParseClaudeCredentials(bytes))
                        : format == "agent" ? Verdict(ParseAgentAuth(bytes))
                                            : Verdict(ParseCodexAuth(bytes));
    std::printf("%s\t%s\t%s\n", argv[i], json_ok ? "json-ok" : "json-refused", store);
  }
  return 0;
}
