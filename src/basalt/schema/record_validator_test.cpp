#include "basalt/schema/record_validator.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <map>
#include <set>

#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/collection_json.hpp"
#include "basalt/schema/go_json.hpp"

namespace basalt::schema {
namespace {

constexpr std::string_view kNow = "2026-08-14 07:16:55.123Z";

// Stored records by collection id; stands in for the database behind RecordLookup.
class FakeLookup : public RecordLookup {
 public:
  std::map<std::string, std::set<std::string>, std::less<>> records;

  std::optional<std::size_t> count_existing(std::string_view collection_id,
                                            std::span<const std::string> ids) override {
    auto it = records.find(collection_id);
    if (it == records.end()) return std::nullopt;
    std::size_t found = 0;
    for (const auto& id : ids) found += it->second.count(id);
    return found;
  }

  bool id_exists(const Collection& collection, std::string_view id, bool ignore_case) override {
    auto it = records.find(collection.id);
    if (it == records.end()) return false;
    for (const auto& stored : it->second) {
      if (ignore_case ? iequals(stored, id) : stored == id) return true;
    }
    return false;
  }
};

Collection make(std::string_view body) {
  ParsedCollection parsed = parse_collection(boost::json::parse(body), ParseMode::kCreate);
  EXPECT_TRUE(parsed.errors.empty()) << boost::json::serialize(parsed.errors.to_json());
  apply_defaults(parsed.collection, {nullptr, parsed.id_generated, {}});
  return parsed.collection;
}

class RecordValidatorTest : public ::testing::Test {
 protected:
  RecordValidatorTest()
      : posts_(make(R"json({"name":"posts","fields":[
            {"type":"text","name":"title","required":true,"min":3,"max":10,"pattern":"^[A-Za-z ]+$"},
            {"type":"text","name":"slug","autogeneratePattern":"[a-z]{8}"},
            {"type":"number","name":"views","min":0,"max":100,"onlyInt":true},
            {"type":"number","name":"score"},
            {"type":"bool","name":"published"},
            {"type":"email","name":"contact","onlyDomains":["example.com"]},
            {"type":"url","name":"site","exceptDomains":["bad.com"]},
            {"type":"editor","name":"body","maxSize":20},
            {"type":"date","name":"due","min":"2024-01-01 00:00:00.000Z","max":"2030-01-01"},
            {"type":"autodate","name":"created","onCreate":true},
            {"type":"autodate","name":"updated","onCreate":true,"onUpdate":true},
            {"type":"select","name":"tags","values":["a","b","c"],"maxSelect":2},
            {"type":"select","name":"status","values":["draft","live"]},
            {"type":"file","name":"docs","maxSelect":2},
            {"type":"relation","name":"author","collectionId":"users0000000001"},
            {"type":"relation","name":"editors","collectionId":"users0000000001","maxSelect":3},
            {"type":"json","name":"meta","maxSize":30},
            {"type":"geoPoint","name":"place"},
            {"type":"text","name":"secret","hidden":true}]})json")) {
    lookup_.records["users0000000001"] = {"u1", "u2", "u3"};
    lookup_.records[posts_.id] = {"existing1234567"};
  }

  RecordValidation create(std::string_view body, AccessLevel access = AccessLevel::kDefault) {
    body_ = boost::json::parse(body).as_object();
    return validate_record({posts_, body_, nullptr, access, kNow, &lookup_});
  }

  RecordValidation update(const boost::json::object& old, std::string_view body,
                          AccessLevel access = AccessLevel::kDefault) {
    body_ = boost::json::parse(body).as_object();
    return validate_record({posts_, body_, &old, access, kNow, &lookup_});
  }

  // A valid stored record to update.
  boost::json::object stored() {
    RecordValidation r = create(R"({"title":"Hello"})");
    EXPECT_TRUE(r.ok()) << boost::json::serialize(r.errors.to_json());
    return r.record.values;
  }

  static std::string code(const RecordValidation& r, std::string_view key) {
    const FieldError* error = r.errors.find({std::string(key)});
    return error ? error->code : "<none> in " + boost::json::serialize(r.errors.to_json());
  }

  Collection posts_;
  FakeLookup lookup_;
  boost::json::object body_;
};

TEST_F(RecordValidatorTest, AMinimalCreateGetsIdsDefaultsAndTimestamps) {
  RecordValidation r = create(R"({"title":"Hello"})");
  ASSERT_TRUE(r.ok()) << boost::json::serialize(r.errors.to_json());
  const auto& v = r.record.values;
  EXPECT_EQ(v.size(), posts_.fields.size());
  std::string id(v.at("id").as_string());
  EXPECT_EQ(id.size(), 15u);
  EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789"), std::string::npos);
  EXPECT_EQ(v.at("slug").as_string().size(), 8u);
  EXPECT_EQ(v.at("views").as_double(), 0);
  EXPECT_EQ(v.at("published"), false);
  EXPECT_EQ(v.at("due"), "");
  EXPECT_EQ(v.at("created"), boost::json::value(kNow));
  EXPECT_EQ(v.at("updated"), boost::json::value(kNow));
  EXPECT_EQ(v.at("tags"), boost::json::array());
  EXPECT_EQ(v.at("status"), "");
  EXPECT_EQ(v.at("editors"), boost::json::array());
  EXPECT_TRUE(v.at("meta").is_null());
  EXPECT_EQ(serialize_go_json(v.at("place")), R"({"lon":0,"lat":0})");
}

TEST_F(RecordValidatorTest, EveryFieldErrorComesBackAtOnce) {
  RecordValidation r = create(R"json({
      "title":"x1", "views":2.5, "contact":"a@other.com", "site":"https://bad.com/x",
      "body":"<p>far too long for the limit</p>", "due":"2023-05-05", "tags":["a","z"],
      "docs":["new.png"], "author":"nobody", "meta":"a long string value over thirty bytes",
      "place":{"lon":10,"lat":95}, "unknown":"ignored", "collectionName":"ignored"})json");
  EXPECT_EQ(code(r, "title"), "validation_min_text_constraint");
  EXPECT_EQ(code(r, "views"), "validation_only_int_constraint");
  EXPECT_EQ(code(r, "contact"), "validation_email_domain_not_allowed");
  EXPECT_EQ(code(r, "site"), "validation_url_domain_not_allowed");
  EXPECT_EQ(code(r, "body"), "validation_content_size_limit");
  EXPECT_EQ(code(r, "due"), "validation_min_greater_equal_than_required");
  EXPECT_EQ(code(r, "tags"), "validation_invalid_value");
  EXPECT_EQ(code(r, "docs"), "validation_invalid_file");
  EXPECT_EQ(code(r, "author"), "validation_missing_rel_records");
  EXPECT_EQ(code(r, "meta"), "validation_json_size_limit");
  EXPECT_EQ(code(r, "place"), "validation_invalid_latitude");
  EXPECT_EQ(r.errors.size(), 11u);
  EXPECT_EQ(boost::json::serialize(r.errors.to_json().at("title")),
            R"({"code":"validation_min_text_constraint",)"
            R"("message":"Must be at least 3 character(s).","params":{"min":3}})");
}

TEST_F(RecordValidatorTest, Text) {
  EXPECT_EQ(code(create(R"({})"), "title"), "validation_required");
  EXPECT_EQ(create(R"({})").errors.find({"title"})->message, "Cannot be blank.");
  RecordValidation too_long = create(R"({"title":"abcdefghijk"})");
  EXPECT_EQ(code(too_long, "title"), "validation_max_text_constraint");
  EXPECT_EQ(too_long.errors.find({"title"})->message, "Must be no more than 10 character(s).");
  EXPECT_EQ(code(create(R"({"title":"abc123"})"), "title"), "validation_invalid_format");
  // Length counts characters, not bytes.
  EXPECT_TRUE(create(R"({"title":"Hello","slug":"ééééééé"})").ok());

  RecordValidation prefixed = create(R"({"title":"Hello","slug:autogenerate":"post-"})");
  ASSERT_TRUE(prefixed.ok());
  std::string slug(prefixed.record.values.at("slug").as_string());
  EXPECT_EQ(slug.substr(0, 5), "post-");
  EXPECT_EQ(slug.size(), 13u);
  EXPECT_EQ(create(R"({"title":"Hello","slug":"mine"})").record.values.at("slug"), "mine");
  EXPECT_EQ(create(R"({"title":"Hello","slug":12.5})").record.values.at("slug"), "12.5");
}

TEST_F(RecordValidatorTest, DefaultTextMaxIs5000Characters) {
  std::string body = R"({"title":"Hello","slug":")" + std::string(5001, 'a') + R"("})";
  RecordValidation r = create(body);
  EXPECT_EQ(code(r, "slug"), "validation_max_text_constraint");
  EXPECT_EQ(r.errors.find({"slug"})->params.at("max"), 5000);
}

TEST_F(RecordValidatorTest, ClientSuppliedIds) {
  EXPECT_EQ(create(R"({"title":"Hello","id":"abcdefghij12345"})").record.values.at("id"),
            "abcdefghij12345");
  EXPECT_EQ(code(create(R"({"title":"Hello","id":"ABCDEFGHIJ12345"})"), "id"),
            "validation_invalid_format");
  EXPECT_EQ(code(create(R"({"title":"Hello","id":"short"})"), "id"),
            "validation_min_text_constraint");
  EXPECT_EQ(code(create(R"({"title":"Hello","id":"existing1234567"})"), "id"),
            "validation_not_unique");

  boost::json::object old = stored();
  EXPECT_EQ(code(update(old, R"({"id":"zzzzzzzzzzzzzzz"})"), "id"), "validation_pk_change");
  EXPECT_TRUE(update(old, R"({"title":"Other"})").ok());
}

TEST_F(RecordValidatorTest, CustomIdPatternsGetPrimaryKeyChecks) {
  posts_.fields[0].as<TextOptions>()->pattern = RegexPattern("^.+$");
  posts_.fields[0].as<TextOptions>()->min = 1;
  EXPECT_EQ(code(create(R"({"title":"Hello","id":"a/b"})"), "id"),
            "validation_forbidden_pk_character");
  EXPECT_EQ(code(create(R"({"title":"Hello","id":"con"})"), "id"), "validation_reserved_pk");
  EXPECT_EQ(code(create(R"({"title":"Hello","id":"EXISTING1234567"})"), "id"),
            "validation_pk_invalid");
}

TEST_F(RecordValidatorTest, Number) {
  RecordValidation too_big = create(R"({"title":"Hello","views":101})");
  EXPECT_EQ(code(too_big, "views"), "validation_max_number_constraint");
  EXPECT_EQ(too_big.errors.find({"views"})->message, "Must be less or equal than 100.");
  EXPECT_EQ(code(create(R"({"title":"Hello","views":-1})"), "views"),
            "validation_min_number_constraint");
  EXPECT_EQ(code(create(R"({"title":"Hello","score":"nan"})"), "score"), "validation_not_a_number");
  EXPECT_EQ(create(R"({"title":"Hello","score":"12.5"})").record.values.at("score"), 12.5);
  EXPECT_EQ(create(R"({"title":"Hello","score":"junk"})").record.values.at("score"), 0.0);

  posts_.field_by_name("score")->required = true;
  EXPECT_EQ(code(create(R"({"title":"Hello","score":0})"), "score"), "validation_required");
}

TEST_F(RecordValidatorTest, NumberModifiersAddAndSubtract) {
  boost::json::object old = stored();
  old["views"] = 10.0;
  RecordValidation r = update(old, R"({"views+":5,"score-":2})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.record.values.at("views"), 15.0);
  EXPECT_EQ(r.record.values.at("score"), -2.0);
  // The plain key is applied first (shorter), then the modifier.
  EXPECT_EQ(update(old, R"({"views+":1,"views":50})").record.values.at("views"), 51.0);
}

TEST_F(RecordValidatorTest, Bool) {
  EXPECT_EQ(create(R"({"title":"Hello","published":"true"})").record.values.at("published"), true);
  EXPECT_EQ(create(R"({"title":"Hello","published":1})").record.values.at("published"), true);
  posts_.field_by_name("published")->required = true;
  EXPECT_EQ(code(create(R"({"title":"Hello","published":false})"), "published"),
            "validation_required");
}

TEST_F(RecordValidatorTest, EmailAndUrl) {
  EXPECT_EQ(code(create(R"({"title":"Hello","contact":"not-an-email"})"), "contact"),
            "validation_is_email");
  EXPECT_EQ(create(R"({"title":"Hello","contact":"x"})").errors.find({"contact"})->message,
            "Must be a valid email address.");
  EXPECT_TRUE(create(R"({"title":"Hello","contact":"ann@example.com"})").ok());
  EXPECT_EQ(code(create(R"({"title":"Hello","site":"not a url"})"), "site"),
            "validation_invalid_url");
  EXPECT_TRUE(create(R"({"title":"Hello","site":"https://good.com:8080/a?b#c"})").ok());
  // The host includes the port, as Go's url.Parse reports it.
  EXPECT_TRUE(create(R"({"title":"Hello","site":"https://bad.com:443/"})").ok());
}

TEST_F(RecordValidatorTest, Dates) {
  EXPECT_EQ(create(R"({"title":"Hello","due":"2025-03-04T05:06:07Z"})").record.values.at("due"),
            "2025-03-04 05:06:07.000Z");
  EXPECT_EQ(create(R"({"title":"Hello","due":"garbage"})").record.values.at("due"), "");
  RecordValidation early = create(R"({"title":"Hello","due":"2020-01-01"})");
  EXPECT_EQ(early.errors.find({"due"})->message,
            "Must be no less than 2024-01-01 00:00:00 +0000 UTC.");
  EXPECT_EQ(early.errors.find({"due"})->params.at("threshold"), "2024-01-01T00:00:00Z");
  EXPECT_EQ(code(create(R"({"title":"Hello","due":"2031-01-01"})"), "due"),
            "validation_max_less_equal_than_required");
  posts_.field_by_name("due")->required = true;
  EXPECT_EQ(code(create(R"({"title":"Hello","due":"garbage"})"), "due"), "validation_required");
}

TEST_F(RecordValidatorTest, AutodatesCannotBeSetAndFollowTheirFlags) {
  RecordValidation created = create(R"({"title":"Hello","created":"2000-01-01 00:00:00.000Z"})");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created.record.values.at("created"), boost::json::value(kNow));

  boost::json::object old = created.record.values;
  old["created"] = "2020-01-01 00:00:00.000Z";
  old["updated"] = "2020-01-01 00:00:00.000Z";
  RecordValidation updated = update(old, R"({"updated":"1999-01-01 00:00:00.000Z"})");
  EXPECT_EQ(updated.record.values.at("created"), "2020-01-01 00:00:00.000Z");
  EXPECT_EQ(updated.record.values.at("updated"), boost::json::value(kNow));
}

TEST_F(RecordValidatorTest, SelectValuesAndModifiers) {
  EXPECT_EQ(create(R"({"title":"Hello","status":["draft","live"]})").record.values.at("status"),
            "live");  // single: the last one
  RecordValidation too_many = create(R"({"title":"Hello","tags":["a","b","c"]})");
  EXPECT_EQ(code(too_many, "tags"), "validation_too_many_values");
  EXPECT_EQ(too_many.errors.find({"tags"})->message, "Select no more than 2.");
  EXPECT_EQ(create(R"({"title":"Hello","tags":["z"]})").errors.find({"tags"})->message,
            "Invalid value z.");
  EXPECT_EQ(create(R"({"title":"Hello","tags":"[\"a\",\"a\"]"})").record.values.at("tags"),
            boost::json::array({"a"}));

  boost::json::object old = stored();
  old["tags"] = boost::json::array{"b"};
  EXPECT_EQ(update(old, R"({"tags+":"c"})").record.values.at("tags"),
            boost::json::array({"b", "c"}));
  EXPECT_EQ(update(old, R"({"+tags":"a"})").record.values.at("tags"),
            boost::json::array({"a", "b"}));
  EXPECT_EQ(update(old, R"({"tags-":["b"]})").record.values.at("tags"), boost::json::array());
  EXPECT_EQ(update(old, R"({"tags":["a"],"tags+":["c"]})").record.values.at("tags"),
            boost::json::array({"a", "c"}));
  posts_.field_by_name("status")->required = true;
  EXPECT_EQ(code(create(R"({"title":"Hello"})"), "status"), "validation_required");
}

TEST_F(RecordValidatorTest, FilesKeepExistingNamesOnly) {
  boost::json::object old = stored();
  old["docs"] = boost::json::array{"a_123.png", "b_456.pdf"};
  EXPECT_EQ(update(old, R"({"docs-":"a_123.png"})").record.values.at("docs"),
            boost::json::array({"b_456.pdf"}));
  EXPECT_EQ(update(old, R"({"docs":[]})").record.values.at("docs"), boost::json::array());
  RecordValidation unknown = update(old, R"({"docs+":"c.png"})");
  EXPECT_EQ(code(unknown, "docs"), "validation_invalid_file");
  EXPECT_EQ(unknown.errors.find({"docs"})->message, "Invalid new files: [c.png].");
  // Uploads (objects only the record service makes) are checked for size, type and name.
  EXPECT_TRUE(update(old, R"({"docs":[{"upload":0,"name":"new_abcdefghij.png","size":3,
                                       "originalName":"new.png","mimeType":"image/png"}]})")
                  .ok());
  RecordValidation big = update(old, R"({"docs":[{"upload":0,"name":"big_abcdefghij.png",
      "size":6000000,"originalName":"big.png","mimeType":"image/png"}]})");
  EXPECT_EQ(code(big, "docs"), "validation_file_size_limit");
  EXPECT_EQ(big.errors.find({"docs"})->message,
            "Failed to upload \"big.png\" - the maximum allowed file size is 5242880 bytes.");
  RecordValidation hidden = update(old, R"({"docs":[{"upload":0,"name":".hidden","size":1}]})");
  EXPECT_EQ(code(hidden, "docs"), "validation_match_invalid");
  posts_.field_by_name("docs")->as<FileOptions>()->mime_types =
      std::vector<std::string>{"application/pdf", "image/jpeg"};
  RecordValidation type = update(old, R"({"docs":[{"upload":0,"name":"x_abcdefghij.pdf",
      "size":1,"originalName":"x.pdf","mimeType":"image/png"}]})");
  EXPECT_EQ(code(type, "docs"), "validation_invalid_mime_type");
  EXPECT_EQ(type.errors.find({"docs"})->message,
            "\"x_abcdefghij.pdf\" mime type must be one of: application/pdf, image/jpeg.");
  posts_.field_by_name("docs")->as<FileOptions>()->max_select = 1;
  old["docs"] = "a_123.png";
  EXPECT_TRUE(update(old, R"({"title":"Other"})").ok());
}

TEST_F(RecordValidatorTest, RelationsAskTheLookup) {
  EXPECT_TRUE(create(R"({"title":"Hello","author":"u1","editors":["u2","u3"]})").ok());
  EXPECT_EQ(code(create(R"({"title":"Hello","editors":["u1","u2","u3","u4"]})"), "editors"),
            "validation_too_many_values");
  posts_.field_by_name("editors")->as<RelationOptions>()->min_select = 2;
  RecordValidation few = create(R"({"title":"Hello","editors":["u1"]})");
  EXPECT_EQ(code(few, "editors"), "validation_not_enough_values");
  EXPECT_EQ(few.errors.find({"editors"})->message, "Select at least 2.");
  posts_.field_by_name("author")->as<RelationOptions>()->collection_id = "gone";
  EXPECT_EQ(code(create(R"({"title":"Hello","author":"u1"})"), "author"),
            "validation_missing_rel_collection");

  boost::json::object old = stored();
  old["editors"] = boost::json::array{"u1", "u2"};
  EXPECT_EQ(update(old, R"({"editors-":"u1","editors+":["u3"]})").record.values.at("editors"),
            boost::json::array({"u2", "u3"}));
}

TEST_F(RecordValidatorTest, Json) {
  EXPECT_EQ(create(R"({"title":"Hello","meta":"[1,2]"})").record.values.at("meta"),
            boost::json::array({1, 2}));
  EXPECT_EQ(create(R"({"title":"Hello","meta":"hello"})").record.values.at("meta"), "hello");
  EXPECT_EQ(create(R"({"title":"Hello","meta":{"a":true}})").record.values.at("meta"),
            boost::json::parse(R"({"a":true})"));
  posts_.field_by_name("meta")->required = true;
  for (const char* empty : {R"({"title":"Hello","meta":{}})", R"({"title":"Hello","meta":[]})",
                            R"({"title":"Hello","meta":""})", R"({"title":"Hello"})"}) {
    EXPECT_EQ(code(create(empty), "meta"), "validation_required") << empty;
  }
}

TEST_F(RecordValidatorTest, GeoPoint) {
  EXPECT_EQ(code(create(R"({"title":"Hello","place":{"lon":181,"lat":0}})"), "place"),
            "validation_invalid_longitude");
  EXPECT_EQ(create(R"({"title":"Hello","place":"{\"lon\":1.5,\"lat\":2}"})")
                .record.values.at("place")
                .at("lon"),
            1.5);
  posts_.field_by_name("place")->required = true;
  EXPECT_EQ(code(create(R"({"title":"Hello"})"), "place"), "validation_required");
}

TEST_F(RecordValidatorTest, HiddenFieldsOnlyForSuperusers) {
  EXPECT_EQ(create(R"({"title":"Hello","secret":"x"})").record.values.at("secret"), "");
  EXPECT_EQ(
      create(R"({"title":"Hello","secret":"x"})", AccessLevel::kManager).record.values.at("secret"),
      "");
  EXPECT_EQ(create(R"({"title":"Hello","secret":"x"})", AccessLevel::kSuperuser)
                .record.values.at("secret"),
            "x");
}

}  // namespace
}  // namespace basalt::schema
