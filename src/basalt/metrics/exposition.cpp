#include "basalt/metrics/exposition.hpp"

#include <fmt/format.h>

#include <cmath>

namespace basalt::metrics {
namespace {

std::string escape_help(std::string_view text, Format format) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && format == Format::kOpenMetrics) {
      out += "\\\"";  // OpenMetrics escapes quotes in HELP too; the 0.0.4 format does not
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_float(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

std::string_view Exposition::content_type() const noexcept {
  return format_ == Format::kOpenMetrics
             ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
             : "text/plain; version=0.0.4; charset=utf-8";
}

void Exposition::family(std::string_view name, Type type, std::string_view help) {
  name_.assign(name);
  type_ = type;
  const char* type_name = type == Type::kCounter ? "counter"
                          : type == Type::kGauge ? "gauge"
                                                 : "histogram";
  // The 0.0.4 format names a counter family by its samples' name (with _total).
  std::string family_name = name_;
  if (type == Type::kCounter && format_ == Format::kPrometheus) family_name += "_total";
  const std::string help_text = escape_help(help, format_);
  if (format_ == Format::kOpenMetrics) {
    fmt::format_to(std::back_inserter(out_), "# TYPE {} {}\n# HELP {} {}\n", family_name, type_name,
                   family_name, help_text);
  } else {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", family_name, help_text,
                   family_name, type_name);
  }
}

void Exposition::write_name_and_labels(std::string_view suffix, std::span<const Label> labels,
                                       std::string_view extra_name, std::string_view extra_value) {
  out_ += name_;
  out_ += suffix;
  if (labels.empty() && extra_name.empty()) return;
  out_ += '{';
  bool first = true;
  auto one = [&](std::string_view name, std::string_view value) {
    if (!first) out_ += ',';
    first = false;
    out_ += name;
    out_ += "=\"";
    out_ += escape_label_value(value);
    out_ += '"';
  };
  for (const Label& label : labels) one(label.first, label.second);
  if (!extra_name.empty()) one(extra_name, extra_value);
  out_ += '}';
}

void Exposition::sample(std::span<const Label> labels, double value) {
  write_name_and_labels(type_ == Type::kCounter ? "_total" : "", labels);
  out_ += ' ';
  out_ += format_float(value);
  out_ += '\n';
}

void Exposition::sample(std::span<const Label> labels, std::uint64_t value) {
  write_name_and_labels(type_ == Type::kCounter ? "_total" : "", labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void Exposition::sample(std::span<const Label> labels, std::int64_t value) {
  write_name_and_labels(type_ == Type::kCounter ? "_total" : "", labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void Exposition::histogram(std::span<const Label> labels, std::span<const double> bounds,
                           std::span<const std::uint64_t> counts, double sum) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    const std::string le = i < bounds.size() ? format_float(bounds[i]) : "+Inf";
    write_name_and_labels("_bucket", labels, "le", le);
    fmt::format_to(std::back_inserter(out_), " {}\n", cumulative);
  }
  write_name_and_labels("_sum", labels);
  out_ += ' ';
  out_ += format_float(sum);
  out_ += '\n';
  // The +Inf bucket, not a separate cell: the two always agree (counter.hpp, invariant 3).
  write_name_and_labels("_count", labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", cumulative);
}

std::string Exposition::finish() {
  if (format_ == Format::kOpenMetrics) out_ += "# EOF\n";
  return std::move(out_);
}

}  // namespace basalt::metrics
