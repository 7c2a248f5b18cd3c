#include "basalt/schema/collection_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/go_json.hpp"
#include "basalt/schema/ids.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::schema {
namespace {

Collection create_from(std::string_view body) {
  ParsedCollection parsed = parse_collection(boost::json::parse(body), ParseMode::kCreate);
  EXPECT_TRUE(parsed.errors.empty()) << boost::json::serialize(parsed.errors.to_json());
  apply_defaults(parsed.collection, {nullptr, parsed.id_generated, {}});
  return parsed.collection;
}

std::vector<std::string> keys_of(const boost::json::object& object) {
  std::vector<std::string> keys;
  for (const auto& entry : object) keys.emplace_back(entry.key());
  return keys;
}

TEST(CollectionJsonTest, NewBaseCollectionGetsThePocketBaseIdField) {
  // Expected bytes from PocketBase's apis/collection_test.go ("valid data").
  Collection c = create_from(
      R"({"name":"new","type":"base","fields":[{"type":"text","id":"12345789","name":"test"}]})");
  boost::json::object json = collection_to_json(c);
  EXPECT_EQ(boost::json::serialize(json.at("fields")),
            R"([{"autogeneratePattern":"[a-z0-9]{15}","help":"","hidden":false,)"
            R"("id":"text3208210256","max":15,"min":15,"name":"id","pattern":"^[a-z0-9]+$",)"
            R"("presentable":false,"primaryKey":true,"required":true,"system":true,"type":"text"},)"
            R"({"autogeneratePattern":"","help":"","hidden":false,"id":"12345789","max":0,"min":0,)"
            R"("name":"test","pattern":"","presentable":false,"primaryKey":false,)"
            R"("required":false,"system":false,"type":"text"}])");
  EXPECT_EQ(c.id, collection_id_checksum(CollectionType::kBase, "new"));
}

TEST(CollectionJsonTest, CollectionKeysFollowPocketBaseOrder) {
  Collection base = create_from(R"({"name":"posts"})");
  EXPECT_EQ(keys_of(collection_to_json(base)),
            (std::vector<std::string>{"id", "listRule", "viewRule", "createRule", "updateRule",
                                      "deleteRule", "name", "type", "fields", "indexes", "created",
                                      "updated", "system"}));
  Collection auth = create_from(R"({"name":"members","type":"auth"})");
  auto auth_keys = keys_of(collection_to_json(auth));
  EXPECT_EQ(
      std::vector<std::string>(auth_keys.begin() + 13, auth_keys.end()),
      (std::vector<std::string>{"authRule", "manageRule", "authAlert", "oauth2", "passwordAuth",
                                "mfa", "otp", "authToken", "passwordResetToken", "emailChangeToken",
                                "verificationToken", "fileToken", "verificationTemplate",
                                "resetPasswordTemplate", "confirmEmailChangeTemplate"}));
  Collection view = create_from(R"({"name":"v","type":"view","viewQuery":"SELECT id FROM posts"})");
  EXPECT_EQ(keys_of(collection_to_json(view)).back(), "viewQuery");
}

TEST(CollectionJsonTest, AuthDefaultsMergeWithTheBody) {
  // PocketBase's "creating auth collection (default settings merge test)".
  Collection c = create_from(R"({
      "name":"new", "type":"auth", "emailChangeToken":{"duration":123},
      "fields":[{"type":"text","id":"12345789","name":"test"},
                {"type":"text","name":"tokenKey","system":true,"required":false,"min":10}]})");
  std::string json = serialize_collection(c);
  for (const char* expected : {
           R"("passwordAuth":{"enabled":true,"identityFields":["email"]})",
           R"("authRule":"")",
           R"("manageRule":null)",
           R"("emailChangeToken":{"duration":123})",
           R"({"autogeneratePattern":"","help":"","hidden":true,"id":"text2504183744","max":0,)"
           R"("min":10,"name":"tokenKey","pattern":"","presentable":false,"primaryKey":false,)"
           R"("required":true,"system":true,"type":"text"})",
       }) {
    EXPECT_NE(json.find(expected), std::string::npos) << expected << "\n" << json;
  }
  EXPECT_EQ(json.find(R"("secret")"), std::string::npos);
  EXPECT_FALSE(c.auth.email_change_token.secret.empty());  // kept, only hidden from the output

  std::vector<std::string> names;
  for (const auto& field : c.fields) names.push_back(field.name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "test", "tokenKey", "password", "email",
                                             "emailVisibility", "verified"}));
  EXPECT_EQ(c.indexes, (std::vector<std::string>{
                           "CREATE UNIQUE INDEX `idx_tokenKey_" + c.id + "` ON `new` (`tokenKey`)",
                           "CREATE UNIQUE INDEX `idx_email_" + c.id +
                               "` ON `new` (`email` COLLATE NOCASE) WHERE `email` != ''"}));
}

TEST(CollectionJsonTest, PublicFormHidesSecretsAndStorageFormKeepsThem) {
  Collection c = new_collection(CollectionType::kAuth, "members");
  OAuth2ProviderConfig google;
  google.name = "google";
  google.client_id = "client";
  google.client_secret = "top-secret";
  c.auth.oauth2.providers = std::vector<OAuth2ProviderConfig>{google};

  std::string public_json = serialize_collection(c, JsonForm::kPublic);
  EXPECT_EQ(public_json.find("top-secret"), std::string::npos);
  EXPECT_EQ(public_json.find("clientSecret"), std::string::npos);
  EXPECT_EQ(public_json.find(c.auth.auth_token.secret), std::string::npos);
  EXPECT_EQ(public_json.find(R"("secret")"), std::string::npos);
  EXPECT_NE(public_json.find(R"("authToken":{"duration":432000})"), std::string::npos);

  std::string storage_json = serialize_collection(c, JsonForm::kStorage);
  EXPECT_NE(storage_json.find(R"("clientSecret":"top-secret")"), std::string::npos);
  EXPECT_NE(storage_json.find(c.auth.auth_token.secret), std::string::npos);
}

TEST(CollectionJsonTest, NullProvidersArePublishedAsAnArray) {
  Collection c = new_collection(CollectionType::kAuth, "members");
  ASSERT_FALSE(c.auth.oauth2.providers);
  EXPECT_NE(serialize_collection(c).find(R"("oauth2":{"providers":[],)"), std::string::npos);
  EXPECT_NE(serialize_collection(c, JsonForm::kStorage).find(R"("providers":null)"),
            std::string::npos);
}

TEST(CollectionJsonTest, StorageFormRoundTripsEverySystemCollection) {
  for (Collection c : system_collections()) {
    c.created = c.updated = "2026-08-14 07:16:55.123Z";
    boost::json::object stored = collection_to_json(c, JsonForm::kStorage);
    ParsedCollection parsed =
        parse_collection(boost::json::parse(boost::json::serialize(stored)), ParseMode::kStorage);
    EXPECT_TRUE(parsed.errors.empty()) << c.name;
    EXPECT_EQ(parsed.collection, c) << c.name;
    EXPECT_EQ(collection_to_json(parsed.collection, JsonForm::kStorage), stored) << c.name;
  }
}

TEST(CollectionJsonTest, PublicFormRoundTripsExceptSecrets) {
  for (const Collection& c : system_collections()) {
    boost::json::object published = collection_to_json(c);
    ParsedCollection parsed = parse_collection(published, ParseMode::kStorage);
    EXPECT_EQ(collection_to_json(parsed.collection), published) << c.name;
    EXPECT_EQ(parsed.collection.fields, c.fields) << c.name;
  }
}

TEST(CollectionJsonTest, UpdateMergesOntoTheStoredCollection) {
  Collection stored = new_collection(CollectionType::kAuth, "members");
  std::string secret = stored.auth.auth_token.secret;
  ParsedCollection parsed = parse_collection(
      boost::json::parse(R"({"authToken":{"duration":100},"listRule":"id != ''"})"),
      ParseMode::kUpdate, &stored);
  ASSERT_TRUE(parsed.errors.empty());
  EXPECT_EQ(parsed.collection.auth.auth_token.duration, 100);
  EXPECT_EQ(parsed.collection.auth.auth_token.secret, secret);
  EXPECT_EQ(parsed.collection.list_rule, "id != ''");
  EXPECT_EQ(parsed.collection.fields, stored.fields);
  EXPECT_EQ(parsed.collection.name, "members");
}

TEST(CollectionJsonTest, UpdateKeepsOmittedProviderSecretsByPosition) {
  Collection stored = new_collection(CollectionType::kAuth, "members");
  OAuth2ProviderConfig github;
  github.name = "github";
  github.client_id = "id";
  github.client_secret = "s3cret";
  stored.auth.oauth2.providers = std::vector<OAuth2ProviderConfig>{github};
  // A client sends back what it was shown: no clientSecret.
  ParsedCollection parsed = parse_collection(
      boost::json::parse(R"({"oauth2":{"providers":[{"name":"github","clientId":"id2"}]}})"),
      ParseMode::kUpdate, &stored);
  ASSERT_TRUE(parsed.collection.auth.oauth2.providers);
  EXPECT_EQ(parsed.collection.auth.oauth2.providers->at(0).client_id, "id2");
  EXPECT_EQ(parsed.collection.auth.oauth2.providers->at(0).client_secret, "s3cret");
}

TEST(CollectionJsonTest, ProblemsOfTheDocumentAreFieldErrors) {
  ParsedCollection parsed =
      parse_collection(boost::json::parse(R"({"name":5,"type":"weird","listRule":false,
          "fields":[{"type":"text","name":"a"},{"type":"nope","name":"b"},{"name":"c"},
                    {"type":"number","name":"d","min":"x"}],
          "indexes":"CREATE INDEX"})"),
                       ParseMode::kCreate);
  const auto& e = parsed.errors;
  EXPECT_EQ(e.find({"name"})->code, "validation_unsupported_value_type");
  EXPECT_EQ(e.find({"type"})->code, "validation_in_invalid");
  EXPECT_EQ(e.find({"listRule"})->code, "validation_unsupported_value_type");
  EXPECT_EQ(e.find({"fields", "1", "type"})->code, "validation_unknown_field_type");
  EXPECT_EQ(e.find({"fields", "2", "type"})->code, "validation_unknown_field_type");
  EXPECT_EQ(e.find({"fields", "3", "min"})->code, "validation_unsupported_value_type");
  EXPECT_EQ(e.find({"indexes"})->code, "validation_unsupported_value_type");
  EXPECT_FALSE(e.has_under({"fields", "0"}));

  ParsedCollection not_object = parse_collection(boost::json::parse("[1]"), ParseMode::kCreate);
  EXPECT_TRUE(not_object.errors.find({"collection"}));
}

TEST(CollectionJsonTest, EveryFieldTypeRoundTripsItsOptions) {
  Collection c = create_from(R"({"name":"all","fields":[
      {"type":"text","name":"t","min":1,"max":20,"pattern":"^a","autogeneratePattern":"a[0-9]{3}"},
      {"type":"number","name":"n","min":-1.5,"max":null,"onlyInt":true},
      {"type":"bool","name":"b","required":true},
      {"type":"email","name":"e","onlyDomains":["example.com"],"exceptDomains":null},
      {"type":"url","name":"u","exceptDomains":["bad.com"]},
      {"type":"editor","name":"ed","maxSize":100,"convertURLs":true},
      {"type":"date","name":"d","min":"2024-01-01 00:00:00.000Z","max":""},
      {"type":"autodate","name":"ad","onCreate":true,"onUpdate":true},
      {"type":"select","name":"s","values":["a","b"],"maxSelect":2},
      {"type":"file","name":"f","maxSelect":3,"maxSize":10,"mimeTypes":["image/png"],
       "thumbs":["100x100"],"protected":true},
      {"type":"relation","name":"r","collectionId":"abc","cascadeDelete":true,"minSelect":1,
       "maxSelect":2},
      {"type":"json","name":"j","maxSize":50},
      {"type":"password","name":"p","min":3,"max":9,"cost":10,"pattern":"x"},
      {"type":"geoPoint","name":"g","presentable":true,"help":"where"}]})");
  ASSERT_EQ(c.fields.size(), 15u);  // + id
  boost::json::object json = collection_to_json(c);
  ParsedCollection again = parse_collection(json, ParseMode::kStorage);
  ASSERT_TRUE(again.errors.empty());
  EXPECT_EQ(again.collection.fields, c.fields);
  const auto& fields = json.at("fields").as_array();
  EXPECT_EQ(
      serialize_go_json(fields.at(2)),
      R"({"help":"","hidden":false,"id":")" + field_id_checksum(FieldType::kNumber, "n") +
          R"(","max":null,"min":-1.5,"name":"n","onlyInt":true,"presentable":false,"required":false,"system":false,)"
          R"("type":"number"})");
  EXPECT_EQ(boost::json::serialize(fields.at(8)),
            R"({"hidden":false,"id":")" + field_id_checksum(FieldType::kAutodate, "ad") +
                R"(","name":"ad","onCreate":true,)"
                R"("onUpdate":true,"presentable":false,"system":false,"type":"autodate"})");
  EXPECT_EQ(fields.at(4).at("exceptDomains"), nullptr);
  EXPECT_EQ(fields.at(7).at("min"), "2024-01-01 00:00:00.000Z");
}

TEST(CollectionDefaultsTest, FieldsWithoutIdsReplaceSameNamedOnes) {
  Collection c = create_from(R"({"name":"x","fields":[
      {"type":"text","name":"title"},{"type":"number","name":"title"}]})");
  ASSERT_EQ(c.fields.size(), 2u);
  EXPECT_EQ(c.fields[1].type(), FieldType::kNumber);
  EXPECT_EQ(c.fields[1].id, field_id_checksum(FieldType::kText, "title"));
}

TEST(CollectionDefaultsTest, GeneratedFieldIdsAvoidTakenOnes) {
  std::vector<Field> fields;
  Field taken("other", TextOptions{});
  taken.id = field_id_checksum(FieldType::kText, "slug");
  add_field(fields, taken);
  add_field(fields, Field("slug", TextOptions{}));
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[1].id, taken.id + "2");
}

TEST(CollectionDefaultsTest, GeneratedCollectionIdsGetASuffixWhenTaken) {
  std::vector<Collection> existing{new_collection(CollectionType::kAuth, "members")};
  ParsedCollection parsed = parse_collection(
      boost::json::parse(R"({"name":"members","type":"auth"})"), ParseMode::kCreate);
  apply_defaults(parsed.collection, {nullptr, parsed.id_generated, existing});
  std::string base = collection_id_checksum(CollectionType::kAuth, "members");
  EXPECT_EQ(parsed.collection.id, base + "2");
  EXPECT_NE(parsed.collection.indexes[0].find("idx_tokenKey_" + base + "2"), std::string::npos);
}

TEST(CollectionDefaultsTest, IndexesFollowARename) {
  Collection c = create_from(
      R"json({"name":"posts","fields":[{"type":"text","name":"slug"}],
          "indexes":["CREATE INDEX idx_slug ON old_name (slug)"]})json");
  EXPECT_EQ(c.indexes[0], "CREATE INDEX `idx_slug` ON `posts` (`slug`)");
}

// The authRule is checked on every authenticated request, so a new rule needs no new secret
// (PocketBase rotates it, signing everyone out).
TEST(CollectionDefaultsTest, ChangingTheAuthRuleKeepsTheTokenSecret) {
  Collection old = new_collection(CollectionType::kAuth, "members");
  Collection changed = old;
  changed.auth.auth_rule = "verified = true";
  apply_defaults(changed, {&old, false, {}});
  EXPECT_EQ(changed.auth.auth_token.secret, old.auth.auth_token.secret);
  EXPECT_EQ(changed.auth.file_token.secret, old.auth.file_token.secret);
}

TEST(CollectionDefaultsTest, SystemFlagsOfAuthFieldsAreEnforced) {
  Collection c = create_from(R"({"name":"m","type":"auth","fields":[
      {"type":"password","name":"password","hidden":false,"system":false,"min":12},
      {"type":"email","name":"email","hidden":true}]})");
  const Field* password = c.field_by_name("password");
  EXPECT_TRUE(password->hidden && password->system && password->required);
  EXPECT_EQ(password->as<PasswordOptions>()->min, 12);
  EXPECT_FALSE(c.field_by_name("email")->hidden);
}

}  // namespace
}  // namespace basalt::schema
