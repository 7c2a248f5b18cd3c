# How Basalt's targets are compiled quickly (docs/architecture.md, "Build").
#
# basalt_build_setup(<target> [UNITY]) is called once per module library (and by
# basalt_unit_test for every test): it gives the target the shared precompiled header below and,
# with UNITY, unity batches. Every module calls it the same way, so a new module needs one line.

option(BASALT_PCH "Precompile the headers nearly every translation unit includes" ON)

# Links with lld where the compiler can use it (scripts/install-deps.sh installs it): about 4x
# less time than GNU ld for the same executable (an ASan records_test, 2.8 s against 0.7 s),
# and a tree links some 50 executables. Without lld, the toolchain's default linker.
include(CheckLinkerFlag)
check_linker_flag(CXX "-fuse-ld=lld" BASALT_LINKER_LLD)
if(BASALT_LINKER_LLD)
  add_link_options(-fuse-ld=lld)
endif()

# The libFuzzer targets (tests/fuzz) live in the sanitizer tree (preset `asan`, clang): with this
# on, every library of the tree is compiled with libFuzzer's coverage instrumentation
# (-fsanitize=fuzzer-no-link) on top of the tree's ASan+UBSan, and only the fuzz targets link
# libFuzzer itself (-fsanitize=fuzzer). So one compile of each library serves the sanitized unit
# and integration tests and the fuzzers; the tests' own files stay uninstrumented (the ASan
# runtime defines the coverage callbacks as no-ops, so a test links without libFuzzer).
option(BASALT_BUILD_FUZZ "Build the libFuzzer targets in tests/fuzz (clang, in the asan tree)" OFF)
set(BASALT_LIBRARY_FLAGS "")
if(BASALT_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "BASALT_BUILD_FUZZ needs clang for libFuzzer (the asan preset uses it)")
  endif()
  if(NOT CMAKE_CXX_FLAGS MATCHES "-fsanitize=[^ ]*address")
    message(FATAL_ERROR "BASALT_BUILD_FUZZ: the fuzzers must run under ASan+UBSan; configure "
                        "the asan preset (cmake --preset asan)")
  endif()
  set(BASALT_LIBRARY_FLAGS -fsanitize=fuzzer-no-link)
endif()

# The optimisation level of the tests' own translation units (the test files, not the libraries
# they test, which keep the tree's level): a test file is a pile of large generated functions
# (every TEST and EXPECT) that the optimiser works hardest on and that run once, so -O3, or -O1
# with ASan and UBSan instrumentation, buys nothing but compile time. The presets set it: -O1 in
# release (a quarter less time per test file), -O0 in asan (40 % less). Empty: the tree's flags.
set(BASALT_TEST_OPTIMIZE "" CACHE STRING
  "Optimisation flag for the tests' own sources (e.g. -O1); empty keeps the build type's")

# The headers parsed by most translation units: the standard library, Boost.JSON (records are
# JSON objects everywhere), the Asio awaitable of every service interface and fmt. Together they
# cost ~1.8 s of every -O2 compile; precompiled, they cost one compile per build tree. Beast and
# the rest of Asio stay out: only src/basalt/http pays for them.
set(BASALT_PCH_HEADERS
  <algorithm> <atomic> <chrono> <cstddef> <cstdint> <functional> <map> <memory> <mutex>
  <optional> <span> <stdexcept> <string> <string_view> <unordered_map> <utility> <variant>
  <vector>
  <boost/asio/awaitable.hpp>
  <boost/json/array.hpp> <boost/json/object.hpp> <boost/json/parse.hpp>
  <boost/json/serialize.hpp> <boost/json/value.hpp>
  <fmt/format.h>)

# One precompiled header per build tree for the libraries and one (the same plus GoogleTest) for
# the tests; every other target reuses them (REUSE_FROM), which is valid because all of them are
# compiled with the same flags (basalt_options and the tree's CMAKE_CXX_FLAGS).
if(BASALT_PCH)
  # ccache caches compiles that use a precompiled header only with this sloppiness (its manual,
  # "Precompiled headers"), and only when the header is named with -include (GCC, as CMake
  # does) or -include-pch (clang, set below). Set before the first target, which takes the
  # launcher when it is created. CCACHE_PCH_EXTSUM: a header's users hash its checksum file
  # (below) instead of the header.
  if(CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros CCACHE_PCH_EXTSUM=1
      ${CMAKE_CXX_COMPILER_LAUNCHER})
  endif()
  add_library(basalt_pch OBJECT ${CMAKE_CURRENT_LIST_DIR}/pch_owner.cpp)
  target_link_libraries(basalt_pch PRIVATE basalt_options fmt::fmt spdlog::spdlog)
  target_precompile_headers(basalt_pch PRIVATE ${BASALT_PCH_HEADERS})
  # Built with the libraries' flags, which are its only users.
  target_compile_options(basalt_pch PRIVATE ${BASALT_LIBRARY_FLAGS})
  if(BASALT_BUILD_TESTS)
    add_library(basalt_test_pch OBJECT ${CMAKE_CURRENT_LIST_DIR}/pch_owner.cpp)
    target_link_libraries(basalt_test_pch PRIVATE basalt_options fmt::fmt spdlog::spdlog
      GTest::gtest)
    target_precompile_headers(basalt_test_pch PRIVATE ${BASALT_PCH_HEADERS} <gtest/gtest.h>)
    # Built with the tests' flags: GCC refuses a header precompiled at another -O level when
    # the level changes the predefined macros (__OPTIMIZE__, __NO_INLINE__).
    target_compile_options(basalt_test_pch PRIVATE ${BASALT_TEST_OPTIMIZE})
  endif()
  # GCC 12 forgets, for code read from a precompiled header, that libstdc++ is a system header,
  # so its false -Warray-bounds/-Wstringop-overflow/-Wstringop-overread reports about
  # std::string's inlined memcpy at -O3 (GCC bugs 105329, 106199), normally silenced there,
  # become errors in a few files.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(basalt_options INTERFACE
      -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)
  endif()
  # ccache across clones (CI builds a fresh clone; scripts/test.sh sets CCACHE_BASEDIR to it).
  # ccache hashes a precompiled header into every compile that uses it, and no two compiles of
  # one make the same file: GCC's .gch differs from run to run, a clang .pch records this
  # clone's absolute paths (and its build time, which -fno-pch-timestamp removes). So the
  # header's compile writes <pch>.sum, a checksum of the header's meaning without the clone's
  # paths (pch_checksum.sh), which ccache hashes instead (CCACHE_PCH_EXTSUM). And CMake's clang
  # spelling of a use, `-Xclang -include-pch -Xclang <abs>`, hides the path from ccache's
  # rewriting, so a clang user names it with the driver's -include-pch, which ccache rewrites
  # (the header's own -include is redundant with it).
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(CMAKE_CXX_COMPILE_OPTIONS_USE_PCH -include-pch <PCH_FILE>)
  endif()
  set(pch_launcher ${CMAKE_CURRENT_LIST_DIR}/pch_checksum.sh ${CMAKE_SOURCE_DIR}
    ${CMAKE_BINARY_DIR} ${CMAKE_CXX_COMPILER} ${CMAKE_CXX_COMPILER_LAUNCHER})
  foreach(pch_target basalt_pch basalt_test_pch)
    if(NOT TARGET ${pch_target})
      continue()
    endif()
    if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
      target_compile_options(${pch_target} PRIVATE "SHELL:-Xclang -fno-pch-timestamp")
    endif()
    if(CMAKE_CXX_COMPILER_LAUNCHER)
      set_target_properties(${pch_target} PROPERTIES CXX_COMPILER_LAUNCHER "${pch_launcher}")
    endif()
  endforeach()
endif()

# basalt_build_setup(<target> [TEST] [UNITY]): the shared precompiled header for <target>; TEST
# picks the one with GoogleTest. UNITY also compiles the target's sources a few at a time as one
# translation unit (BASALT_UNITY_BATCH files each), so the headers they share and the templates
# they instantiate are compiled once per batch; only for a module whose files have no clashing
# names in anonymous namespaces (the build fails loudly when one appears: rename it, or set
# SKIP_UNITY_BUILD_INCLUSION on the file).
option(BASALT_UNITY "Compile the modules that opt in (UNITY) as unity batches" ON)
set(BASALT_UNITY_BATCH 4 CACHE STRING "Source files per unity batch")

# basalt_unity_batches(<target>): the target's .cpp files, BASALT_UNITY_BATCH at a time, as
# batch files in <binary dir>/unity that include them by a path relative to the batch. Not
# CMake's UNITY_BUILD: CMake 3.25 writes absolute paths into a batch, so its text, which
# ccache's direct mode hashes, differs in every clone, and a fresh clone ran the preprocessor
# over every batch (docs/architecture.md, "Build"). Run deferred, at the end of the target's
# directory, so that properties set after basalt_build_setup count. A file stays out of the
# batches, compiled alone, when it sets SKIP_UNITY_BUILD_INCLUSION or has compile settings of its
# own (a batch has one command line); the files in a batch become HEADER_FILE_ONLY.
function(basalt_unity_batches target)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(batch_dir "${CMAKE_CURRENT_BINARY_DIR}/unity")
  set(batched "")
  set(lines "")
  foreach(source IN LISTS sources)
    if(NOT source MATCHES "\\.cpp$")
      continue()
    endif()
    set(alone FALSE)
    foreach(property SKIP_UNITY_BUILD_INCLUSION COMPILE_DEFINITIONS COMPILE_OPTIONS COMPILE_FLAGS
        INCLUDE_DIRECTORIES)
      get_source_file_property(value ${source} ${property})
      if(value)
        set(alone TRUE)
      endif()
    endforeach()
    if(alone)
      continue()
    endif()
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY "${source_dir}" OUTPUT_VARIABLE absolute)
    file(RELATIVE_PATH relative "${batch_dir}" "${absolute}")
    list(APPEND batched ${source})
    list(APPEND lines "#include \"${relative}\"")
  endforeach()
  list(LENGTH lines count)
  set(batch_files "")
  set(start 0)
  set(index 0)
  while(start LESS count)
    list(SUBLIST lines ${start} ${BASALT_UNITY_BATCH} batch)
    list(JOIN batch "\n" text)
    set(file "${batch_dir}/${target}_${index}.cpp")
    # CONFIGURE rewrites the file only when its text changed: an unchanged batch is not rebuilt.
    file(CONFIGURE OUTPUT "${file}" CONTENT "// Generated by basalt_unity_batches.\n${text}\n" @ONLY)
    list(APPEND batch_files "${file}")
    math(EXPR start "${start} + ${BASALT_UNITY_BATCH}")
    math(EXPR index "${index} + 1")
  endwhile()
  if(batched)
    set_source_files_properties(${batched} PROPERTIES HEADER_FILE_ONLY ON)
    target_sources(${target} PRIVATE ${batch_files})
  endif()
endfunction()

function(basalt_build_setup target)
  cmake_parse_arguments(B "TEST;UNITY" "" "" ${ARGN})
  if(B_TEST)
    # After the build type's flags on the command line, so it is the level that counts.
    target_compile_options(${target} PRIVATE ${BASALT_TEST_OPTIMIZE})
  else()
    target_compile_options(${target} PRIVATE ${BASALT_LIBRARY_FLAGS})
  endif()
  if(B_UNITY AND BASALT_UNITY)
    # EVAL: a deferred call's arguments are read when it runs, and `target` is this function's.
    cmake_language(EVAL CODE "cmake_language(DEFER CALL basalt_unity_batches [[${target}]])")
    # GCC takes a .cpp included into a batch for a header and warns about anonymous-namespace
    # types reaching a coroutine frame (-Wsubobject-linkage), which is only a concern in headers.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
    endif()
  endif()
  if(NOT BASALT_PCH)
    return()
  endif()
  if(B_TEST)
    target_precompile_headers(${target} REUSE_FROM basalt_test_pch)
  else()
    target_precompile_headers(${target} REUSE_FROM basalt_pch)
  endif()
endfunction()
