// GraphQL errors as the API answers them: {message, locations, extensions: {code}}
// (docs/graphql.md, "Errors"). Locations are kept as byte offsets into the document and turned
// into (line, column) only when an error is written, so nodes stay small.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::graphql {

// The `extensions.code` values this module produces.
enum class ErrorCode : std::uint8_t {
  kParseFailed,          // the document is not GraphQL (lexer or grammar)
  kLimitExceeded,        // a bound of Limits was crossed
  kValidationFailed,     // a rule of document validation or of variable coercion failed
  kPermissionDenied,     // the caller may not use what a field asks for (a locked collection)
  kNotFound,             // what a field names does not exist
  kConstraintViolation,  // a write refused by the data (a unique value taken, a required
                         // relation still pointing at a record to delete)
  kInternal,             // anything else; the message says nothing of the cause
};

std::string_view error_code_name(ErrorCode code) noexcept;

// Line and column, both 1-based; columns count UTF-16 code units as graphql-js does, so a client
// pointing at the document sees the same place.
struct LineColumn {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  friend bool operator==(const LineColumn&, const LineColumn&) = default;
};

struct Error {
  ErrorCode code = ErrorCode::kValidationFailed;
  std::string message;
  std::vector<std::uint32_t> offsets;  // byte offsets into the document; may be empty
  // Response names from the root to the field that failed (field errors only; a request error
  // has none). Every error of execution is raised by a root field today, so the path holds
  // names only.
  std::vector<std::string> path;
  // `extensions.data` as JSON object text (a refused write's per-field {code, message} map, as
  // REST answers it); empty: none.
  std::string data_json;
};

// Line and column of byte `offset` in `document` (an offset past the end is the end).
LineColumn line_column(std::string_view document, std::uint32_t offset) noexcept;

// The error as its JSON text: {"message":…,"locations":[{"line":…,"column":…}],"path":[…],
// "extensions":{"code":…}} ("locations" and "path" left out when there are none).
std::string error_json(const Error& error, std::string_view document);

// `text` cut to at most `max_bytes` (on a UTF-8 character boundary) with "…" appended when it
// was longer: for quoting user input in a message.
std::string shorten_for_message(std::string text, std::size_t max_bytes);

// `[error, …]` for an errors array.
std::string errors_json(const std::vector<Error>& errors, std::string_view document);

}  // namespace basalt::graphql
