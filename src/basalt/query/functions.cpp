#include "basalt/query/functions.hpp"

#include <string>
#include <utility>

namespace basalt::query {
namespace {

// geoDistance(lonA, latA, lonB, latB): exactly four identifiers or numbers.
// strftime(format, [timeValue, modifier...]): 1 to 10 arguments; the format and every
// modifier are texts; the time value is a text, number or identifier.
constexpr FunctionSignature kFunctions[] = {
    {Function::kGeoDistance, "geoDistance", 4, 4, kArgIdentifier | kArgNumber,
     kArgIdentifier | kArgNumber, kArgIdentifier | kArgNumber},
    {Function::kStrftime, "strftime", 1, 10, kArgText, kArgText | kArgIdentifier | kArgNumber,
     kArgText},
};

}  // namespace

const FunctionSignature* find_function(std::string_view name) noexcept {
  for (const auto& function : kFunctions) {
    if (function.name == name) return &function;
  }
  return nullptr;
}

const FunctionSignature& signature(Function function) noexcept {
  for (const auto& row : kFunctions) {
    if (row.function == function) return row;
  }
  return kFunctions[0];  // unreachable: every Function has a row
}

std::string describe_arg_kinds(std::uint8_t kinds) {
  static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
      {kArgText, "a text"},
      {kArgIdentifier, "an identifier"},
      {kArgNumber, "a number"},
      {kArgCall, "a function call"},
  };
  std::string out;
  int written = 0;
  int total = 0;
  for (const auto& [bit, name] : kNames) total += (kinds & bit) ? 1 : 0;
  for (const auto& [bit, name] : kNames) {
    if (!(kinds & bit)) continue;
    if (written > 0) out += written + 1 == total ? " or " : ", ";
    out += name;
    ++written;
  }
  return out;
}

}  // namespace basalt::query
