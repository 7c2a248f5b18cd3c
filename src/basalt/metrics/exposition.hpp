// Text exposition of metrics: the Prometheus text format 0.0.4, or OpenMetrics 1.0
// (docs/observability.md, "Formats"). Writes into one string; no I/O.
//
// The caller names a family once (family()), then writes its samples. Family names are given
// without the `_total` suffix of counters: the Prometheus format puts `_total` in the HELP and
// TYPE lines too, OpenMetrics only on the samples. Not thread-safe (one per scrape).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace basalt::metrics {

enum class Format { kPrometheus, kOpenMetrics };

enum class Type { kCounter, kGauge, kHistogram };

using Label = std::pair<std::string_view, std::string_view>;

class Exposition {
 public:
  explicit Exposition(Format format) : format_(format) {}

  Format format() const noexcept { return format_; }
  std::string_view content_type() const noexcept;

  void family(std::string_view name, Type type, std::string_view help);
  // A counter or gauge sample of the current family.
  void sample(std::span<const Label> labels, double value);
  void sample(std::span<const Label> labels, std::uint64_t value);
  void sample(std::span<const Label> labels, std::int64_t value);
  // A histogram sample: `counts` are per bucket, not cumulative, the last one above every bound;
  // `bounds` and `sum` are in the exported unit (for example seconds).
  void histogram(std::span<const Label> labels, std::span<const double> bounds,
                 std::span<const std::uint64_t> counts, double sum);

  // The text so far, with OpenMetrics' `# EOF` appended in that format. Call once.
  std::string finish();

 private:
  void write_name_and_labels(std::string_view suffix, std::span<const Label> labels,
                             std::string_view extra_name = {}, std::string_view extra_value = {});

  Format format_;
  Type type_ = Type::kGauge;
  std::string name_;
  std::string out_;
};

// A label value as both formats write it: `\` -> `\\`, `"` -> `\"`, newline -> `\n`.
std::string escape_label_value(std::string_view value);
// A float as both formats read it: shortest round-trip text, "+Inf", "-Inf", "NaN"; integral
// values keep a ".0" (OpenMetrics' canonical `le` values, such as "1.0").
std::string format_float(double value);

}  // namespace basalt::metrics
