// Mail templates: a subject and an HTML body with placeholders, filled in for one mail.
//
//   {APP_NAME} {APP_URL} {TOKEN} {OTP} ...   the values given by name
//   {RECORD:field}                           that member of the given record (a string as is,
//                                            a number or bool as JSON, null as "", an array or
//                                            object as its JSON)
//
// In the body every substituted value is HTML-escaped (& < > " '), so a record's name cannot
// inject markup; the subject is plain text (it is encoded for the header later, message.hpp)
// and gets the raw values. A placeholder with no value (an unknown name, a missing field) is
// left as written. Substituted text is never scanned again, so a value holding "{TOKEN}" stays
// literal.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::mail {

struct TemplateValues {
  std::vector<std::pair<std::string, std::string>> named;  // {"APP_NAME", "Acme"}, ...
  // {RECORD:field} reads this; the caller leaves out what a mail must never show (password
  // hashes, tokenKey).
  boost::json::object record;
};

enum class TemplateContext { kText, kHtml };

std::string render_template(std::string_view text, const TemplateValues& values,
                            TemplateContext context);

// & < > " ' as character references.
std::string escape_html(std::string_view text);

}  // namespace basalt::mail
