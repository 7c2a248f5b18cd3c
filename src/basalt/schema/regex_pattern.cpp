#include "basalt/schema/regex_pattern.hpp"

#include <re2/re2.h>

#include <utility>

namespace basalt::schema {

RegexPattern::RegexPattern(std::string source) : source_(std::move(source)) {
  if (source_.empty()) return;
  RE2::Options options;  // Perl-like syntax, UTF-8, '.' does not match '\n': as Go's regexp
  options.set_log_errors(false);
  auto compiled = std::make_shared<const RE2>(source_, options);
  if (!compiled->ok()) {
    error_ = compiled->error();
    if (error_.empty()) error_ = "invalid regular expression";
    return;
  }
  compiled_ = std::move(compiled);
}

bool RegexPattern::match(std::string_view text) const {
  if (source_.empty()) return true;
  if (!compiled_) return false;
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *compiled_);
}

}  // namespace basalt::schema
