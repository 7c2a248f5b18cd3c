#include "basalt/mail/html_text.hpp"

#include <gtest/gtest.h>

namespace basalt::mail {
namespace {

TEST(HtmlText, KeepsTextLinksAndParagraphs) {
  const std::string html =
      "<p>Hello,</p>\n<p>Click <a class=\"btn\" href=\"https://x.test/a?b=1&amp;c=2\">Verify</a>"
      "</p>\n<p>Thanks,<br/>\n  Acme team</p>";
  EXPECT_EQ(html_to_text(html),
            "Hello,\n\nClick Verify (https://x.test/a?b=1&c=2)\n\nThanks,\nAcme team");
}

TEST(HtmlText, DropsStyleAndScriptAndDecodesReferences) {
  EXPECT_EQ(html_to_text("<style>p{color:red}</style><script>x()</script>a &lt;b&gt; &#233;&#x41;"),
            "a <b> \xc3\xa9"
            "A");
  EXPECT_EQ(html_to_text("fish &chips; & more"), "fish &chips; & more");
}

TEST(HtmlText, AnUnfinishedTagEndsTheText) {
  EXPECT_EQ(html_to_text("before <a href=\"x"), "before");
}

}  // namespace
}  // namespace basalt::mail
