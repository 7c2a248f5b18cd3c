// GeneratorPattern: a text field's `autogeneratePattern`, parsed once, producing random values.
//
// PocketBase accepts any Go regexp here. Basalt supports the subset that real schemas use, and
// rejects anything else at definition validation with a clear message:
//   - literal characters (any UTF-8 text except the regex metacharacters . [ ] ( ) { } * + ? |),
//     and escaped metacharacters such as \. \- \_ \{
//   - character classes [a-z0-9_-] of ASCII characters and ranges (no [^...] negation),
//     and the shorthands \d ([0-9]) and \w ([0-9A-Za-z_])
//   - each atom optionally followed by {n} or {n,m} (at most kMaxRepeat)
//   - a leading ^ and a trailing $, which are ignored
// e.g. "[a-z0-9]{15}", "[a-zA-Z0-9]{50}", "post_[a-z]{3,6}", "\d{6}".
// Unsupported: alternation, groups, *, +, ?, '.', negated classes.
//
// Immutable after construction; generate() is thread-safe (libsodium randomness).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace basalt::schema {

class GeneratorPattern {
 public:
  static constexpr std::size_t kMaxRepeat = 1000;
  static constexpr std::size_t kMaxLength = 5000;  // longest value a pattern may produce

  GeneratorPattern() = default;
  explicit GeneratorPattern(std::string source);

  const std::string& source() const noexcept { return source_; }
  bool empty() const noexcept { return source_.empty(); }
  bool valid() const noexcept { return error_.empty(); }
  // Why the source is not in the supported subset; empty when valid.
  const std::string& error() const noexcept { return error_; }

  // A fresh random value; "" for an empty or invalid pattern.
  std::string generate() const;

  friend bool operator==(const GeneratorPattern& a, const GeneratorPattern& b) {
    return a.source_ == b.source_;
  }

 private:
  struct Atom {
    std::string chars;  // a class's alphabet, or the literal's bytes
    bool literal = false;
    std::size_t min = 1;
    std::size_t max = 1;
  };

  bool parse();

  std::string source_;
  std::string error_;
  std::vector<Atom> atoms_;
};

}  // namespace basalt::schema
