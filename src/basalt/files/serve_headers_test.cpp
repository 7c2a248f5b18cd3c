#include "basalt/files/serve_headers.hpp"

#include <gtest/gtest.h>

namespace basalt::files {
namespace {

TEST(ServeHeaders, ImagesMediaAndPdfAreInline) {
  for (std::string_view type :
       {"image/png", "image/jpeg", "image/webp", "video/mp4", "audio/mpeg", "application/pdf"}) {
    EXPECT_EQ(content_disposition(type, "a_1.bin", false), "inline; filename=a_1.bin") << type;
  }
}

TEST(ServeHeaders, EverythingElseAndDownloadsAreAttachments) {
  for (std::string_view type : {"text/html", "image/svg+xml", "application/octet-stream",
                                "text/plain", "application/javascript"}) {
    EXPECT_EQ(content_disposition(type, "x.html", false), "attachment; filename=x.html") << type;
  }
  EXPECT_EQ(content_disposition("image/png", "p.png", true), "attachment; filename=p.png");
}

TEST(ServeHeaders, SomeExtensionsGetAFixedContentType) {
  EXPECT_EQ(served_content_type("logo_abc.svg", "text/xml"), "image/svg+xml");
  EXPECT_EQ(served_content_type("site.css", "text/plain"), "text/css");
  EXPECT_EQ(served_content_type("app.mjs", "text/plain"), "text/javascript");
  EXPECT_EQ(served_content_type("doc.docx", "application/zip"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(served_content_type("photo.png", "image/png"), "image/png");
  EXPECT_EQ(served_content_type("noext", "text/plain"), "text/plain");
  EXPECT_EQ(served_content_type("LOGO.SVG", "text/xml"), "text/xml");  // case kept, as Go
}

}  // namespace
}  // namespace basalt::files
