// W3C traceparent / tracestate parsing and formatting.
#include "basalt/core/trace_context.hpp"

#include <gtest/gtest.h>

#include <string>

namespace basalt::core {
namespace {

constexpr std::string_view kValidTraceparent =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceContextTest, ReadsAValidHeaderAndWritesItBack) {
  auto parent = parse_traceparent(kValidTraceparent);
  ASSERT_TRUE(parent);
  EXPECT_TRUE(parent->sampled());
  std::array<char, 32> trace{};
  to_hex(parent->trace_id, trace);
  EXPECT_EQ(std::string(trace.data(), trace.size()), "4bf92f3577b34da6a3ce929d0e0e4736");
  const auto header = format_traceparent(parent->trace_id, parent->parent_id, parent->flags);
  EXPECT_EQ(std::string_view(header.data(), header.size()), kValidTraceparent);
}

TEST(TraceContextTest, IgnoresInvalidHeaders) {
  for (std::string_view bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",         // short
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // v00 is exact
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",        // uppercase
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",        // zero trace
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",        // zero parent
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",        // version ff
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",        // separator
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",        // not hex
           "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",       // future, no '-'
       }) {
    EXPECT_FALSE(parse_traceparent(bad)) << bad;
  }
}

TEST(TraceContextTest, ReadsAFutureVersionByItsKnownFields) {
  auto parent =
      parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-whatever");
  ASSERT_TRUE(parent);
  EXPECT_FALSE(parent->sampled());
}

TEST(TraceContextTest, KeepsOnlyABoundedPrintableTracestate) {
  EXPECT_EQ(checked_tracestate("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
            "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  EXPECT_EQ(checked_tracestate(std::string(513, 'a')), "");
  std::string many;
  for (int i = 0; i < 33; ++i) many += (i ? ",k" : "k") + std::to_string(i) + "=v";
  EXPECT_EQ(checked_tracestate(many), "");
  EXPECT_EQ(checked_tracestate("a=\x01"), "");
}

TEST(TraceContextTest, RandomIdsAreNeverZero) {
  for (int i = 0; i < 100; ++i) {
    EXPECT_NE(random_trace_id(), TraceId{});
    EXPECT_NE(random_span_id(), SpanId{});
  }
  EXPECT_NE(random_trace_id(), random_trace_id());
}

}  // namespace
}  // namespace basalt::core
