#include "basalt/http/method.hpp"

namespace basalt::http {
namespace {

struct MethodName {
  Method method;
  std::string_view name;
};

constexpr MethodName kMethods[] = {
    {Method::kGet, "GET"},         {Method::kHead, "HEAD"},   {Method::kPost, "POST"},
    {Method::kPut, "PUT"},         {Method::kPatch, "PATCH"}, {Method::kDelete, "DELETE"},
    {Method::kOptions, "OPTIONS"},
};

}  // namespace

std::string_view method_name(Method method) noexcept {
  for (const auto& row : kMethods) {
    if (row.method == method) return row.name;
  }
  return "OTHER";
}

Method method_from_name(std::string_view name) noexcept {
  for (const auto& row : kMethods) {
    if (row.name == name) return row.method;
  }
  return Method::kOther;
}

}  // namespace basalt::http
