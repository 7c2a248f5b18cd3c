#include "basalt/settings/cron_expression.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <vector>

namespace basalt::settings {
namespace {

struct Macro {
  std::string_view name;
  std::string_view expression;
};

constexpr std::array kMacros{
    Macro{"@yearly", "0 0 1 1 *"}, Macro{"@annually", "0 0 1 1 *"}, Macro{"@monthly", "0 0 1 * *"},
    Macro{"@weekly", "0 0 * * 0"}, Macro{"@daily", "0 0 * * *"},    Macro{"@midnight", "0 0 * * *"},
    Macro{"@hourly", "0 * * * *"},
};

struct Bounds {
  int min;
  int max;
};

// minute, hour, day of month, month, day of week.
constexpr std::array kSegmentBounds{Bounds{0, 59}, Bounds{0, 23}, Bounds{1, 31}, Bounds{1, 12},
                                    Bounds{0, 6}};

// Go's strings.Split: "" gives one empty part; separators next to each other give empty parts.
std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(separator, start);
    if (at == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
}

// Go's strconv.Quote, for the ASCII text a cron segment holds.
std::string go_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// Go's strconv.Atoi: optional sign, then decimal digits; the error text is Go's.
struct Parsed {
  std::int64_t value = 0;
  std::optional<std::string> error;
};

Parsed atoi(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  const bool all_digits =
      !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
  if (!all_digits) {
    return {0, fmt::format("strconv.Atoi: parsing {}: invalid syntax", go_quote(text))};
  }
  std::int64_t value = 0;
  // from_chars takes a leading '-' but not '+'.
  const std::string_view number = text[0] == '+' ? text.substr(1) : text;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size()) {
    return {0, fmt::format("strconv.Atoi: parsing {}: value out of range", go_quote(text))};
  }
  return {value, std::nullopt};
}

// Fills `slots` (bit i: value i is in the segment) from one segment, or says why it is invalid.
std::optional<std::string> parse_segment(std::string_view segment, Bounds bounds,
                                         std::uint64_t& slots) {
  slots = 0;
  for (std::string_view part : split(segment, ',')) {
    const std::vector<std::string_view> step_parts = split(part, '/');
    std::int64_t step = 1;
    if (step_parts.size() == 2) {
      Parsed parsed = atoi(step_parts[1]);
      if (parsed.error) return parsed.error;
      if (parsed.value < 1 || parsed.value > bounds.max) {
        return fmt::format("invalid segment step boundary - the step must be between 1 and the {}",
                           bounds.max);
      }
      step = parsed.value;
    } else if (step_parts.size() > 2) {
      return "invalid segment step format - must be in the format */n or 1-30/n";
    }
    std::int64_t low_value = bounds.min;
    std::int64_t high_value = bounds.max;
    if (step_parts[0] == "*") {
      for (std::int64_t i = low_value; i <= high_value; i += step) slots |= std::uint64_t{1} << i;
      continue;
    }

    const std::vector<std::string_view> range = split(step_parts[0], '-');
    if (range.size() == 1) {
      if (step != 1) {
        return "invalid segment step - step > 1 could be used only with the wildcard or range "
               "format";
      }
      Parsed value = atoi(range[0]);
      if (value.error) return value.error;
      if (value.value < bounds.min || value.value > bounds.max) {
        return "invalid segment value - must be between the min and max of the segment";
      }
      low_value = high_value = value.value;
    } else if (range.size() == 2) {
      Parsed low = atoi(range[0]);
      if (low.error) return low.error;
      if (low.value < bounds.min || low.value > bounds.max) {
        return fmt::format("invalid segment range minimum - must be between {} and {}", bounds.min,
                           bounds.max);
      }
      Parsed high = atoi(range[1]);
      if (high.error) return high.error;
      if (high.value < low.value || high.value > bounds.max) {
        return fmt::format("invalid segment range maximum - must be between {} and {}", low.value,
                           bounds.max);
      }
      low_value = low.value;
      high_value = high.value;
    } else {
      return "invalid segment range format - the range must have 1 or 2 parts";
    }
    for (std::int64_t i = low_value; i <= high_value; i += step) slots |= std::uint64_t{1} << i;
  }
  return std::nullopt;
}

}  // namespace

std::variant<CronFields, std::string> parse_cron_expression(std::string_view expression) {
  for (const Macro& macro : kMacros) {
    if (expression == macro.name) expression = macro.expression;
  }
  const std::vector<std::string_view> segments = split(expression, ' ');
  if (segments.size() != kSegmentBounds.size()) {
    return std::string(
        "invalid cron expression - must be a valid macro or to have exactly 5 space separated "
        "segments");
  }
  CronFields fields;
  std::uint64_t* const targets[] = {&fields.minutes, &fields.hours, &fields.days, &fields.months,
                                    &fields.weekdays};
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (auto error = parse_segment(segments[i], kSegmentBounds[i], *targets[i])) return *error;
  }
  return fields;
}

std::optional<std::string> cron_expression_error(std::string_view expression) {
  auto parsed = parse_cron_expression(expression);
  if (auto* error = std::get_if<std::string>(&parsed)) return std::move(*error);
  return std::nullopt;
}

}  // namespace basalt::settings
