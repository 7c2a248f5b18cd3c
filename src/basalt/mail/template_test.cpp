#include "basalt/mail/template.hpp"

#include <gtest/gtest.h>

namespace basalt::mail {
namespace {

TemplateValues sample_values() {
  TemplateValues values;
  values.named = {
      {"APP_NAME", "Acme & Co"}, {"APP_URL", "https://acme.test/?a=1&b=2"}, {"TOKEN", "abc.def"}};
  values.record = {{"name", "<b>Ann</b>"}, {"age", 42}, {"nick", nullptr}, {"tags", {"a", "b"}}};
  return values;
}

TEST(MailTemplate, SubstitutesNamedValuesAndEscapesThemInHtml) {
  const auto values = sample_values();
  EXPECT_EQ(render_template("<a href=\"{APP_URL}/x/{TOKEN}\">{APP_NAME}</a>", values,
                            TemplateContext::kHtml),
            "<a href=\"https://acme.test/?a=1&amp;b=2/x/abc.def\">Acme &amp; Co</a>");
  EXPECT_EQ(render_template("Welcome to {APP_NAME}", values, TemplateContext::kText),
            "Welcome to Acme & Co");
}

TEST(MailTemplate, RecordFieldsAreEscapedAndFormatted) {
  const auto values = sample_values();
  EXPECT_EQ(render_template("Hi {RECORD:name} ({RECORD:age}){RECORD:nick}", values,
                            TemplateContext::kHtml),
            "Hi &lt;b&gt;Ann&lt;/b&gt; (42)");
  EXPECT_EQ(render_template("{RECORD:tags}", values, TemplateContext::kText), "[\"a\",\"b\"]");
}

TEST(MailTemplate, UnknownPlaceholdersAndStrayBracesStayAsWritten) {
  const auto values = sample_values();
  EXPECT_EQ(
      render_template("{NOPE} {RECORD:missing} { {APP_NAME} }", values, TemplateContext::kText),
      "{NOPE} {RECORD:missing} { Acme & Co }");
  EXPECT_EQ(render_template("unclosed {APP_NAME", values, TemplateContext::kText),
            "unclosed {APP_NAME");
}

TEST(MailTemplate, SubstitutedTextIsNotScannedAgain) {
  TemplateValues values;
  values.named = {{"TOKEN", "t0k"}};
  values.record = {{"name", "{TOKEN}"}};
  EXPECT_EQ(render_template("{RECORD:name}/{TOKEN}", values, TemplateContext::kText),
            "{TOKEN}/t0k");
}

TEST(MailTemplate, EscapeHtmlCoversAttributeQuotes) {
  EXPECT_EQ(escape_html("a\"b'c<d>&"), "a&#34;b&#39;c&lt;d&gt;&amp;");
}

}  // namespace
}  // namespace basalt::mail
