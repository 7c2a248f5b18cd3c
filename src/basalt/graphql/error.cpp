#include "basalt/graphql/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace basalt::graphql {

std::string_view error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kParseFailed:
      return "parse-failed";
    case ErrorCode::kLimitExceeded:
      return "limit-exceeded";
    case ErrorCode::kValidationFailed:
      return "validation-failed";
    case ErrorCode::kPermissionDenied:
      return "permission-denied";
    case ErrorCode::kNotFound:
      return "not-found";
    case ErrorCode::kConstraintViolation:
      return "constraint-violation";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "validation-failed";
}

LineColumn line_column(std::string_view document, std::uint32_t offset) noexcept {
  if (offset > document.size()) offset = static_cast<std::uint32_t>(document.size());
  LineColumn at;
  for (std::uint32_t i = 0; i < offset; ++i) {
    auto byte = static_cast<unsigned char>(document[i]);
    if (byte == '\n' || (byte == '\r' && (i + 1 >= document.size() || document[i + 1] != '\n'))) {
      ++at.line;
      at.column = 1;
    } else if (byte == '\r') {
      // The CR of a CRLF: the LF that follows ends the line.
    } else if ((byte & 0xC0) != 0x80) {
      // A UTF-8 lead byte starts one code point: two UTF-16 units past the BMP, else one.
      at.column += byte >= 0xF0 ? 2 : 1;
    }
  }
  return at;
}

std::string shorten_for_message(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  // Back up over continuation bytes so that no character is split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  text += "…";
  return text;
}

namespace {

boost::json::object error_object(const Error& error, std::string_view document) {
  boost::json::object out;
  out["message"] = error.message;
  if (!error.offsets.empty()) {
    boost::json::array locations;
    for (std::uint32_t offset : error.offsets) {
      LineColumn at = line_column(document, offset);
      locations.push_back(boost::json::object{{"line", at.line}, {"column", at.column}});
    }
    out["locations"] = std::move(locations);
  }
  if (!error.path.empty()) {
    boost::json::array path;
    for (const std::string& name : error.path) path.emplace_back(name);
    out["path"] = std::move(path);
  }
  out["extensions"] = boost::json::object{{"code", error_code_name(error.code)}};
  if (!error.data_json.empty()) {
    boost::system::error_code ec;
    boost::json::value data = boost::json::parse(error.data_json, ec);
    if (!ec) out["extensions"].as_object()["data"] = std::move(data);
  }
  return out;
}

}  // namespace

std::string error_json(const Error& error, std::string_view document) {
  return boost::json::serialize(error_object(error, document));
}

std::string errors_json(const std::vector<Error>& errors, std::string_view document) {
  boost::json::array out;
  for (const Error& error : errors) out.push_back(error_object(error, document));
  return boost::json::serialize(out);
}

}  // namespace basalt::graphql
