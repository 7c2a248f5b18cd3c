// The few things Basalt reads from S3's XML responses, with a small reader that only scans for
// elements by name: ListObjectsV2 (Key, IsTruncated, NextContinuationToken),
// InitiateMultipartUpload (UploadId), DeleteObjects' per-key errors and error bodies
// (Code, Message). S3's responses are flat enough that "the text of every <Name> element" is
// all that is needed; namespaces and attributes on the element are tolerated, nested elements
// inside the one looked for are not expected (their tags stay in the text).
//
// Bounded: callers pass bodies whose size the transport already capped (s3_http.hpp); the scan
// is linear in the body and allocates only the values it returns. Malformed input (an element
// that is never closed, an unknown entity) yields no value or the text as written, never UB.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::files {

// The text of every `<name>` element of `xml`, in document order, entities decoded.
std::vector<std::string> xml_texts(std::string_view xml, std::string_view name);

// The text of the first `<name>` element, or nullopt.
std::optional<std::string> xml_text(std::string_view xml, std::string_view name);

// The raw (still escaped) content of every `<name>…</name>` element, for nested lookups such as
// the <Error> entries of a DeleteObjects result.
std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view name);

// `text` with &amp; &lt; &gt; &quot; &apos; and numeric references decoded; anything else kept.
std::string xml_unescape(std::string_view text);

// `text` with & < > " ' escaped, for the bodies Basalt sends.
std::string xml_escape(std::string_view text);

// One S3 page of ListObjectsV2.
struct ListPage {
  std::vector<std::string> keys;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken; "" when absent
};
ListPage parse_list_page(std::string_view xml);

// "Code: Message" from an S3 error body, or "" when the body carries neither.
std::string s3_error_summary(std::string_view xml);

}  // namespace basalt::files
