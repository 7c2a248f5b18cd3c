// RegexPattern: a field's `pattern` option, compiled once with RE2 when the option is read.
//
// RE2 matches in time linear in the input (no catastrophic backtracking), and its syntax is the
// one PocketBase's Go regexp package accepts. Matching is unanchored, like Go's MatchString:
// write ^...$ to match the whole value.
//
// A RegexPattern is immutable; copies share the compiled program, and match() may be called from
// any number of threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace basalt::schema {

class RegexPattern {
 public:
  RegexPattern() = default;
  // Compiles `source` (nothing to compile when empty). An invalid source is kept with its error
  // so that definition validation can report it; such a pattern matches nothing.
  explicit RegexPattern(std::string source);

  const std::string& source() const noexcept { return source_; }
  bool empty() const noexcept { return source_.empty(); }
  bool valid() const noexcept { return error_.empty(); }
  // RE2's description of why the source does not compile; empty when valid.
  const std::string& error() const noexcept { return error_; }

  // True when `text` contains a match. An empty pattern matches everything.
  bool match(std::string_view text) const;

  friend bool operator==(const RegexPattern& a, const RegexPattern& b) {
    return a.source_ == b.source_;
  }

 private:
  std::string source_;
  std::string error_;
  std::shared_ptr<const re2::RE2> compiled_;
};

}  // namespace basalt::schema
