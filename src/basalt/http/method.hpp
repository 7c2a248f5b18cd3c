// HTTP request methods the router knows. Anything else parses as kOther and is answered 405
// (or 404 when no route has the path).
#pragma once

#include <string_view>

namespace basalt::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };
inline constexpr int kMethodCount = static_cast<int>(Method::kOther) + 1;

std::string_view method_name(Method method) noexcept;
Method method_from_name(std::string_view name) noexcept;

}  // namespace basalt::http
