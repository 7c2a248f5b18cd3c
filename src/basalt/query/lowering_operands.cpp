// The values and operands lowering builds from the request-independent parts of a filter:
// LIKE patterns (filter.go wrapLikeParams), datetime macros (identifier_macros.go) and function
// calls (token_functions.go).
#include <algorithm>
#include <vector>

#include "basalt/query/lowering.hpp"
#include "basalt/schema/datetime.hpp"

namespace basalt::query {
namespace {

namespace chrono = std::chrono;

// filter.go containsUnescapedChar (bytes suffice: '\\' and '%' never occur inside a UTF-8
// sequence).
bool contains_unescaped(std::string_view text, char target) {
  char previous = 0;
  for (char c : text) {
    if (c == target && previous != '\\') return true;
    previous = (c == '\\' && previous == '\\') ? 0 : c;
  }
  return false;
}

// filter.go escapeUnescapedChars(text, '\\', '%', '_'): walking from the end, a special
// character gets a '\' in front unless one is there already.
std::string escape_unescaped(std::string_view text) {
  auto special = [](char c) { return c == '\\' || c == '%' || c == '_'; };
  std::string reversed;
  reversed.reserve(text.size() * 2);
  bool match = false;
  for (std::size_t i = text.size(); i-- > 0;) {
    char c = text[i];
    if (match) {
      if (c != '\\') reversed += '\\';
      match = false;
    } else {
      match = special(c);
    }
    reversed += c;
    if (i == 0 && match) reversed += '\\';
  }
  return std::string(reversed.rbegin(), reversed.rend());
}

ParamValue datetime_param(chrono::system_clock::time_point time, Arena& arena) {
  ParamValue value;
  value.kind = ParamValue::Kind::kText;
  value.text = arena.copy(schema::format_datetime(time));
  return value;
}

}  // namespace

std::string like_pattern(std::string_view text) {
  if (contains_unescaped(text, '%')) return std::string(text);
  return "%" + escape_unescaped(text) + "%";
}

ParamValue macro_value(Macro macro, Clock::time_point now, Arena& arena) {
  using chrono::days;
  using chrono::sys_days;
  auto day_start = chrono::floor<days>(now);
  chrono::year_month_day date{day_start};
  chrono::hh_mm_ss<chrono::milliseconds> clock{
      chrono::floor<chrono::milliseconds>(now - day_start)};
  auto last_millisecond = days(1) - chrono::milliseconds(1);
  switch (macro) {
    case Macro::kNow:
      return datetime_param(now, arena);
    case Macro::kYesterday:
      return datetime_param(now - days(1), arena);
    case Macro::kTomorrow:
      return datetime_param(now + days(1), arena);
    case Macro::kTodayStart:
      return datetime_param(day_start, arena);
    case Macro::kTodayEnd:
      return datetime_param(day_start + last_millisecond, arena);
    case Macro::kMonthStart:
      return datetime_param(sys_days(date.year() / date.month() / 1), arena);
    case Macro::kMonthEnd:
      return datetime_param(sys_days(date.year() / date.month() / chrono::last) + last_millisecond,
                            arena);
    case Macro::kYearStart:
      return datetime_param(sys_days(date.year() / chrono::January / 1), arena);
    case Macro::kYearEnd:
      return datetime_param(sys_days(date.year() / chrono::December / 31) + last_millisecond,
                            arena);
    case Macro::kSecond:
      return integer_param(clock.seconds().count());
    case Macro::kMinute:
      return integer_param(clock.minutes().count());
    case Macro::kHour:
      return integer_param(clock.hours().count());
    case Macro::kDay:
      return integer_param(static_cast<unsigned>(date.day()));
    case Macro::kMonth:
      return integer_param(static_cast<unsigned>(date.month()));
    case Macro::kWeekday:
      return integer_param(chrono::weekday(day_start).c_encoding());
    case Macro::kYear:
      return integer_param(static_cast<int>(date.year()));
  }
  return {};
}

ResolvedOperand call_operand(SqlNodeFactory& nodes, Function function,
                             std::span<const ResolvedOperand> args) {
  ResolvedOperand result;
  std::vector<const SqlNode*> exprs;
  exprs.reserve(args.size());
  unsigned params = 0;
  for (const auto& arg : args) {
    exprs.push_back(arg.expr);
    params += arg.params;
    result.empty_param = result.empty_param || arg.empty_param;
  }
  result.params = static_cast<std::uint8_t>(std::min(params, 255u));
  if (function == Function::kGeoDistance) {
    result.null_fallback = NullFallback::kDisabled;
    result.expr = nodes.call(SqlOp::kGeoDistance, exprs);
    return result;
  }
  result.null_fallback = NullFallback::kEnforced;
  result.expr = nodes.call(SqlOp::kStrftime, exprs);
  if (args.size() >= 2 && args[1].match != nullptr) {
    const MultiMatch& match = *args[1].match;
    exprs[1] = match.value;
    result.match = nodes.multi_match(match, nodes.call(SqlOp::kStrftime, exprs));
  }
  return result;
}

}  // namespace basalt::query
