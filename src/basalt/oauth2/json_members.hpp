// Module-internal: reading members of provider JSON (token answers, user data, JWKS, discovery
// documents), where a missing or non-string member reads as "".
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace basalt::oauth2 {

inline std::string string_member(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace basalt::oauth2
