// The text/plain alternative of an HTML mail body: what a client without HTML shows.
//
// Tags are dropped (with the content of <style>, <script> and <head>); block ends (<br>, </p>,
// </div>, </li>, </tr>, headings) become line breaks; a link keeps its target after its text
// ("Verify (https://...)") so the action still works as plain text; the common named and
// numeric character references are decoded; runs of spaces collapse and at most one blank line
// is kept. Not an HTML parser: meant for the templates superusers write.
//
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace basalt::mail {

std::string html_to_text(std::string_view html);

}  // namespace basalt::mail
