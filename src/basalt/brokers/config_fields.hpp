// Reading a broker destination's configuration object (docs/brokers.md, "Configuration"):
// typed fields with bounds, each mistake recorded as field → message, the shape PocketBase uses
// for its validation errors ({"data": {"url": {"message": ...}}}) so the REST layer can answer
// 400 with it unchanged.
//
// Invariant: a message never quotes the offending value (it may be a password).
#pragma once

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace basalt::brokers {

// Field name → human-readable message; empty when the configuration is valid.
using ConfigErrors = std::map<std::string, std::string>;

// Bounds shared by every connector.
inline constexpr std::size_t kMaxUrlLength = 2048;
inline constexpr std::size_t kMaxNameLength = 255;
inline constexpr std::int64_t kMinTimeoutMs = 100;
inline constexpr std::int64_t kMaxConnectTimeoutMs = 60'000;
inline constexpr std::int64_t kMaxTimeoutMs = 120'000;
inline constexpr std::int64_t kDefaultConnectTimeoutMs = 5'000;
inline constexpr std::int64_t kDefaultTimeoutMs = 10'000;
// `maxInFlight`: events published before their acknowledgements are awaited (a pipeline). 1
// keeps the order strict even when the broker refuses one message of a pipeline.
inline constexpr std::int64_t kMaxInFlight = 1'000;
inline constexpr std::int64_t kDefaultMaxInFlight = 64;

class ConfigReader {
 public:
  ConfigReader(const boost::json::object& object, ConfigErrors& errors)
      : object_(object), errors_(errors) {}

  // A string field of at most max_length bytes; `fallback` when absent (or an error when
  // `required`). A present but empty required field is an error too.
  std::string text(std::string_view key, bool required, std::size_t max_length,
                   std::string_view fallback = {});
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max,
                       std::int64_t fallback);
  bool boolean(std::string_view key, bool fallback);
  // Every key not listed is an error ("Unknown field."): a typo must not silently fall back to
  // a default.
  void reject_unknown(std::initializer_list<std::string_view> known);

  void fail(std::string_view key, std::string message);

 private:
  const boost::json::object& object_;
  ConfigErrors& errors_;
};

}  // namespace basalt::brokers
