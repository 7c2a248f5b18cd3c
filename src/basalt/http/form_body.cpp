#include "basalt/http/form_body.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <system_error>
#include <utility>

#include "basalt/core/api_error.hpp"
#include "basalt/http/ascii.hpp"

namespace basalt::http {
namespace {

namespace json = boost::json;

constexpr std::string_view kUnsupported =
    "Unsupported Content-Type.";  // PocketBase's text, sentenized
constexpr std::string_view kBadUtf8 =
    "Form field names, values and uploaded file names must be valid UTF-8.";

// The longest shortest-fixed text of a double is under 330 bytes ("-0.000…5" for the smallest
// subnormal); a longer string cannot be inferred as a number, so it is not parsed at all.
constexpr std::size_t kMaxNumberText = 400;

[[noreturn]] void bad_request(std::string_view message) {
  throw core::ApiError::bad_request(std::string(message));
}

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF.
bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    unsigned char low = 0x80;
    unsigned char high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c == 0xe0) low = 0xa0;   // overlong
      if (c == 0xed) high = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c == 0xf0) low = 0x90;   // overlong
      if (c == 0xf4) high = 0x8f;  // past U+10FFFF
    } else {
      return false;
    }
    if (n - i < length) return false;
    auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) return false;
    for (std::size_t k = 2; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if (next < 0x80 || next > 0xbf) return false;
    }
    i += length;
  }
  return true;
}

void require_utf8(std::string_view text) {
  if (!is_valid_utf8(text)) bad_request(kBadUtf8);
}

// Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that read back as `v`, written
// without an exponent. to_chars(scientific) gives those digits; they are then placed around
// the decimal point and padded with zeros (the 'f' formatting of to_chars would print the
// exact binary value instead, e.g. 1e23 as 99999999999999991611392).
std::string shortest_fixed(double value) {
  char buffer[64];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view text(buffer, ec == std::errc{} ? static_cast<std::size_t>(end - buffer) : 0);
  std::string out;
  if (!text.empty() && text.front() == '-') {
    out.push_back('-');
    text.remove_prefix(1);
  }
  std::size_t e = text.find('e');
  if (e == std::string_view::npos) return {};  // inf/nan: never reached from a parsed literal
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  std::string_view exponent_text = text.substr(e + 1);
  bool negative_exponent = !exponent_text.empty() && exponent_text.front() == '-';
  if (!exponent_text.empty() && (exponent_text.front() == '-' || exponent_text.front() == '+')) {
    exponent_text.remove_prefix(1);
  }
  int exponent = 0;
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
  if (negative_exponent) exponent = -exponent;
  // `point` digits stand before the decimal point.
  long point = static_cast<long>(exponent) + 1;
  auto count = static_cast<long>(digits.size());
  if (point <= 0) {
    out.append("0.");
    out.append(static_cast<std::size_t>(-point), '0');
    out.append(digits);
  } else if (point >= count) {
    out.append(digits);
    out.append(static_cast<std::size_t>(point - count), '0');
  } else {
    out.append(digits, 0, static_cast<std::size_t>(point));
    out.push_back('.');
    out.append(digits, static_cast<std::size_t>(point));
  }
  return out;
}

std::optional<json::value> exact_number(std::string_view raw) {
  if (raw.empty() || raw.size() > kMaxNumberText) return std::nullopt;
  if (raw.front() != '-' && (raw.front() < '0' || raw.front() > '9')) return std::nullopt;
  for (char c : raw) {
    if (c != '-' && c != '.' && (c < '0' || c > '9')) return std::nullopt;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (ec != std::errc{} || end != raw.data() + raw.size()) return std::nullopt;
  if (shortest_fixed(value) != raw) return std::nullopt;
  // Whole numbers in int64 range (-2^63 <= v < 2^63) convert exactly.
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (std::trunc(value) == value && value >= -kTwoTo63 && value < kTwoTo63) {
    return json::value(static_cast<std::int64_t>(value));
  }
  return json::value(value);
}

// nullopt when `text` is not one JSON value; `too_deep` says whether nesting was the reason.
std::optional<json::value> parse_json(std::string_view text, std::size_t max_depth,
                                      bool& too_deep) {
  json::parse_options options;
  options.max_depth = max_depth;
  boost::system::error_code ec;
  json::value value = json::parse(text, ec, {}, options);
  too_deep = ec == json::error::too_deep;
  if (ec) return std::nullopt;
  return value;
}

FormBody decode_json(std::string_view body, std::size_t max_depth) {
  FormBody out;
  if (std::all_of(body.begin(), body.end(), is_blank)) return out;
  bool too_deep = false;
  std::optional<json::value> value = parse_json(body, max_depth, too_deep);
  if (too_deep) {
    bad_request("Invalid JSON body: nested deeper than " + std::to_string(max_depth) + " levels.");
  }
  if (!value) bad_request("Invalid JSON body.");
  if (!value->is_object()) bad_request("The JSON body must be an object.");
  out.data = std::move(value->as_object());
  return out;
}

// Collects plain values and @jsonPayload texts, then builds the object in PocketBase's order:
// plain values first, payload members over them.
class FieldsBuilder {
 public:
  void add_value(std::string_view name, std::string_view raw) {
    require_utf8(name);
    require_utf8(raw);
    json::value value = infer_form_value(raw);
    auto it = data_.find(name);
    if (it == data_.end()) {
      data_.emplace(name, std::move(value));
    } else if (json::array* values = it->value().if_array()) {
      // Inferred values are never arrays, so an array here came from an earlier repetition.
      values->push_back(std::move(value));
    } else {
      json::array repeated;
      repeated.push_back(std::move(it->value()));
      repeated.push_back(std::move(value));
      it->value() = std::move(repeated);
    }
  }

  void add_payload(std::string text) { payloads_.push_back(std::move(text)); }

  json::object finish(std::size_t max_depth) {
    for (const std::string& text : payloads_) {
      bool too_deep = false;
      std::optional<json::value> payload = parse_json(text, max_depth, too_deep);
      if (too_deep) {
        bad_request("Invalid JSON in the @jsonPayload form field: nested deeper than " +
                    std::to_string(max_depth) + " levels.");
      }
      if (!payload) bad_request("Invalid JSON in the @jsonPayload form field.");
      if (!payload->is_object()) {
        bad_request("The @jsonPayload form field must hold a JSON object.");
      }
      for (auto& member : payload->as_object()) {
        data_.insert_or_assign(member.key(), std::move(member.value()));
      }
    }
    return std::move(data_);
  }

 private:
  json::object data_;
  std::vector<std::string> payloads_;
};

// Plain values and payloads of `parts` into the object; file parts into `out.files`, their
// bytes from `spooled` (in order) when the body was spooled, from the part's data otherwise.
FormBody form_from_parts(std::vector<MultipartPart> parts, std::vector<SpooledFile>* spooled,
                         const FormLimits& limits) {
  FormBody out;
  FieldsBuilder fields;
  std::size_t next_file = 0;
  for (MultipartPart& part : parts) {
    if (part.is_file()) {
      require_utf8(part.name);
      require_utf8(part.filename);
      require_utf8(part.content_type);
      UploadedFile file{std::move(part.name),
                        std::move(part.filename),
                        std::move(part.content_type),
                        std::move(part.data),
                        part.size,
                        true,
                        {}};
      if (spooled) {
        if (next_file >= spooled->size()) throw std::logic_error("spooled files out of step");
        SpooledFile& bytes = (*spooled)[next_file++];
        file.kept = bytes.kept;
        file.size = bytes.size;
        file.file = std::move(bytes.file);
      }
      out.files.push_back(std::move(file));
    } else if (part.name == kJsonPayloadField) {
      if (part.data.size() > limits.max_json_payload_bytes) {
        bad_request("The @jsonPayload form field is too large (max " +
                    std::to_string(limits.max_json_payload_bytes) + " bytes).");
      }
      fields.add_payload(std::move(part.data));
    } else {
      if (part.data.size() > limits.multipart.max_value_bytes) {
        bad_request("A multipart form value is too large (max " +
                    std::to_string(limits.multipart.max_value_bytes) + " bytes).");
      }
      fields.add_value(part.name, part.data);
    }
  }
  out.data = fields.finish(limits.max_json_depth);
  out.form_encoded = true;
  return out;
}

// The parser's limits for a form: every value part is bounded by the larger limit; plain
// values are held to theirs once their names are known.
MultipartLimits parser_limits(const FormLimits& limits) {
  MultipartLimits out = limits.multipart;
  out.max_value_bytes = std::max(limits.multipart.max_value_bytes, limits.max_json_payload_bytes);
  return out;
}

FormBody decode_multipart(std::string_view content_type, std::string_view body,
                          const FormLimits& limits) {
  std::optional<std::string> boundary = multipart_boundary(content_type);
  if (!boundary) bad_request("Invalid or missing multipart boundary in the Content-Type header.");
  MultipartParser parser(*boundary, parser_limits(limits));
  parser.feed(body);
  parser.finish();
  if (parser.error()) bad_request(parser.error().message);
  return form_from_parts(parser.take_parts(), nullptr, limits);
}

// Go's url.QueryUnescape: '+' is a space, %XX a byte, any other '%' an error.
void percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      int high = in.size() - i >= 3 ? hex_value(in[i + 1]) : -1;
      int low = high >= 0 ? hex_value(in[i + 2]) : -1;
      if (low < 0) bad_request("Malformed percent-encoding in the form body.");
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    out.push_back(c);
  }
}

FormBody decode_urlencoded(std::string_view body, const FormLimits& limits) {
  FieldsBuilder fields;
  std::size_t count = 0;
  std::string name;
  std::string value;
  while (!body.empty()) {
    std::size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body.remove_prefix(amp == std::string_view::npos ? body.size() : amp + 1);
    if (pair.find(';') != std::string_view::npos) {
      bad_request("Invalid semicolon separator in the form body.");
    }
    if (pair.empty()) continue;
    if (++count > limits.max_urlencoded_fields) {
      bad_request("Too many form fields (max " + std::to_string(limits.max_urlencoded_fields) +
                  ").");
    }
    std::size_t equals = pair.find('=');
    percent_decode(pair.substr(0, equals), name);
    percent_decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1),
                   value);
    if (name == kJsonPayloadField) {
      fields.add_payload(value);
    } else {
      fields.add_value(name, value);
    }
  }
  FormBody out;
  out.data = fields.finish(limits.max_json_depth);
  return out;
}

// The media type of a Content-Type value, lower-cased, without parameters or blanks.
std::string media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && is_blank(type.front())) type.remove_prefix(1);
  while (!type.empty() && is_blank(type.back())) type.remove_suffix(1);
  std::string out(type);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace

FormBody decode_spooled_form(UploadSpool& spool, const FormLimits& limits) {
  if (spool.failed_to_store()) {
    throw core::ApiError(500, "Failed to store the uploaded files.");
  }
  if (spool.error()) bad_request(spool.error().message);
  std::vector<SpooledFile> files = spool.take_files();
  return form_from_parts(spool.take_parts(), &files, limits);
}

MultipartLimits spool_parser_limits(const FormLimits& limits) {
  return parser_limits(limits);
}

json::value infer_form_value(std::string_view raw) {
  if (raw == "true") return json::value(true);
  if (raw == "false") return json::value(false);
  if (std::optional<json::value> number = exact_number(raw)) return std::move(*number);
  return json::value(raw);
}

FormBody decode_form_body(std::string_view content_type, std::string_view body,
                          const FormLimits& limits) {
  if (body.empty()) return {};
  std::string type = media_type(content_type);
  if (type == "application/json") return decode_json(body, limits.max_json_depth);
  if (type.empty()) {
    std::size_t first = body.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && body[first] == '{') {
      return decode_json(body, limits.max_json_depth);
    }
  }
  FormBody form;
  if (type == "multipart/form-data") {
    form = decode_multipart(content_type, body, limits);
  } else if (type == "application/x-www-form-urlencoded") {
    form = decode_urlencoded(body, limits);
  } else {
    bad_request(kUnsupported);
  }
  form.form_encoded = true;
  return form;
}

}  // namespace basalt::http
