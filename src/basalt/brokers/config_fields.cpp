#include "basalt/brokers/config_fields.hpp"

#include <boost/json/object.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace basalt::brokers {

void ConfigReader::fail(std::string_view key, std::string message) {
  // The first problem of a field is the one reported.
  errors_.emplace(std::string(key), std::move(message));
}

std::string ConfigReader::text(std::string_view key, bool required, std::size_t max_length,
                               std::string_view fallback) {
  const auto* value = object_.if_contains(key);
  if (value == nullptr || value->is_null()) {
    if (required) fail(key, "Cannot be blank.");
    return std::string(fallback);
  }
  const auto* string = value->if_string();
  if (string == nullptr) {
    fail(key, "Must be a string.");
    return std::string(fallback);
  }
  if (string->size() > max_length) {
    fail(key, fmt::format("Must be no more than {} characters.", max_length));
    return std::string(fallback);
  }
  if (required && string->empty()) fail(key, "Cannot be blank.");
  return std::string(string->data(), string->size());
}

std::int64_t ConfigReader::integer(std::string_view key, std::int64_t min, std::int64_t max,
                                   std::int64_t fallback) {
  const auto* value = object_.if_contains(key);
  if (value == nullptr || value->is_null()) return fallback;
  std::int64_t number = 0;
  if (const auto* i = value->if_int64()) {
    number = *i;
  } else if (const auto* u = value->if_uint64()) {
    number = *u > static_cast<std::uint64_t>(max) ? max + 1 : static_cast<std::int64_t>(*u);
  } else if (const auto* d = value->if_double(); d != nullptr && std::trunc(*d) == *d) {
    // 1e30 is an integer too; clamp before converting (an out-of-range cast is undefined).
    number = *d > static_cast<double>(max)   ? max + 1
             : *d < static_cast<double>(min) ? min - 1
                                             : static_cast<std::int64_t>(*d);
  } else {
    fail(key, "Must be an integer.");
    return fallback;
  }
  if (number < min || number > max) {
    fail(key, fmt::format("Must be between {} and {}.", min, max));
    return fallback;
  }
  return number;
}

bool ConfigReader::boolean(std::string_view key, bool fallback) {
  const auto* value = object_.if_contains(key);
  if (value == nullptr || value->is_null()) return fallback;
  if (const auto* b = value->if_bool()) return *b;
  fail(key, "Must be a boolean.");
  return fallback;
}

void ConfigReader::reject_unknown(std::initializer_list<std::string_view> known) {
  for (const auto& entry : object_) {
    const std::string_view key = entry.key();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      // Bounded: an attacker-sized key would otherwise be copied into the answer.
      fail(key.size() <= kMaxNameLength ? key : key.substr(0, kMaxNameLength), "Unknown field.");
    }
  }
}

}  // namespace basalt::brokers
