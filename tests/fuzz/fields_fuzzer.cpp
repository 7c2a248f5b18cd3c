// libFuzzer target for the `fields` query parameter (docs/architecture.md):
// http::fields_query_param, http::parse_fields and http::project_json, and the excerpt modifier
// under them (ExcerptModifier::apply over html_plain_text and append_html_unescaped).
//
// Input: the first line (up to the first '\n') is the `fields` text, and also a raw query
// string for fields_query_param; the rest is a JSON document and, made valid UTF-8, an HTML
// fragment for the excerpt modifier.
//
// Checked on every input:
//  1. parse_fields returns or throws core::ApiError 400 with a message; nothing else escapes,
//     and text over kMaxFieldsBytes is refused. A spec it returns is a well-formed tree:
//     children sorted and unique, modifiers only where a field ends, maxChars > 0.
//  2. fields_query_param does not throw, gives no more bytes than it read, and its value
//     parses as in (1); the first line percent-encoded as `x=1&fields=<encoded>` decodes back
//     to itself.
//  3. project_json with an empty spec returns the document byte for byte, valid or not.
//  4. When boost::json accepts the document: every projection of it parses, and equals a DOM
//     model of the rules in json_fields.hpp (excerpts included) when it nests shallowly
//     enough for the projector. `<line>,*` keeps every top-level key of an object; `*` alone
//     keeps the document as it is (as a value). As a list envelope, an object keeps its keys
//     and every value but `items`'s, and anything else comes back byte for byte.
//  5. The excerpt of the HTML (arguments from the input's last byte, and every modifier the
//     spec names) is valid UTF-8 without NUL, trimmed, at most maxChars runes (+3 for "..."),
//     its only ASCII whitespace single spaces; when the HTML has no character reference and
//     no visible raw-text element, it holds no more '<' than the HTML has '<' that start no
//     markup. append_html_unescaped gives valid UTF-8 and leaves text without '&' as it is.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/error.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/core/api_error.hpp"
#include "basalt/core/utf8.hpp"
#include "basalt/http/excerpt.hpp"
#include "basalt/http/html_entities.hpp"
#include "basalt/http/json_fields.hpp"

namespace {

using namespace basalt::http;
namespace json = boost::json;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}

void require(bool condition, const char* what) {
  if (!condition) violated(what);
}

// Documents nested deeper than this are only checked for validity: the projector gives up
// past 1000 levels (json_fields.hpp; one less under a list envelope's `items`).
constexpr std::size_t kModelDepth = 990;
constexpr std::size_t kValidDepth = 4096;
// Spec modifiers also applied to the HTML directly, to bound the work per input.
constexpr std::size_t kMaxExcerptsPerInput = 4;

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    basalt::core::Utf8Rune rune = basalt::core::decode_utf8(text, i);
    if (rune.code_point == basalt::core::kReplacementChar && rune.size == 1) return false;
    i += rune.size;
  }
  return true;
}

// `bytes` with every invalid UTF-8 byte replaced by U+FFFD.
std::string to_valid_utf8(std::string_view bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size();) {
    basalt::core::Utf8Rune rune = basalt::core::decode_utf8(bytes, i);
    if (rune.code_point == basalt::core::kReplacementChar && rune.size == 1) {
      basalt::core::append_utf8(out, basalt::core::kReplacementChar);
    } else {
      out.append(bytes, i, rune.size);
    }
    i += rune.size;
  }
  return out;
}

std::size_t count_runes(std::string_view text) {
  std::size_t runes = 0;
  for (std::size_t i = 0; i < text.size(); ++runes) i += basalt::core::decode_utf8(text, i).size;
  return runes;
}

// ---- (1) and (2): the spec text --------------------------------------------------------

void check_tree(const FieldNode& node, bool root) {
  require(!root || !node.terminal, "the root is no field");
  require(root || node.terminal || !node.children.empty(), "every path ends in a field");
  require(!node.excerpt || node.terminal, "modifiers only on fields");
  require(!node.excerpt || node.excerpt->max_chars() > 0, "excerpt maxChars > 0");
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    require(i == 0 || node.children[i - 1].name < node.children[i].name,
            "children sorted and unique");
    require(node.child(node.children[i].name) == &node.children[i], "child() finds children");
    check_tree(node.children[i], false);
  }
}

// parse_fields(text), or nullopt when it refused the text with a 400.
std::optional<FieldsSpec> parse_or_400(std::string_view text) {
  try {
    FieldsSpec spec = parse_fields(text);
    require(text.size() <= kMaxFieldsBytes, "the length limit holds");
    check_tree(spec.root, true);
    return spec;
  } catch (const basalt::core::ApiError& error) {
    require(error.status() == 400, "errors are 400s");
    require(!error.message().empty(), "errors have a message");
    return std::nullopt;
  }
}

// Every byte but the unreserved ones as %XX, spaces as '+': url.QueryEscape's output form.
std::string query_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

void fuzz_query(std::string_view line) {
  std::string value = fields_query_param(line);
  require(value.size() <= line.size(), "decoding only shrinks");
  parse_or_400(value);
  require(fields_query_param("x=1&fields=" + query_escape(line)) == line,
          "an escaped value decodes back to itself");
}

// ---- (3) and (4): projection -----------------------------------------------------------

json::value pick(const json::value& value, const FieldNode& fields);

// A field that ends here keeps the value; its modifier rewrites strings only.
json::value keep(const json::value& value, const FieldNode& field) {
  if (!field.excerpt || !value.is_string()) return value;
  const json::string& text = value.get_string();
  return json::string(field.excerpt->apply(std::string_view(text.data(), text.size())));
}

// pickMapFields, the rules (1)-(4) of json_fields.hpp.
json::object pick_object(const json::object& object, const FieldNode& fields) {
  const FieldNode* star = fields.child("*");
  if (star && !star->terminal) star = nullptr;
  json::object out;
  for (const json::key_value_pair& member : object) {
    const FieldNode* match = fields.find(member.key());
    if (match && match->terminal) {
      out[member.key()] = keep(member.value(), *match);
    } else if (match) {
      out[member.key()] = pick(member.value(), *match);
    } else if (star) {
      out[member.key()] = keep(member.value(), *star);
    }
  }
  return out;
}

json::value pick(const json::value& value, const FieldNode& fields) {
  if (value.is_object()) return pick_object(value.get_object(), fields);
  if (!value.is_array()) return value;
  const json::array& array = value.get_array();
  if (array.empty() || !array.front().is_object()) return value;
  json::array out;
  for (const json::value& element : array) {
    if (element.is_object()) {
      out.push_back(pick_object(element.get_object(), fields));
    } else {
      out.push_back(element);
    }
  }
  return out;
}

// boost::json's equality (key order ignored), except that NaN equals NaN: Boost 1.81 reads
// a zero with a huge exponent ("0e400") as NaN, and the same bytes must compare equal.
bool same(const json::value& a, const json::value& b) {
  if (a.is_double() && b.is_double()) {
    return a.get_double() == b.get_double() ||
           (std::isnan(a.get_double()) && std::isnan(b.get_double()));
  }
  if (a.is_array() && b.is_array()) {
    const json::array& x = a.get_array();
    const json::array& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!same(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_object() && b.is_object()) {
    const json::object& x = a.get_object();
    const json::object& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const json::key_value_pair& member : x) {
      const json::value* other = y.if_contains(member.key());
      if (other == nullptr || !same(member.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

struct Document {
  json::value value;
  bool modelled;  // shallow enough for the model
};

std::optional<json::value> parse_json(std::string_view text, std::size_t max_depth,
                                      json::error_code& ec) {
  json::parse_options options;
  options.max_depth = max_depth;
  json::value value = json::parse(text, ec, {}, options);
  if (ec) return std::nullopt;
  return value;
}

std::optional<Document> parse_document(std::string_view body) {
  json::error_code ec;
  if (auto value = parse_json(body, kModelDepth, ec)) return Document{std::move(*value), true};
  if (ec != json::error::too_deep) return std::nullopt;
  if (auto value = parse_json(body, kValidDepth, ec)) return Document{std::move(*value), false};
  return std::nullopt;
}

json::value parse_output(std::string_view output, const char* what) {
  json::error_code ec;
  std::optional<json::value> value = parse_json(output, kValidDepth, ec);
  if (!value) violated(what);
  return std::move(*value);
}

// The model's projection; an empty spec is no projection at all.
json::value expected(const json::value& value, const FieldsSpec& spec) {
  return spec.empty() ? value : pick(value, spec.root);
}

void fuzz_projection(std::string_view body, const FieldsSpec& spec, const Document& document) {
  std::string plain = project_json(body, spec, false);
  json::value picked = parse_output(plain, "projecting valid JSON gives valid JSON");
  if (document.modelled) require(same(picked, expected(document.value, spec)), "model (plain)");

  std::string listed = project_json(body, spec, true);
  json::value envelope = parse_output(listed, "projecting a valid envelope gives valid JSON");
  if (!document.value.is_object()) {
    require(listed == body, "a non-object envelope is kept byte for byte");
    return;
  }
  const json::object& in = document.value.get_object();
  const json::object& out = envelope.get_object();
  require(in.size() == out.size(), "the envelope keeps its keys");
  for (const json::key_value_pair& member : in) {
    const json::value* kept = out.if_contains(member.key());
    require(kept != nullptr, "the envelope keeps its keys");
    if (member.key() != "items") {
      require(!document.modelled || same(*kept, member.value()), "the envelope keeps its values");
    } else if (document.modelled) {
      require(same(*kept, expected(member.value(), spec)), "model (items)");
    }
  }
}

// `*` alone keeps the document as it is.
void fuzz_star(std::string_view body, const Document& document) {
  static const FieldsSpec star = parse_fields("*");
  for (bool list : {false, true}) {
    json::value kept = parse_output(project_json(body, star, list), "`*` gives valid JSON");
    require(!document.modelled || same(kept, document.value), "`*` keeps the document");
  }
}

// `*` after the line's fields keeps every top-level key of an object.
void fuzz_star_appended(std::string_view line, std::string_view body, const Document& document) {
  if (line.find('\0') != std::string_view::npos || line.size() + 2 > kMaxFieldsBytes) return;
  std::optional<FieldsSpec> spec = parse_or_400(std::string(line) + ",*");
  require(spec.has_value(), "a spec that parses still parses with `,*` appended");
  if (!document.value.is_object()) return;
  json::value picked = parse_output(project_json(body, *spec, false), "`,*` gives valid JSON");
  const json::object& in = document.value.get_object();
  require(picked.get_object().size() == in.size(), "`*` keeps every top-level key");
  for (const json::key_value_pair& member : in) {
    require(picked.get_object().contains(member.key()), "`*` keeps every top-level key");
  }
}

// ---- (5): the excerpt ------------------------------------------------------------------

// The number of '<' in `html` that html_plain_text reads as text: those starting no tag,
// end tag, comment or doctype. Counts some inside markup too, which only loosens the bound.
std::size_t text_lt_count(std::string_view html) {
  std::size_t count = 0;
  for (std::size_t i = html.find('<'); i != std::string_view::npos; i = html.find('<', i + 1)) {
    if (i + 1 == html.size()) {
      ++count;
      continue;
    }
    char next = html[i + 1];
    bool markup = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '!' ||
                  next == '?' || (next == '/' && i + 2 < html.size());
    if (!markup) ++count;
  }
  return count;
}

// True when text can hold a '<' no text '<' of the HTML accounts for: a character reference,
// or raw text (whose tags are text) in an element that is not skipped.
bool may_make_lt(std::string_view html) {
  if (html.find('&') != std::string_view::npos) return true;
  std::string lower(html);
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  for (std::string_view name : {"xmp", "noembed", "noframes", "noscript", "plaintext", "title"}) {
    if (lower.find(name) != std::string::npos) return true;
  }
  return false;
}

void check_excerpt(const ExcerptModifier& excerpt, std::string_view html,
                   std::optional<std::size_t> lt_bound) {
  std::string result = excerpt.apply(html);
  require(is_valid_utf8(result), "excerpt is valid UTF-8");
  require(result.find('\0') == std::string::npos, "excerpt has no NUL");
  require(basalt::core::trim_unicode_space(result) == result, "excerpt is trimmed");
  require(result.find_first_of("\t\n\f\r") == std::string::npos, "whitespace is collapsed");
  require(result.find("  ") == std::string::npos, "no space follows a space");
  auto max = static_cast<std::uint64_t>(excerpt.max_chars());
  std::uint64_t ellipsis = excerpt.with_ellipsis() ? 3 : 0;
  require(count_runes(result) <= max || count_runes(result) - max <= ellipsis,
          "excerpt within maxChars runes (+3 for the ellipsis)");
  if (lt_bound) {
    require(static_cast<std::size_t>(std::count(result.begin(), result.end(), '<')) <= *lt_bound,
            "no '<' from a tag");
  }
}

void collect_excerpts(const FieldNode& node, std::vector<ExcerptModifier>& out) {
  if (out.size() >= kMaxExcerptsPerInput) return;
  if (node.excerpt) out.push_back(*node.excerpt);
  for (const FieldNode& child : node.children) collect_excerpts(child, out);
}

void fuzz_excerpt(std::string_view input, std::string_view body, const FieldsSpec* spec) {
  const std::string html = to_valid_utf8(body);
  std::string unescaped;
  append_html_unescaped(unescaped, html);
  require(is_valid_utf8(unescaped), "unescaped text is valid UTF-8");
  require(html.find('&') != std::string::npos || unescaped == html,
          "text without references is unchanged");

  std::optional<std::size_t> lt_bound;
  if (!may_make_lt(html)) lt_bound = text_lt_count(html);

  // The last byte picks the arguments, so mutations steer them: bit 7 no limit, bit 6 the
  // ellipsis, the low bits 1..64 runes.
  const auto last = static_cast<unsigned char>(input.empty() ? 0 : input.back());
  const std::int64_t max =
      (last & 0x80) ? std::numeric_limits<std::int64_t>::max() : 1 + (last & 0x3F);
  const bool ellipsis = (last & 0x40) != 0;
  const std::vector<std::string> args = {std::to_string(max), ellipsis ? "true" : "0"};
  ExcerptModifier excerpt = ExcerptModifier::from_args(args);
  require(excerpt.max_chars() == max && excerpt.with_ellipsis() == ellipsis, "arguments read");
  check_excerpt(excerpt, html, lt_bound);

  if (spec == nullptr) return;
  std::vector<ExcerptModifier> named;
  collect_excerpts(spec->root, named);
  for (const ExcerptModifier& modifier : named) check_excerpt(modifier, html, lt_bound);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t newline = input.find('\n');
  std::string_view line = newline == std::string_view::npos ? "" : input.substr(0, newline);
  std::string_view body = newline == std::string_view::npos ? input : input.substr(newline + 1);

  fuzz_query(line);

  const FieldsSpec none;
  require(project_json(body, none, false) == body, "an empty spec keeps the bytes");
  require(project_json(body, none, true) == body, "an empty spec keeps the bytes (envelope)");

  std::optional<FieldsSpec> spec = parse_or_400(line);
  if (std::optional<Document> document = parse_document(body)) {
    fuzz_star(body, *document);
    if (spec) {
      fuzz_projection(body, *spec, *document);
      fuzz_star_appended(line, body, *document);
    }
  }
  fuzz_excerpt(input, body, spec ? &*spec : nullptr);
  return 0;
}
