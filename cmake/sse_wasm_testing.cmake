# The test suites' dependencies under the Emscripten toolchain (the wasm preset), so the same
# GoogleTest suites run natively and under Node with the same ctest labels.
#
# - GoogleTest is compiled from Debian's sources (package googletest, /usr/src/googletest): Debian
#   ships no wasm32 libgtest, and nothing may be downloaded. Defines GTest::gtest and
#   GTest::gtest_main, the names find_package(GTest) gives natively.
# - nlohmann_json is header-only: its package config is found on the host (the toolchain confines
#   find_package to the Emscripten sysroot), and its include directory is replaced by a folder
#   holding only nlohmann/, because -isystem /usr/include would put glibc's headers in front of
#   Emscripten's libc.
# - sse_node_test_runtime: link options that make a test executable a Node program reading the
#   real file system (tests/vectors/*.json, the fuzz corpus), with the exit status of main(). The
#   toolchain sets CMAKE_CROSSCOMPILING_EMULATOR to node, so add_test, gtest_discover_tests and
#   ctest run the .js output through it.
#
# RapidCheck has no Debian source package: property tests stay native (SSE_BUILD_PROPERTY_TESTS).
if(NOT EMSCRIPTEN)
  message(FATAL_ERROR "sse_wasm_testing is for the Emscripten toolchain (the wasm preset)")
endif()
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  message(FATAL_ERROR "the wasm tests run under Node: set CMAKE_CROSSCOMPILING_EMULATOR to node "
    "(Emscripten's toolchain file does so when node is on PATH)")
endif()

set(SSE_GOOGLETEST_SOURCE_DIR "/usr/src/googletest/googletest" CACHE PATH
  "GoogleTest sources compiled for wasm (Debian package googletest)")
if(NOT EXISTS ${SSE_GOOGLETEST_SOURCE_DIR}/src/gtest-all.cc)
  message(FATAL_ERROR "GoogleTest sources not found in ${SSE_GOOGLETEST_SOURCE_DIR}: "
    "install Debian's googletest package (scripts/bootstrap does), or set SSE_GOOGLETEST_SOURCE_DIR")
endif()

# gtest-all.cc is the library in one translation unit. Third-party code: built without the
# project's -Werror warning set (the preset's CMAKE_CXX_FLAGS), which it was not written for.
function(sse_add_gtest_library name)
  add_library(${name} STATIC ${ARGN})
  target_include_directories(${name} SYSTEM PUBLIC ${SSE_GOOGLETEST_SOURCE_DIR}/include)
  target_include_directories(${name} PRIVATE ${SSE_GOOGLETEST_SOURCE_DIR})
  # No threads in a plain wasm module: GoogleTest's thread-safety layer would need pthreads.
  target_compile_definitions(${name} PUBLIC GTEST_HAS_PTHREAD=0)
  target_compile_options(${name} PRIVATE -w)
  target_compile_features(${name} PUBLIC cxx_std_14)
endfunction()
sse_add_gtest_library(sse_gtest ${SSE_GOOGLETEST_SOURCE_DIR}/src/gtest-all.cc)
sse_add_gtest_library(sse_gtest_main ${SSE_GOOGLETEST_SOURCE_DIR}/src/gtest_main.cc)
target_link_libraries(sse_gtest_main PUBLIC sse_gtest)
add_library(GTest::gtest ALIAS sse_gtest)
add_library(GTest::gtest_main ALIAS sse_gtest_main)

find_package(nlohmann_json 3 REQUIRED CONFIG NO_CMAKE_FIND_ROOT_PATH)
find_path(SSE_NLOHMANN_JSON_INCLUDE_DIR nlohmann/json.hpp NO_CMAKE_FIND_ROOT_PATH
  HINTS ${nlohmann_json_DIR}/../../../include)
if(NOT SSE_NLOHMANN_JSON_INCLUDE_DIR)
  message(FATAL_ERROR "nlohmann/json.hpp not found: install nlohmann-json3-dev")
endif()
set(sse_json_include ${CMAKE_BINARY_DIR}/sse_host_headers)
file(MAKE_DIRECTORY ${sse_json_include})
file(CREATE_LINK ${SSE_NLOHMANN_JSON_INCLUDE_DIR}/nlohmann ${sse_json_include}/nlohmann SYMBOLIC)
set_target_properties(nlohmann_json::nlohmann_json PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES ${sse_json_include})

add_library(sse_node_test_runtime INTERFACE)
target_link_options(sse_node_test_runtime INTERFACE
  # Node only, with its real file system: these are test programs, not the shipped module.
  -sENVIRONMENT=node -sNODERAWFS=1
  # main()'s return value becomes the process's exit status (else Node exits 0 on failures).
  -sEXIT_RUNTIME=1
  # Synchronous instantiation reads the .wasm with fs; the default asynchronous path would try
  # Node 20's fetch() on a file path, which fails (Emscripten 3.1.6 predates Node's fetch).
  -sWASM_ASYNC_COMPILATION=0
  # Runtime checks in the JS glue and a stack-overflow check: an abort says why.
  -sASSERTIONS=1
  # The encoder's 32-bit overflow test (tests/proto/wraparound_test.cpp) needs about 600 MiB.
  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB
  # GoogleTest's parameterised suites and printers recurse deeper than the 64 KiB the shipped
  # module uses; 5 MiB is Emscripten's default, stated so it stays so.
  -sTOTAL_STACK=5MB)

# proto's inline headers (detail/scan.hpp) take a SIMD128 path when compiled with -msimd128, which
# wasm/CMakeLists.txt may give sse_proto. Compile the tests the same way, so tests/proto/scan_test
# checks the scan that ships and each inline function has one definition in a test program.
target_compile_options(sse_node_test_runtime INTERFACE
  "$<$<IN_LIST:-msimd128,$<TARGET_PROPERTY:sse_proto,COMPILE_OPTIONS>>:-msimd128>")

# Debian's emcc runs Node tools at link time that need NODE_PATH (see wasm/CMakeLists.txt): the
# preset's environment has it, this keeps `cmake --build` without the preset working too.
set(SSE_EMSCRIPTEN_NODE_PATH "/usr/share/nodejs" CACHE PATH "NODE_PATH for emcc's Node tools")
set_property(DIRECTORY PROPERTY RULE_LAUNCH_LINK
  "${CMAKE_COMMAND} -E env NODE_PATH=${SSE_EMSCRIPTEN_NODE_PATH}")
