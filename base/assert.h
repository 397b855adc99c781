// CREDSIM_ASSERT: an invariant check that stays on in every build (release, benchmarks, long
// swarms), unlike assert(), which NDEBUG removes. A failed check prints the condition, the file
// and line, and an optional message to stderr, then aborts: a broken invariant must stop a run
// before it produces a verdict. Use it for what the oracles rely on (the authority's one live
// refresh token per family, the scheduler's bounds, lock ownership) and at function boundaries.
//
// Header-only and dependency-free so the engine, the fake server and the simulator can each use it
// without linking one another's code.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace credsim::base {

[[noreturn]] inline void AssertFailed(const char* condition, const char* file, int line,
                                      const char* message) {
  std::fprintf(stderr, "%s:%d: CREDSIM_ASSERT(%s) failed%s%s\n", file, line, condition,
               message[0] != '\0' ? ": " : "", message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace credsim::base

// CREDSIM_ASSERT(cond) or CREDSIM_ASSERT(cond, "what it means"): the message is a string literal.
#define CREDSIM_ASSERT(cond, ...) \
  ((cond) ? static_cast<void>(0)  \
          : ::credsim::base::AssertFailed(#cond, __FILE__, __LINE__, "" __VA_ARGS__))
