// Conditional requests on served files (docs/files.md, "Serving"): the validators' checks in
// the order Go's http.ServeContent makes them for GET and HEAD (RFC 9110 §13.2.2) -
// If-Match, then If-Unmodified-Since (412 when false); If-None-Match, else
// If-Modified-Since (304 when the client's copy is current); If-Range decides whether Range
// counts. Times compare in whole seconds, as HTTP dates carry them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace basalt::files {

using TimePoint = std::chrono::system_clock::time_point;

struct ConditionalHeaders {
  std::string_view if_match;
  std::string_view if_unmodified_since;
  std::string_view if_none_match;
  std::string_view if_modified_since;
  std::string_view if_range;
};

// What the object being served is: its ETag (quoted, possibly W/-prefixed; "" for none) and
// modification time.
struct Validators {
  std::string_view etag;
  TimePoint modified;
};

enum class Precondition {
  kServe,        // go on: 200, or 206 when the Range counts
  kNotModified,  // 304
  kFailed,       // 412
};

struct ConditionalDecision {
  Precondition outcome = Precondition::kServe;
  bool range_applies = true;  // false: If-Range did not match, so serve the whole object
};

ConditionalDecision check_conditions(const ConditionalHeaders& headers, const Validators& object);

// An HTTP date (IMF-fixdate, or the obsolete RFC 850 and asctime forms a recipient must
// accept); nullopt when it is none of them.
std::optional<TimePoint> parse_http_date(std::string_view text);

// `time` as an IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(TimePoint time);

}  // namespace basalt::files
