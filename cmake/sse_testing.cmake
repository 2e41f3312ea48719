# sse_add_test(<name> LABELS <label>... SOURCES <src>... [LIBRARIES <lib>...]
#              [PROPERTIES <name> <value>...])
#
# One way to register a GoogleTest suite, so every test case carries ctest labels (unit,
# property, server, wasm, browser, slow) and a developer can run one slice:
# `ctest --preset dev -L unit`. Each TEST() becomes its own ctest entry, so ctest -j spreads them.
# Under Emscripten (the wasm preset) the executable runs under Node as one entry with the same
# labels: `ctest --preset wasm -L unit`. PROPERTIES go to every entry (e.g. FIXTURES_REQUIRED).
include(GoogleTest)

function(sse_add_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "LABELS;SOURCES;LIBRARIES;PROPERTIES")
  if(NOT arg_LABELS)
    message(FATAL_ERROR "sse_add_test(${name}): give at least one LABELS entry")
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_LIBRARIES})
  list(LENGTH arg_LABELS label_count)
  if(EMSCRIPTEN)
    # Under wasm each ctest entry is a Node process that loads and compiles the module (~0.3 s):
    # one entry per test case would make the 1400 cases of the unit slice take minutes instead of
    # seconds, so the whole executable is one entry, run through CMAKE_CROSSCOMPILING_EMULATOR
    # (node). GoogleTest's output names any failing case; rerun one with
    # `node build/wasm/tests/<name>.js --gtest_filter=...`.
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${arg_LABELS}" ${arg_PROPERTIES})
  elseif(label_count EQUAL 1)
    gtest_discover_tests(${name} PROPERTIES LABELS "${arg_LABELS}" ${arg_PROPERTIES}
      DISCOVERY_TIMEOUT 60)
  else()
    # CMake 3.25's test discovery splits a list-valued property into separate arguments, so a
    # suite with several labels runs as one ctest entry that carries them all.
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${arg_LABELS}" ${arg_PROPERTIES})
  endif()
endfunction()

# sse_add_header_check(<target> <include-dir> <glob>...)
#
# Compiles every public header on its own in a translation unit of its own, so a header that
# forgets an #include fails the build instead of a user's.
function(sse_add_header_check target include_dir)
  file(GLOB_RECURSE headers RELATIVE ${include_dir} CONFIGURE_DEPENDS ${ARGN})
  set(sources)
  foreach(header IN LISTS headers)
    string(MAKE_C_IDENTIFIER ${header} id)
    set(source ${CMAKE_CURRENT_BINARY_DIR}/header_check/${id}.cpp)
    file(CONFIGURE OUTPUT ${source} CONTENT "#include \"${header}\"\n#include \"${header}\"\n")
    list(APPEND sources ${source})
  endforeach()
  add_library(${target} OBJECT ${sources})
  target_link_libraries(${target} PRIVATE sse::proto)
endfunction()
