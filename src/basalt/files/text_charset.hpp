// The charset PocketBase's file server names for a plain-text file (docs/files.md, "Serving"):
// its detector (Go's mimetype package) reports text as `text/plain; charset=<cs>`, and the
// stored content type is what the Content-Type header carries. The same facts are applied here
// to the bytes serving sniffs (the first files::kSniffBytes):
//
//   a byte-order mark names it            utf-8, utf-16be/le, utf-32be/le
//   valid UTF-8 (a rune cut by the end of the sniffed bytes ignored), or plain ASCII text
//                                         utf-8
//   ASCII text plus bytes A0..FF          iso-8859-1 (windows-1252 with a NEL byte, 0x85)
//   anything else                         no charset
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace basalt::files {

// "" when no charset can be named.
std::string text_charset(std::string_view head);

// The Content-Type serving sends for content of `detected` type starting with `head`:
// `text/plain` gets `; charset=<text_charset>` when one is named; any other type is unchanged.
std::string served_type_with_charset(std::string_view detected, std::string_view head);

}  // namespace basalt::files
