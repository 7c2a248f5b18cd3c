// Topic: one subscription string of POST /api/realtime, parsed (docs/realtime.md).
//
//   posts/*            every record of `posts` (idOrName), checked with its listRule
//   posts              the same (PocketBase's older spelling)
//   posts/RECORD_ID    one record, checked with the viewRule
//   <any>?options=<percent-encoded JSON {"query":{...},"headers":{...}}>
//
// `query` becomes `@request.query.*` and may hold `filter`, `expand` and `fields`; `headers`
// become `@request.headers.*` (names normalized as query::normalize_header_name does). The
// event name of every message is the subscription string exactly as submitted, so it is kept
// whole in `text`. Other topics (`@oauth2`, a name with no collection behind it) are stored and
// simply never match a record event.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::realtime {

inline constexpr std::size_t kMaxTopics = 1000;
inline constexpr std::size_t kMaxTopicLength = 2500;

struct Topic {
  std::string text;        // as submitted: the event name of its messages
  std::string collection;  // id or name, as written
  std::string record_id;   // empty: every record of the collection (listRule)
  // From the options; empty when absent.
  std::string filter;
  std::string expand;
  std::string fields;
  boost::json::object query;    // every query option, values as strings
  boost::json::object headers;  // normalized names, values as strings

  bool view() const noexcept { return !record_id.empty(); }
  // The rule, filter, expand and request inputs of this topic: two topics with the same key see
  // the same records the same way for the same caller (the grouping unit of delivery).
  std::string check_key() const;
};

// Parses one subscription string. Throws core::ApiError 400 when the options are not
// percent-encoded JSON of the shape above.
Topic parse_topic(std::string_view text);

// The `subscriptions` member of the request body: an array of at most kMaxTopics strings, each
// at most kMaxTopicLength characters; empty strings are skipped, duplicates kept once.
// Throws core::ApiError 400 with the field error under "subscriptions" otherwise.
std::vector<Topic> parse_topics(const boost::json::value* subscriptions);

}  // namespace basalt::realtime
