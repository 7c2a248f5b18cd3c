// Decoding of HTML character references in text content, as golang.org/x/net/html's tokenizer
// does before PocketBase's excerpt modifier sees the text (escape.go `unescape`, text mode):
//   - numeric: &#233; &#xE9; (the `;` is optional); 0x80..0x9F map through Windows-1252
//     (&#150; is an en dash), and 0, surrogates and values past U+10FFFF become U+FFFD;
//   - named: the longest run of ASCII letters and digits after `&`, with its `;` if present;
//     when that name is unknown, the longest prefix (2..6 characters) that is one of the
//     legacy names HTML allows without `;` (&copy2024 -> ©2024, &amp -> &);
//   - anything else (a lone `&`, an unknown name) stays as written.
//
// The name table holds HTML 4's 252 entities (with HTML5's values: &lang; is U+27E8), &apos;
// and the uppercase legacy forms (&AMP &COPY &GT &LT &QUOT &REG): the names rich-text editors
// write. HTML5 defines ~2,000 more (&check;, &NewLine;, the two-code-point ones); those are
// left as literal text here, where Go's parser would decode them.
#pragma once

#include <string>
#include <string_view>

namespace basalt::http {

// Appends `text` (UTF-8) to `out` with its character references decoded.
void append_html_unescaped(std::string& out, std::string_view text);

}  // namespace basalt::http
