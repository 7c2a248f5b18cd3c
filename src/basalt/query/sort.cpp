#include "basalt/query/sort.hpp"

#include <limits>
#include <string>

#include "basalt/query/identifier.hpp"
#include "basalt/query/lexer.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/text_scan.hpp"

namespace basalt::query {
namespace {

constexpr std::string_view kBlanks = " \t\n\v\f\r";  // Go's strings.TrimSpace, ASCII part

SortField parse_field(std::string_view text, std::size_t begin, std::size_t end, Arena& arena) {
  std::size_t first = text.find_first_not_of(kBlanks, begin);
  if (first == std::string_view::npos || first >= end) {
    fail(ParseErrorCode::kInvalidSortField, begin, "empty sort field");
  }
  std::size_t last = text.find_last_not_of(kBlanks, end - 1);
  std::string_view name = text.substr(first, last + 1 - first);
  auto offset = static_cast<std::uint32_t>(first);

  SortField field;
  if (name.front() == '-' || name.front() == '+') {
    field.direction = name.front() == '-' ? SortDirection::kDesc : SortDirection::kAsc;
    name.remove_prefix(1);
    ++offset;
  }
  field.range = {offset, static_cast<std::uint32_t>(name.size())};
  if (name.size() > kMaxSortFieldLength) {
    fail(ParseErrorCode::kSortFieldTooLong, offset,
         "sort field is longer than " + std::to_string(kMaxSortFieldLength) + " bytes");
  }
  if (name.empty()) fail(ParseErrorCode::kInvalidSortField, offset, "expected a sort field name");
  if (name == "@random") {
    field.kind = SortKind::kRandom;
    return field;
  }
  if (name == "@rowid") {
    field.kind = SortKind::kRowid;
    return field;
  }
  if (!is_identifier_token(name)) {
    fail(ParseErrorCode::kInvalidSortField, offset,
         "invalid sort field '" + std::string(name) + "'");
  }
  if (find_macro(name)) {
    fail(ParseErrorCode::kInvalidSortField, offset,
         "cannot sort by the macro " + std::string(name));
  }
  field.identifier = parse_identifier(name, offset, arena);
  return field;
}

}  // namespace

Sort parse_sort(std::string_view text) {
  if (text.empty()) return Sort();
  std::size_t count = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != ',') continue;
    if (++count > kMaxSortFields) {
      fail(ParseErrorCode::kTooManySortFields, i + 1,
           "too many sort fields: at most " + std::to_string(kMaxSortFields) + " allowed");
    }
  }
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
    fail(ParseErrorCode::kSortFieldTooLong, 0, "sort is longer than 4 GiB");
  }

  Arena arena(256 + text.size() * 2 + count * sizeof(SortField));
  std::string_view source = arena.copy(text);
  auto* fields =
      static_cast<SortField*>(arena.allocate(count * sizeof(SortField), alignof(SortField)));
  std::size_t begin = 0;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t end = source.find(',', begin);
    if (end == std::string_view::npos) end = source.size();
    fields[i] = parse_field(source, begin, end, arena);
    begin = end + 1;
  }
  return Sort(std::move(arena), source, std::span<const SortField>(fields, count));
}

std::string to_string(const Sort& sort) {
  std::string out;
  for (const SortField& field : sort.fields()) {
    if (!out.empty()) out += ' ';
    out += field.direction == SortDirection::kDesc ? '-' : '+';
    switch (field.kind) {
      case SortKind::kRandom:
        out += "@random";
        break;
      case SortKind::kRowid:
        out += "@rowid";
        break;
      case SortKind::kField:
        out += to_string(field.identifier);
        break;
    }
  }
  return out;
}

}  // namespace basalt::query
