#include "basalt/schema/go_json.hpp"

#include <charconv>
#include <cmath>

#include "basalt/core/go_json_string.hpp"

namespace basalt::schema {
namespace {

void write_string(std::string_view text, std::string& out) {
  core::append_go_json_string(out, text);
}

void write_double(double value, std::string& out) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buf[64];
  double magnitude = std::fabs(value);
  bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, value,
                    exponent ? std::chars_format::scientific : std::chars_format::fixed);
  std::string text(buf, end);
  std::size_t n = text.size();
  if (exponent && n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0') {
    text.erase(n - 2, 1);  // Go writes e-07 as e-7
  }
  out += text;
}

void write(const boost::json::value& value, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      out += std::to_string(value.get_int64());
      return;
    case boost::json::kind::uint64:
      out += std::to_string(value.get_uint64());
      return;
    case boost::json::kind::double_:
      write_double(value.get_double(), out);
      return;
    case boost::json::kind::string:
      write_string(value.get_string(), out);
      return;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out += ',';
        first = false;
        write(item, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& entry : value.get_object()) {
        if (!first) out += ',';
        first = false;
        write_string(entry.key(), out);
        out += ':';
        write(entry.value(), out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string serialize_go_json(const boost::json::value& value) {
  std::string out;
  write(value, out);
  return out;
}

void append_go_json(std::string& out, const boost::json::value& value) {
  write(value, out);
}

void append_go_json_string(std::string& out, std::string_view text) {
  write_string(text, out);
}

}  // namespace basalt::schema
