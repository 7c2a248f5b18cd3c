// The one source of the basalt_pch and basalt_test_pch targets: a target needs a source for
// CMake to build its precompiled header, which every other target then reuses.
