// decode_form_body: a record write's request body (docs/api.md, "Requests"; also a batch
// sub-request's) as a JSON object of field values plus the uploaded files, the way PocketBase's
// BindBody reads it (tools/router/event.go, tools/router/unmarshal_request_data.go).
//
// By media type (case-insensitive, parameters after ';' ignored except the boundary):
//  - empty body, any type: `{}` and no files (PocketBase skips binding when Content-Length
//    is 0).
//  - application/json, or no Content-Type and a body whose first non-blank byte is '{': the
//    body must be one JSON object (a blank body is `{}`).
//  - multipart/form-data: a part with a non-empty filename is an UploadedFile; a part named
//    `@jsonPayload` holds a JSON object whose members are set into the result after all plain
//    values (later payloads win); every other part is a plain value.
//  - application/x-www-form-urlencoded: '&'-separated `name=value` pairs, '+' is a space,
//    %XX escapes; a pair without '=' has the value "", a pair holding ';' is an error (Go
//    1.17+). `@jsonPayload` works as in multipart. Values are bounded only by the body.
//  - anything else: 400 "Unsupported Content-Type.".
//
// Plain values (multipart and urlencoded) are inferred as PocketBase's inferValue does:
//  1. "true" / "false" become booleans; "" stays a string.
//  2. A string of [-.0-9] starting with '-' or a digit becomes a number when it parses as a
//     double and that double's shortest fixed-point text (Go's FormatFloat(v, 'f', -1, 64))
//     is the string itself: "12", "-3", "1.5", "0.25" are numbers; "0001", "1e3", "0.0",
//     "1.50", "+1", ".5", "1." stay strings. A number is stored as int64 when it is a whole
//     number in int64 range (as a JSON body with the same text gives) and as a double
//     otherwise; "-0" therefore becomes 0 (Go keeps -0.0).
//  3. Anything else stays a string.
// A name sent once maps to its value; a name sent several times maps to an array of its
// values in body order.
//
// Differences from PocketBase (only the query-string one can touch what the SDK sends):
//  - A body without Content-Type is read as JSON when it starts with '{' (PocketBase: 400
//    Unsupported Content-Type).
//  - Errors are 400s with a specific message; PocketBase answers most of them with its generic
//    400 text.
//  - Strings must be valid UTF-8 (field names, values, file names): Go would keep the bytes
//    and write U+FFFD on output.
//  - JSON: trailing bytes after the object and a `null` body are errors (Go's decoder ignores
//    the former and binds nothing for the latter); nesting is bounded by
//    FormLimits::max_json_depth. An `@jsonPayload` must be an object too.
//  - Media types match case-insensitively and exactly (Go: case-sensitive prefix match).
//  - PocketBase also binds the URL query string into the body for form requests (Go's
//    Request.Form merges both, so `?expand=x` on a multipart create sets a body key
//    `expand`); only the body is read here.
//  - Multipart syntax is stricter than Go's reader (multipart.hpp), and a part without a
//    name is an error where Go skips it.
//
// Errors: throws core::ApiError 400 with a message a client can act on; nothing else on bad
// input. Thread safety: a pure function.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/core/temp_file.hpp"
#include "basalt/http/multipart.hpp"
#include "basalt/http/upload_spool.hpp"

namespace basalt::http {

// The multipart part name that carries a JSON object to merge (PocketBase JSONPayloadKey).
inline constexpr std::string_view kJsonPayloadField = "@jsonPayload";

struct FormLimits {
  // multipart.max_value_bytes bounds plain values; an @jsonPayload part is bounded by
  // max_json_payload_bytes instead.
  MultipartLimits multipart;
  // One @jsonPayload part. The SDK puts every non-file value of a record, or every sub-request
  // of a batch (whose body limit is 128 MiB), into one such part, so 1 MiB would refuse what
  // PocketBase accepts (an editor field alone may hold 5 MB). The body limit decides first.
  std::size_t max_json_payload_bytes = 32 * 1024 * 1024;
  // Pairs in a urlencoded body (Go has no limit; the 32 MiB body limit bounds it there).
  std::size_t max_urlencoded_fields = 1000;
  // Nesting of a JSON body or `@jsonPayload` (Boost.JSON's default is 32, Go's 10000).
  std::size_t max_json_depth = 64;
};

struct UploadedFile {
  std::string field;         // part name as sent: "avatar", "avatar+", "requests.0.avatar"
  std::string filename;      // as sent, valid UTF-8, not sanitised
  std::string content_type;  // as sent; empty when the part had none
  std::string data;          // the bytes, when the body was decoded in memory
  std::uint64_t size = 0;    // bytes the part had
  // A spooled body (upload_spool.hpp): the bytes are in `file`, unless the route's plan
  // refused to keep them (kept == false: over its limit for this part).
  bool kept = true;
  core::TempFile file;
};

struct FormBody {
  boost::json::object data;
  std::vector<UploadedFile> files;  // in body order
  // Multipart or urlencoded: `data` holds inferred plain values (a JSON body's types are the
  // client's own). Routes binding into fixed shapes read such values back as text.
  bool form_encoded = false;
};

// See above. `content_type` is the request's Content-Type header value ("" when absent).
FormBody decode_form_body(std::string_view content_type, std::string_view body,
                          const FormLimits& limits = {});

// The same decoding for a multipart body that was spooled while it arrived: its plain values
// and @jsonPayload parts as above, its files as temporary files. Throws ApiError 400 for the
// spool's parse error (500 when the spool failed to write a file).
FormBody decode_spooled_form(UploadSpool& spool, const FormLimits& limits = {});

// The multipart limits a spool of a form body is created with (values bounded as above).
MultipartLimits spool_parser_limits(const FormLimits& limits = {});

// Rule 2 and 3 above on one plain value: a bool, int64, double or string.
boost::json::value infer_form_value(std::string_view raw);

}  // namespace basalt::http
