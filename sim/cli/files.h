// Whole-file reads and writes for the `credsim` commands (schedules, tapes, traces, scenario
// files, reports): one place for the bound on what is read and for reporting a failed write.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace credsim::sim {

// The file's bytes; nullopt when it cannot be read or holds more than max_bytes.
std::optional<std::string> ReadFileBytes(const std::string& path, size_t max_bytes);
// Creates or truncates `path` with `bytes`; false when any part of it failed (close included).
bool WriteFileBytes(const std::string& path, const std::string& bytes);

}  // namespace credsim::sim
