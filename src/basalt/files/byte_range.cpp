#include "basalt/files/byte_range.hpp"

#include <charconv>
#include <optional>
#include <vector>

namespace basalt::files {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A non-negative decimal that fits in int64 (Go's strconv.ParseInt with bitSize 64).
std::optional<std::uint64_t> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return static_cast<std::uint64_t>(value);
}

}  // namespace

RangeDecision decide_range(std::string_view header, std::uint64_t size) {
  RangeDecision whole;
  if (header.empty()) return whole;
  RangeDecision unsatisfiable{RangeOutcome::kUnsatisfiable, {}};
  constexpr std::string_view kPrefix = "bytes=";
  if (!header.starts_with(kPrefix)) return unsatisfiable;
  header.remove_prefix(kPrefix.size());

  std::vector<ByteRange> ranges;
  bool skipped_past_end = false;
  while (true) {
    const std::size_t comma = header.find(',');
    const std::string_view part = trim(header.substr(0, comma));
    if (!part.empty()) {
      const std::size_t dash = part.find('-');
      if (dash == std::string_view::npos) return unsatisfiable;
      const std::string_view first = trim(part.substr(0, dash));
      const std::string_view last = trim(part.substr(dash + 1));
      ByteRange range;
      if (first.empty()) {
        // A suffix: the last N bytes.
        if (last.empty() || last.front() == '-') return unsatisfiable;
        const auto suffix = parse_number(last);
        if (!suffix) return unsatisfiable;
        if (*suffix == 0) {  // no bytes at all (RFC 9110 §14.1.3)
          skipped_past_end = true;
        } else {
          range.length = std::min(*suffix, size);
          range.offset = size - range.length;
          if (range.length == 0) {
            skipped_past_end = true;
          } else {
            ranges.push_back(range);
          }
        }
      } else {
        const auto start = parse_number(first);
        if (!start) return unsatisfiable;
        if (*start >= size) {
          skipped_past_end = true;
        } else {
          range.offset = *start;
          if (last.empty()) {
            range.length = size - *start;
          } else {
            const auto end = parse_number(last);
            if (!end || *start > *end) return unsatisfiable;
            range.length = std::min(*end, size - 1) - *start + 1;
          }
          ranges.push_back(range);
        }
      }
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  if (ranges.empty()) return skipped_past_end ? unsatisfiable : whole;
  if (ranges.size() > 1) return whole;
  return {RangeOutcome::kPartial, ranges.front()};
}

}  // namespace basalt::files
