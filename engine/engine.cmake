# The engine core (sans-I/O), its real I/O, the credsim-engine CLI and their tests.
add_library(credsim_engine STATIC
  ${CMAKE_CURRENT_LIST_DIR}/credential.cc
  ${CMAKE_CURRENT_LIST_DIR}/doctor.cc
  ${CMAKE_CURRENT_LIST_DIR}/engine.cc
  ${CMAKE_CURRENT_LIST_DIR}/io.cc
  ${CMAKE_CURRENT_LIST_DIR}/probes.cc
  ${CMAKE_CURRENT_LIST_DIR}/reconcile.cc
  ${CMAKE_CURRENT_LIST_DIR}/session.cc
  ${CMAKE_CURRENT_LIST_DIR}/store_codec.cc
  ${CMAKE_CURRENT_LIST_DIR}/store_id.cc
  ${CMAKE_CURRENT_LIST_DIR}/token_client.cc)
target_include_directories(credsim_engine PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(credsim_engine PUBLIC credsim_formats)
# A fuzz-only build (top-level CMakeLists.txt) has no cpp-httplib or GoogleTest: the core only.
if(CREDSIM_FUZZ_ONLY)
  return()
endif()

# Real I/O lives apart so that the simulator links the engine without files, sockets or clocks.
add_library(credsim_engine_posix STATIC
  ${CMAKE_CURRENT_LIST_DIR}/atomic_file.cc
  ${CMAKE_CURRENT_LIST_DIR}/io_posix.cc
  ${CMAKE_CURRENT_LIST_DIR}/keychain_directory.cc)
target_link_libraries(credsim_engine_posix PUBLIC credsim_engine PkgConfig::HTTPLIB Threads::Threads)

add_executable(credsim-engine ${CMAKE_CURRENT_LIST_DIR}/cli/main.cc)
target_link_libraries(credsim-engine PRIVATE credsim_engine_posix)

add_library(credsim_engine_testing STATIC ${CMAKE_CURRENT_LIST_DIR}/testing/mem_io.cc)
target_link_libraries(credsim_engine_testing PUBLIC credsim_engine)

credsim_test(engine_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/engine_test.cc ${CMAKE_CURRENT_LIST_DIR}/engine_codex_test.cc
  LIBS credsim_engine_testing LABELS unit)
credsim_test(engine_property_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/engine_property_test.cc
  LIBS credsim_engine_testing rapidcheck rapidcheck_gtest LABELS unit)

credsim_test(engine_process_race_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cli/race_test.cc
  LIBS credsim_formats PkgConfig::HTTPLIB Threads::Threads LABELS integration TIMEOUT 120)
add_dependencies(engine_process_race_test credsim-engine fake_oauth_server)

credsim_test(engine_units_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/reconcile_test.cc ${CMAKE_CURRENT_LIST_DIR}/token_client_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/store_codec_test.cc ${CMAKE_CURRENT_LIST_DIR}/doctor_test.cc
  LIBS credsim_engine_testing LABELS unit)
credsim_test(engine_posix_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/atomic_file_test.cc ${CMAKE_CURRENT_LIST_DIR}/io_posix_test.cc
  LIBS credsim_engine_posix credsim_engine_testing LABELS unit)
