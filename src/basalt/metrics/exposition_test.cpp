#include "basalt/metrics/exposition.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace basalt::metrics {
namespace {

TEST(ExpositionTest, EscapesLabelValues) {
  EXPECT_EQ(escape_label_value(R"(a\b"c)"
                               "\n"
                               "d"),
            R"(a\\b\"c\nd)");
  Exposition out(Format::kPrometheus);
  out.family("basalt_x", Type::kGauge, "Help with \\ and\nnewline and \"quotes\".");
  const Label labels[] = {{"route", "/api/\"x\"\\\n"}};
  out.sample(labels, std::int64_t{-3});
  EXPECT_EQ(out.finish(),
            "# HELP basalt_x Help with \\\\ and\\nnewline and \"quotes\".\n"
            "# TYPE basalt_x gauge\n"
            "basalt_x{route=\"/api/\\\"x\\\"\\\\\\n\"} -3\n");
}

TEST(ExpositionTest, CounterFamiliesCarryTotalOnlyWherePrometheusWantsIt) {
  const Label labels[] = {{"method", "GET"}, {"status", "2xx"}};
  Exposition text(Format::kPrometheus);
  text.family("basalt_requests", Type::kCounter, "Requests.");
  text.sample(labels, std::uint64_t{7});
  EXPECT_EQ(text.finish(),
            "# HELP basalt_requests_total Requests.\n"
            "# TYPE basalt_requests_total counter\n"
            "basalt_requests_total{method=\"GET\",status=\"2xx\"} 7\n");

  Exposition open(Format::kOpenMetrics);
  open.family("basalt_requests", Type::kCounter, "Requests \"all\".");
  open.sample(labels, std::uint64_t{7});
  EXPECT_EQ(open.finish(),
            "# TYPE basalt_requests counter\n"
            "# HELP basalt_requests Requests \\\"all\\\".\n"
            "basalt_requests_total{method=\"GET\",status=\"2xx\"} 7\n"
            "# EOF\n");
  EXPECT_EQ(open.content_type(), "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_EQ(text.content_type(), "text/plain; version=0.0.4; charset=utf-8");
}

TEST(ExpositionTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Exposition out(Format::kPrometheus);
  out.family("basalt_d_seconds", Type::kHistogram, "D.");
  const std::array<double, 3> bounds{0.001, 0.5, 2};
  const std::array<std::uint64_t, 4> counts{3, 0, 2, 1};  // the last: above every bound
  const Label labels[] = {{"route", "/r"}};
  out.histogram(labels, bounds, counts, 7.25);
  EXPECT_EQ(out.finish(),
            "# HELP basalt_d_seconds D.\n"
            "# TYPE basalt_d_seconds histogram\n"
            "basalt_d_seconds_bucket{route=\"/r\",le=\"0.001\"} 3\n"
            "basalt_d_seconds_bucket{route=\"/r\",le=\"0.5\"} 3\n"
            "basalt_d_seconds_bucket{route=\"/r\",le=\"2.0\"} 5\n"
            "basalt_d_seconds_bucket{route=\"/r\",le=\"+Inf\"} 6\n"
            "basalt_d_seconds_sum{route=\"/r\"} 7.25\n"
            "basalt_d_seconds_count{route=\"/r\"} 6\n");
}

TEST(ExpositionTest, FloatsAreCanonical) {
  EXPECT_EQ(format_float(1), "1.0");
  EXPECT_EQ(format_float(0.0001), "0.0001");
  EXPECT_EQ(format_float(2.5), "2.5");
  EXPECT_EQ(format_float(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_float(-1.0 / 0.0), "-Inf");
}

}  // namespace
}  // namespace basalt::metrics
