// What of a record a caller sees is decided in one place (visibility.hpp), and both writers of
// a record's JSON follow it.
#include "basalt/records/visibility.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>
#include <string>

#include "basalt/records/record_export.hpp"
#include "basalt/records/record_response_json.hpp"
#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/collection_json.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

schema::Collection users() {
  auto parsed = schema::parse_collection(json::parse(R"({"name":"users","type":"auth","fields":[
      {"name":"name","type":"text"},{"name":"secret","type":"text","hidden":true}]})"),
                                         schema::ParseMode::kCreate);
  EXPECT_TRUE(parsed.errors.empty());
  schema::Collection collection = parsed.collection;
  schema::apply_defaults(collection);
  return collection;
}

json::object values(bool email_visibility) {
  json::object v = json::parse(R"({"id":"abcdefghijklmno","password":"$argon2id$x",
      "tokenKey":"key","email":"a@b.co","verified":false,"name":"Ann","secret":"s",
      "created":"","updated":""})")
                       .as_object();
  v["emailVisibility"] = email_visibility;
  return v;
}

std::set<std::string> shown(const schema::Collection& collection, const json::object& record,
                            Visibility visibility) {
  const VisibleFields visible(collection, record, visibility);
  std::set<std::string> names;
  for (const auto& field : collection.fields) {
    if (visible.shows(field)) names.insert(field.name);
  }
  return names;
}

TEST(VisibilityTest, PasswordAndTokenKeyAreNeverShownHiddenFieldsOnlyToSuperusers) {
  const schema::Collection collection = users();
  for (bool superuser : {false, true}) {
    const auto names = shown(collection, values(true), {superuser, true});
    EXPECT_FALSE(names.count("password"));
    EXPECT_FALSE(names.count("tokenKey"));
    EXPECT_EQ(names.count("secret"), superuser ? 1u : 0u);
    EXPECT_TRUE(names.count("name"));
  }
}

TEST(VisibilityTest, EmailFollowsEmailVisibilityUnlessTheCallerMaySeeIt) {
  const schema::Collection collection = users();
  EXPECT_FALSE(shown(collection, values(false), {false, false}).count("email"));
  EXPECT_TRUE(shown(collection, values(true), {false, false}).count("email"));
  EXPECT_TRUE(shown(collection, values(false), {false, true}).count("email"));
  json::object unset = values(false);
  unset.erase("emailVisibility");
  EXPECT_FALSE(shown(collection, unset, {false, false}).count("email"));
}

// The streaming writer and the DOM exporter give the same keys for every combination.
TEST(VisibilityTest, BothRecordWritersShowTheSameFields) {
  const schema::Collection collection = users();
  for (bool superuser : {false, true}) {
    for (bool email_visible : {false, true}) {
      for (bool flag : {false, true}) {
        Record record{&collection, values(flag), {}, email_visible};
        std::string written;
        write_record(written, record, superuser);
        const json::object streamed = json::parse(written).as_object();
        const json::object exported =
            export_record(collection, record.values, {superuser, email_visible});
        std::set<std::string> a, b;
        for (const auto& entry : streamed) a.insert(std::string(entry.key()));
        for (const auto& entry : exported) b.insert(std::string(entry.key()));
        EXPECT_EQ(a, b) << superuser << email_visible << flag;
      }
    }
  }
}

}  // namespace
}  // namespace basalt::records
