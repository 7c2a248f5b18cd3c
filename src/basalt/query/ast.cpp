#include "basalt/query/ast.hpp"

#include "basalt/query/functions.hpp"

namespace basalt::query {
namespace {

template <typename Enum>
struct Name {
  Enum value;
  std::string_view name;
};

// Spelled as in docs/filters.md; the index is the enum value.
constexpr Name<Operator> kOperators[] = {
    {Operator::kEq, "="},           {Operator::kNeq, "!="},     {Operator::kGt, ">"},
    {Operator::kGte, ">="},         {Operator::kLt, "<"},       {Operator::kLte, "<="},
    {Operator::kLike, "~"},         {Operator::kNotLike, "!~"}, {Operator::kAnyEq, "?="},
    {Operator::kAnyNeq, "?!="},     {Operator::kAnyGt, "?>"},   {Operator::kAnyGte, "?>="},
    {Operator::kAnyLt, "?<"},       {Operator::kAnyLte, "?<="}, {Operator::kAnyLike, "?~"},
    {Operator::kAnyNotLike, "?!~"},
};

// The modifiers of docs/filters.md (core/record_field_resolver.go); the index is the enum value.
constexpr Name<Modifier> kModifiers[] = {
    {Modifier::kNone, ""},         {Modifier::kEach, "each"},   {Modifier::kIsset, "isset"},
    {Modifier::kLength, "length"}, {Modifier::kLower, "lower"}, {Modifier::kChanged, "changed"},
};

// The macros of docs/filters.md (tools/search/identifier_macros.go); the index is the enum value.
constexpr Name<Macro> kMacros[] = {
    {Macro::kNow, "@now"},           {Macro::kYesterday, "@yesterday"},
    {Macro::kTomorrow, "@tomorrow"}, {Macro::kTodayStart, "@todayStart"},
    {Macro::kTodayEnd, "@todayEnd"}, {Macro::kMonthStart, "@monthStart"},
    {Macro::kMonthEnd, "@monthEnd"}, {Macro::kYearStart, "@yearStart"},
    {Macro::kYearEnd, "@yearEnd"},   {Macro::kSecond, "@second"},
    {Macro::kMinute, "@minute"},     {Macro::kHour, "@hour"},
    {Macro::kDay, "@day"},           {Macro::kMonth, "@month"},
    {Macro::kWeekday, "@weekday"},   {Macro::kYear, "@year"},
};

template <typename Enum, std::size_t N>
constexpr bool indexed_by_value(const Name<Enum> (&table)[N]) {
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(table[i].value) != i) return false;
  }
  return true;
}
static_assert(indexed_by_value(kOperators) && indexed_by_value(kModifiers) &&
              indexed_by_value(kMacros));

template <typename Enum, std::size_t N>
std::optional<Enum> find(const Name<Enum> (&table)[N], std::string_view name) noexcept {
  for (const auto& row : table) {
    if (row.name == name) return row.value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Operator op) noexcept {
  return kOperators[static_cast<std::size_t>(op)].name;
}

std::string_view to_string(LogicalOp op) noexcept {
  return op == LogicalOp::kAnd ? "and" : "or";
}

std::string_view to_string(Modifier modifier) noexcept {
  return kModifiers[static_cast<std::size_t>(modifier)].name;
}

std::string_view to_string(Macro macro) noexcept {
  return kMacros[static_cast<std::size_t>(macro)].name;
}

std::string_view to_string(Function function) noexcept {
  return signature(function).name;
}

std::optional<Operator> find_operator(std::string_view text) noexcept {
  return find(kOperators, text);
}

std::optional<Modifier> find_modifier(std::string_view name) noexcept {
  if (name.empty()) return std::nullopt;
  return find(kModifiers, name);
}

std::optional<Macro> find_macro(std::string_view text) noexcept {
  return find(kMacros, text);
}

}  // namespace basalt::query
