// RequestUploads (request_uploads.hpp): markers of a multipart request's files taken out of a
// write body's file fields as uploads of those fields, names kept beside them, each file taken
// once, and markers that name nothing refused.
#include "basalt/graphql/request_uploads.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/graphql/field_failure.hpp"
#include "basalt/graphql/testing/service_fixture.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;

class RequestUploadsTest : public ::testing::Test, public testing::ServiceFixture {
 protected:
  RequestUploadsTest() {
    create_collection(R"js({"name": "docs", "listRule": "", "createRule": "",
      "fields": [{"name": "title", "type": "text"},
                 {"name": "meta", "type": "json"},
                 {"name": "cover", "type": "file", "maxSelect": 1},
                 {"name": "files", "type": "file", "maxSelect": 5}]})js");
    catalog_ = current_catalog();
  }

  static RequestUploads files(std::initializer_list<const char*> keys) {
    std::vector<RequestUploads::File> out;
    for (const char* key : keys) {
      records::Upload upload;
      upload.filename = std::string(key) + ".txt";
      out.push_back({key, std::move(upload)});
    }
    return RequestUploads(std::move(out));
  }

  const schema::Collection& docs() const { return *catalog_->find("docs"); }

  std::shared_ptr<const collections::Catalog> catalog_;
};

TEST_F(RequestUploadsTest, MarkersInFileFieldsBecomeUploadsOfThoseFieldsAndNamesStay) {
  RequestUploads uploads = files({"0", "1", "2"});
  json::object body = json::parse(R"({"title": "t", "cover": {"__basalt_upload": 0},
    "files": ["kept.png", {"__basalt_upload": 2}, {"__basalt_upload": 1}]})")
                          .as_object();
  std::vector<records::Upload> taken;
  uploads.take_from_body(docs(), body, taken);
  ASSERT_EQ(taken.size(), 3U);
  EXPECT_EQ(taken[0].part, "cover");
  EXPECT_EQ(taken[0].filename, "0.txt");
  EXPECT_EQ(taken[1].part, "files");
  EXPECT_EQ(taken[1].filename, "2.txt");  // in the order of the value
  EXPECT_EQ(taken[2].filename, "1.txt");
  EXPECT_EQ(json::serialize(body), R"({"title":"t","files":["kept.png"]})");
  EXPECT_FALSE(uploads.first_untaken().has_value());
}

TEST_F(RequestUploadsTest, OnlyUploadsLeaveNoKeySoTheyReplaceTheFiles) {
  RequestUploads uploads = files({"a"});
  json::object body = json::parse(R"({"files": [{"__basalt_upload": 0}]})").as_object();
  std::vector<records::Upload> taken;
  uploads.take_from_body(docs(), body, taken);
  EXPECT_TRUE(body.empty());
  ASSERT_EQ(taken.size(), 1U);
  EXPECT_EQ(taken[0].part, "files");
}

TEST_F(RequestUploadsTest, AFileIsTakenOnceAndAMarkerNamingNothingIsRefused) {
  RequestUploads uploads = files({"only"});
  std::vector<records::Upload> taken;
  json::object first = json::parse(R"({"cover": {"__basalt_upload": 0}})").as_object();
  uploads.take_from_body(docs(), first, taken);
  json::object second = json::parse(R"({"cover": {"__basalt_upload": 0}})").as_object();
  EXPECT_THROW(uploads.take_from_body(docs(), second, taken), FieldFailure);
  json::object unknown = json::parse(R"({"cover": {"__basalt_upload": 7}})").as_object();
  EXPECT_THROW(uploads.take_from_body(docs(), unknown, taken), FieldFailure);
  // Without files (a JSON request) a marker names nothing either.
  RequestUploads none;
  json::object forged = json::parse(R"({"files": [{"__basalt_upload": 0}]})").as_object();
  EXPECT_THROW(none.take_from_body(docs(), forged, taken), FieldFailure);
}

TEST_F(RequestUploadsTest, AMarkerOutsideAFileFieldIsNotTakenAndTheFileStaysUntaken) {
  RequestUploads uploads = files({"stray"});
  json::object body = json::parse(R"({"meta": {"__basalt_upload": 0}, "title": "x"})").as_object();
  std::vector<records::Upload> taken;
  uploads.take_from_body(docs(), body, taken);
  EXPECT_TRUE(taken.empty());
  EXPECT_EQ(uploads.first_untaken(), std::optional<std::string>("stray"));
}

}  // namespace
}  // namespace basalt::graphql
