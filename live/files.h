// The few file operations a live run makes on its own work directory and sandbox home.
#pragma once

#include <string>

namespace credsim::live {

// The whole file, or "" when it cannot be read (a process's output that never appeared).
std::string ReadWholeFile(const std::string& path);
// False when the file cannot be read.
bool ReadWholeFile(const std::string& path, std::string* bytes);
// Temp file beside it (0600), fsync, rename over `path`; the parent directory is created if
// missing. Token text goes through here: never a moment with wider permissions.
bool WriteFileAtomically(const std::string& path, const std::string& bytes);
// A new private directory under $TMPDIR (or /tmp) named `prefix`-XXXXXX; "" when none could be
// made.
std::string MakeTempDirectory(const std::string& prefix);
// The path of `name` in the directory of the running binary (build/bin holds every binary).
std::string BesideThisBinary(const char* name);

}  // namespace credsim::live
