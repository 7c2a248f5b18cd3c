#include "basalt/core/json_pretty.hpp"

#include <boost/json/serialize.hpp>

namespace basalt::core {
namespace {

void write(std::string& out, const boost::json::value& value, int depth) {
  const std::string indent(static_cast<std::size_t>(depth + 1) * 2, ' ');
  const std::string closing(static_cast<std::size_t>(depth) * 2, ' ');
  if (const auto* object = value.if_object(); object && !object->empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& entry : *object) {
      if (!first) out += ",\n";
      first = false;
      out += indent;
      out += boost::json::serialize(boost::json::value(entry.key()));
      out += ": ";
      write(out, entry.value(), depth + 1);
    }
    out += "\n" + closing + "}";
  } else if (const auto* array = value.if_array(); array && !array->empty()) {
    out += "[\n";
    bool first = true;
    for (const auto& element : *array) {
      if (!first) out += ",\n";
      first = false;
      out += indent;
      write(out, element, depth + 1);
    }
    out += "\n" + closing + "]";
  } else {
    out += boost::json::serialize(value);
  }
}

}  // namespace

std::string json_pretty(const boost::json::value& value) {
  std::string out;
  write(out, value, 0);
  return out;
}

}  // namespace basalt::core
