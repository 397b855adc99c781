# Helpers that every directory uses, so tests, fuzzers and benchmarks are registered one way.

# credsim_test(NAME SOURCES a.cc b.cc LIBS x y LABELS unit [TIMEOUT s])
# One GoogleTest executable = one ctest entry, labelled so `ctest -L unit` runs one kind.
# A CREDSIM_FUZZ_ONLY build has no GoogleTest: no test is configured.
function(credsim_test name)
  if(CREDSIM_FUZZ_ONLY)
    return()
  endif()
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "CREDSIM_SOURCE_DIR=${PROJECT_SOURCE_DIR};CREDSIM_BIN_DIR=${CMAKE_BINARY_DIR}/bin")
endfunction()

# credsim_fuzzer(NAME SOURCE f.cc LIBS x CORPUS dir)
# Every fuzz target is built on every build as a replay program (fuzz/replay_main.cc runs it over its
# seed corpus, registered as a `fuzz-replay` test), so a target cannot rot when nobody has clang at
# hand. With CREDSIM_FUZZ=ON (the `fuzz` preset, clang-14) the same source also becomes a libFuzzer
# binary NAME_fuzzer.
function(credsim_fuzzer name)
  cmake_parse_arguments(F "" "SOURCE;CORPUS" "LIBS" ${ARGN})
  add_executable(${name}_replay ${F_SOURCE} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc)
  target_link_libraries(${name}_replay PRIVATE ${F_LIBS})
  set_target_properties(${name}_replay PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  # Inputs that once broke the target (ci/fuzz saves them there) are replayed with the corpus. Only
  # a target with findings has that directory (git keeps no empty one), so it is looked for.
  set(regressions ${PROJECT_SOURCE_DIR}/fuzz/regressions/${name})
  if(EXISTS ${regressions})
    add_test(NAME ${name}_replay COMMAND ${name}_replay ${F_CORPUS} ${regressions})
  else()
    add_test(NAME ${name}_replay COMMAND ${name}_replay ${F_CORPUS})
  endif()
  set_tests_properties(${name}_replay PROPERTIES LABELS "fuzz-replay" TIMEOUT 120)
  if(CREDSIM_FUZZ)
    add_executable(${name}_fuzzer ${F_SOURCE})
    target_link_libraries(${name}_fuzzer PRIVATE ${F_LIBS})
    # `fuzzers` builds every libFuzzer binary (the `fuzz` build preset's target, what ci/fuzz
    # runs), so the list of targets lives in fuzz/CMakeLists.txt alone.
    if(NOT TARGET fuzzers)
      add_custom_target(fuzzers)
    endif()
    add_dependencies(fuzzers ${name}_fuzzer)
    if(CREDSIM_FUZZING_ENGINE)
      # The caller's $CXXFLAGS carry the sanitizers; the engine comes as link flags.
      separate_arguments(engine_flags UNIX_COMMAND "${CREDSIM_FUZZING_ENGINE}")
      target_link_options(${name}_fuzzer PRIVATE ${engine_flags})
    else()
      target_compile_options(${name}_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
      target_link_options(${name}_fuzzer PRIVATE -fsanitize=fuzzer,address,undefined)
    endif()
  endif()
endfunction()

# credsim_benchmark(NAME SOURCES a.cc LIBS x): Google Benchmark programs, only with CREDSIM_BENCH.
function(credsim_benchmark name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT CREDSIM_BENCH)
    return()
  endif()
  add_executable(${name} ${B_SOURCES})
  target_link_libraries(${name} PRIVATE ${B_LIBS} benchmark::benchmark)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endfunction()
