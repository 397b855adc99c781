// What a fuzz target does when an invariant breaks: say which one, then abort so libFuzzer (or the
// replay test) records the input. Never prints the input: it may look like a token.
#pragma once

#include <cstdio>
#include <cstdlib>

#define CREDSIM_FUZZ_CHECK(condition, what)                                       \
  do {                                                                            \
    if (!(condition)) {                                                           \
      std::fprintf(stderr, "fuzz invariant broken: %s (%s)\n", what, #condition); \
      std::abort();                                                               \
    }                                                                             \
  } while (0)
