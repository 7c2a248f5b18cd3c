// The `fields` query parameter (docs/fields.md): keeps only the listed keys of a 2xx JSON response,
// with PocketBase's semantics (tools/picker/pick.go, tools/tokenizer, apis' router JSON()).
//
// Spec text: `fields=id,title:excerpt(100,true),expand.author.name,*`
//   - Split at commas outside parentheses and quotes ('…', "…", `…`; a backslash keeps the
//     next quote from counting); unbalanced parentheses or quotes are an error. Each entry is
//     trimmed; empty entries are skipped, so "" or " , " is no projection at all.
//   - An entry is `path` or `path:modifier`; path segments are separated by dots and matched
//     literally (no trimming inside). The only modifier is excerpt (excerpt.hpp); an empty or
//     unknown modifier, or bad arguments, is an error. A later entry for the same path
//     replaces an earlier one (modifier included).
//   - Errors throw core::ApiError::bad_request() (the generic 400 of docs/api.md, "Errors"). Text
//   after a
//     NUL byte is ignored and invalid UTF-8 reads as U+FFFD, as Go's tokenizer reads it.
//   - Limit: at most kMaxFieldsBytes (4 KiB) of spec text, else the same 400. PocketBase has
//     no limit; 4 KiB is past any real field list and bounds the work per response key.
//
// Projection, at each object level (pickMapFields), for each key of the data:
//   1. A field naming the key exactly keeps the whole value, with that field's modifier
//      applied; it wins over longer fields under the same key (`expand,expand.a.b` keeps all
//      of `expand`).
//   2. Else, if fields continue under the key (`expand` for `expand.author.name`), the value
//      is projected with the rest of those paths: an object key by key; an array whose first
//      element is an object element by element (other elements kept); any other array or
//      scalar is kept whole.
//   3. Else a `*` field at this level keeps the value whole, with `*`'s modifier.
//   4. Else the key is dropped. Fields naming keys the data lacks are ignored.
//   A key containing dots matches the field path with the same dotted text, as in PocketBase.
//   The document itself is projected the same way: an object by (1)-(4), an array of objects
//   element by element, anything else unchanged. As a list envelope (Response::json_list),
//   only the value of the top-level `items` key is projected; `page`, `perPage`, ... stay.
//
// Streaming, not a DOM: project_json() scans the JSON text once with a hand-written validating
// scanner and appends the picked parts to the output as byte ranges of the input, so numbers,
// strings and whole kept values are copied exactly as written (our JSON is in Go's byte form,
// which a parse/serialize round trip would not preserve). boost::json::basic_parser was not
// used: it hands strings over unescaped and would force re-encoding every kept string.
// Objects and arrays that lose members are re-emitted compactly (`{"a":1,"b":2}`); the list
// envelope and every kept value keep their original bytes. A modified value (excerpt) is the
// only thing re-encoded, with Go's escaping (core/go_json_string.hpp).
// Differences from PocketBase, which decodes into Go maps and re-encodes: keys keep their
// order instead of being sorted (record JSON is written sorted already), and large integers
// keep their digits instead of passing through float64.
//
// Invalid JSON (or nesting deeper than 1000) is returned unchanged.
//
// Thread safety: a FieldsSpec is immutable after parse_fields() and may be shared.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/http/excerpt.hpp"

namespace basalt::http {

inline constexpr std::size_t kMaxFieldsBytes = 4096;

// One path segment of the spec and everything listed under it.
struct FieldNode {
  std::string name;
  bool terminal = false;                   // a field ends here
  std::optional<ExcerptModifier> excerpt;  // that field's modifier (terminal nodes only)
  std::vector<FieldNode> children;         // sorted by name, unique

  // The child named `name`, or null.
  const FieldNode* child(std::string_view name) const noexcept;
  // The node reached by the dotted `path` (one step per segment), or null.
  const FieldNode* find(std::string_view path) const noexcept;
};

struct FieldsSpec {
  FieldNode root;  // its children are the top-level segments

  bool empty() const noexcept { return root.children.empty(); }
};

// Parses the (already percent-decoded) parameter text.
FieldsSpec parse_fields(std::string_view text);

// `json` with only the picked parts; `json` itself when the spec is empty or the text is not
// valid JSON. `list_envelope`: project only the elements under the top-level `items` key.
std::string project_json(std::string_view json, const FieldsSpec& spec, bool list_envelope);

// The value of the first `fields` parameter in a raw query string, decoded as Go's
// url.ParseQuery decodes it (`+` is a space, %XX escapes; a pair with a malformed escape or a
// `;` is skipped); empty when absent.
std::string fields_query_param(std::string_view raw_query);

}  // namespace basalt::http
