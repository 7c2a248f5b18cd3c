#include "basalt/query/text_error_data.hpp"

namespace basalt::query {
namespace {

boost::json::object data(std::string_view key, std::string_view code, const std::string& message,
                         std::size_t position, std::size_t length) {
  boost::json::object detail{
      {"code", code}, {"message", message}, {"position", static_cast<std::int64_t>(position)}};
  if (length > 0) detail["length"] = static_cast<std::int64_t>(length);
  return boost::json::object{{key, std::move(detail)}};
}

}  // namespace

boost::json::object text_error_data(std::string_view key, const ParseError& error) {
  return data(key, to_string(error.code()), error.message(), error.position(), 0);
}

boost::json::object text_error_data(std::string_view key, const ResolveError& error) {
  return data(key, to_string(error.code()), error.message(), error.position(),
              error.range().length);
}

}  // namespace basalt::query
