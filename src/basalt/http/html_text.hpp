// The plain text of an HTML fragment, as PocketBase's excerpt modifier extracts it
// (tools/picker/excerpt_modifier.go walking the tree of golang.org/x/net/html's html.Parse):
//   1. Tags, comments and doctypes give no text; character references are decoded
//      (html_entities.hpp), also in <title> and <textarea>, but not in <script>-like raw text.
//   2. Each run of ASCII whitespace [\t\n\f\r ] becomes one space, and a space never follows a
//      space, across text and element boundaries. Other spaces (U+00A0 from &nbsp;) stay.
//   3. An element not in the inline list (a abbr acronym b bdo big br button cite code em i
//      label q small span strong strike sub sup time) is a block: a space is written before and
//      after it unless one was just written. `br` is inline, so "a<br>b" reads "ab", as in
//      PocketBase.
//   4. The subtrees of head style script iframe embed applet object svg img picture dialog
//      template button form textarea input select option are skipped, as is the document
//      head that HTML implies for <title>, <meta>, <style>... before the first content.
//   5. Once the text is longer than `budget` bytes, elements that start afterwards are not
//      entered (their block spaces are still written, and so is later text of elements already
//      entered). This is PocketBase's early stop; with multi-byte text it can decide whether an
//      excerpt gets cut, so it is reproduced rather than left out.
// The result starts with a space (the implied <html> block) and may end with one; callers
// trim. Reading stops as soon as the text holds more than `enough_runes` runes from its first
// to its last non-space one: an excerpt of at most that many runes is fixed by then, so a
// long document costs only its beginning.
//
// Invariant: this is a tokenizer plus a stack of open elements, not the HTML5 tree builder.
// It models what changes the text: raw-text and RCDATA elements (script style xmp iframe
// noembed noframes noscript plaintext, textarea title), void elements, the implied head,
// end tags closing the nearest open element in scope, the implied ends of p, li, dd/dt,
// headings, button and option, and table parts being ignored outside a table. Misnested
// formatting tags (the adoption agency algorithm), text fostered out of tables and
// `</form>` closing a form around open children can place text differently from Go's parser.
//
// Input must be valid UTF-8 (the JSON string decoder guarantees it). Start tags nested deeper
// than 128 open elements are ignored, which bounds the work per tag.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace basalt::http {

std::string html_plain_text(std::string_view html, std::size_t budget, std::size_t enough_runes);

}  // namespace basalt::http
