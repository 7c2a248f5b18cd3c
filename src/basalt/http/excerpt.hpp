// The `excerpt(maxChars, withEllipsis?)` modifier of the `fields` query parameter (docs/fields.md;
// PocketBase's tools/picker/excerpt_modifier.go): a short plain-text excerpt of an HTML value.
//
// Arguments, as PocketBase reads them (spf13/cast over Go's strconv):
//   - maxChars: an integer in Go syntax ("12", "0x1f", "0o17", "017" (octal), "1_000"); a
//     decimal part is dropped ("12.9" is 12); anything else reads as 0. It must be > 0.
//   - withEllipsis: "1", "t", "T", "TRUE", "true" or "True" is true; anything else is false.
//   - One or two arguments; none or more than two is an error.
//
// apply() on a string value:
//   1. html_plain_text() extracts the text (whitespace collapsed, blocks spaced, scripts,
//      styles, forms and media skipped; see html_text.hpp);
//   2. leading and trailing Unicode whitespace is trimmed (Go's strings.TrimSpace);
//   3. when more than maxChars code points remain, the first maxChars are kept, trimmed
//      again, and "..." appended if withEllipsis. Text that fits is never given an ellipsis.
// Values that are not strings are left to the caller to keep unchanged (PocketBase does).
//
// Thread safety: immutable after construction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace basalt::http {

class ExcerptModifier {
 public:
  // Throws core::ApiError::bad_request (the generic 400) on invalid arguments.
  static ExcerptModifier from_args(std::span<const std::string> args);

  // `html` must be valid UTF-8.
  std::string apply(std::string_view html) const;

  std::int64_t max_chars() const noexcept { return max_chars_; }
  bool with_ellipsis() const noexcept { return with_ellipsis_; }

 private:
  ExcerptModifier(std::int64_t max_chars, bool with_ellipsis)
      : max_chars_(max_chars), with_ellipsis_(with_ellipsis) {}

  std::int64_t max_chars_;  // > 0
  bool with_ellipsis_;
};

}  // namespace basalt::http
