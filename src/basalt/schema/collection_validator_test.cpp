#include "basalt/schema/collection_validator.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/collection_json.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::schema {
namespace {

class CollectionValidatorTest : public ::testing::Test {
 protected:
  CollectionValidatorTest() : stored_(system_collections()) {
    Collection view = new_collection(CollectionType::kView, "recent");
    view.view_query = "SELECT id FROM users";
    view.fields.push_back(default_id_field());
    stored_.push_back(view);
    lookup_.collections = stored_;
    lookup_.internal_tables = internal_;
  }

  // Parses `body` as a create request and applies defaults, as the API will.
  Collection create(std::string_view body) {
    ParsedCollection parsed = parse_collection(boost::json::parse(body), ParseMode::kCreate);
    EXPECT_TRUE(parsed.errors.empty()) << boost::json::serialize(parsed.errors.to_json());
    apply_defaults(parsed.collection, {nullptr, parsed.id_generated, stored_});
    return parsed.collection;
  }

  ValidationErrors check(std::string_view body) { return validate_create(create(body), lookup_); }

  static std::string code(const ValidationErrors& errors, const ErrorPath& path) {
    const FieldError* error = errors.find(path);
    return error ? error->code : "<none> in " + boost::json::serialize(errors.to_json());
  }

  std::vector<Collection> stored_;
  std::vector<std::string> internal_{"_collections", "_params", "_migrations"};
  CollectionLookup lookup_;
};

TEST_F(CollectionValidatorTest, SystemCollectionsAreValid) {
  for (const Collection& c : system_collections()) {
    CollectionLookup empty;
    ValidationErrors errors = validate_create(c, empty);
    EXPECT_TRUE(errors.empty()) << c.name << ": " << boost::json::serialize(errors.to_json());
  }
}

TEST_F(CollectionValidatorTest, AValidCollectionPasses) {
  ValidationErrors errors = check(R"json({"name":"posts","listRule":"","fields":[
      {"type":"text","name":"title","required":true,"max":200},
      {"type":"relation","name":"author","collectionId":"_pb_users_auth_","maxSelect":1},
      {"type":"select","name":"tags","values":["a","b"],"maxSelect":2},
      {"type":"autodate","name":"created","onCreate":true}],
      "indexes":["CREATE INDEX idx_posts_title ON posts (title)"]})json");
  EXPECT_TRUE(errors.empty()) << boost::json::serialize(errors.to_json());
}

TEST_F(CollectionValidatorTest, ReportsEveryProblemAtOnce) {
  ValidationErrors errors = check(R"json({"name":"bad name","listRule":null,
      "createRule":"x",
      "fields":[
        {"type":"text","name":"ok"},
        {"type":"text","name":"has space"},
        {"type":"select","name":"choice"},
        {"type":"relation","name":"rel","collectionId":"missing"},
        {"type":"number","name":"expand"}],
      "indexes":["DROP TABLE posts","CREATE INDEX i ON t (nope)"]})json");
  EXPECT_EQ(code(errors, {"name"}), "validation_match_invalid");
  EXPECT_EQ(code(errors, {"fields", "2", "name"}), "validation_match_invalid");
  EXPECT_EQ(code(errors, {"fields", "3", "values"}), "validation_required");
  EXPECT_EQ(code(errors, {"fields", "4", "collectionId"}),
            "validation_field_relation_missing_collection");
  EXPECT_EQ(code(errors, {"fields", "5", "name"}), "validation_not_in_invalid");
  EXPECT_EQ(code(errors, {"indexes", "0"}), "validation_invalid_index_expression");
  EXPECT_EQ(code(errors, {"indexes", "1"}), "validation_invalid_index_expression");
  EXPECT_EQ(errors.find({"indexes", "1"})->message,
            "Failed to create index i - no such column: nope.");
  EXPECT_FALSE(errors.has_under({"fields", "1"}));
  EXPECT_FALSE(errors.has_under({"createRule"}));
}

TEST_F(CollectionValidatorTest, CollectionNames) {
  EXPECT_EQ(code(check(R"({"name":""})"), {"name"}), "validation_required");
  EXPECT_EQ(code(check(R"({"name":"posts-1"})"), {"name"}), "validation_match_invalid");
  EXPECT_EQ(code(check(R"({"name":"a_via_b"})"), {"name"}), "validation_found_via");
  EXPECT_EQ(code(check(R"({"name":"USERS"})"), {"name"}), "validation_collection_name_exists");
  EXPECT_EQ(code(check(R"({"name":"_pb_users_auth_"})"), {"name"}),
            "validation_collection_name_id_duplicate");
  EXPECT_EQ(code(check(R"({"name":"_params"})"), {"name"}), "validation_collection_name_invalid");
  EXPECT_EQ(code(check(R"({"name":"sqlite_stat1"})"), {"name"}),
            "validation_collection_name_invalid");
  EXPECT_EQ(code(check(R"({"name":")" + std::string(256, 'a') + R"("})"), {"name"}),
            "validation_length_out_of_range");
  EXPECT_TRUE(check(R"({"name":"_private"})").empty());  // a leading _ is allowed
}

// Names PocketBase takes but the GraphQL schema could not expose (docs/graphql.md, "Names").
TEST_F(CollectionValidatorTest, CollectionNamesMustBeGraphqlNames) {
  for (const char* name :
       {"1posts", "__posts", "String", "order_by", "posts_bool_exp", "posts_aggregate",
        "notes_by_pk", "x_comparison_exp",
        // mutations: insert_<c>_one, and the input and response types
        "posts_insert_input", "posts_set_input", "posts_inc_input", "posts_mutation_response",
        // the enum of change feeds' actions
        "record_action"}) {
    EXPECT_EQ(code(check(R"({"name":")" + std::string(name) + R"("})"), {"name"}),
              "validation_collection_name_graphql")
        << name;
  }
  for (const char* name :
       {"posts2", "_notes", "string", "aggregate", "by_pk_list", "one", "insert_posts", "phone",
        // a change feed's names are left out of the schema instead (docs/graphql.md)
        "app_events", "app_event"}) {
    EXPECT_TRUE(check(R"({"name":")" + std::string(name) + R"("})").empty()) << name;
  }
}

TEST_F(CollectionValidatorTest, CollectionIds) {
  EXPECT_EQ(code(check(R"({"id":"bad id","name":"x"})"), {"id"}), "validation_match_invalid");
  EXPECT_EQ(code(check(R"({"id":"pbc_3142635823","name":"x"})"), {"id"}),
            "validation_invalid_or_existing_id");
  Collection users = *lookup_.find("users");
  Collection renamed = users;
  renamed.id = "other";
  EXPECT_EQ(code(validate_update(users, renamed, lookup_), {"id"}), "validation_values_mismatch");
}

TEST_F(CollectionValidatorTest, DuplicateFieldNamesAndIds) {
  ValidationErrors errors = check(R"({"name":"x","fields":[
      {"type":"text","id":"a1","name":"title"},
      {"type":"text","id":"a2","name":"Title"},
      {"type":"number","id":"a1","name":"other"},
      {"type":"bool","id":"a3","name":"title"}]})");
  // a1 repeated: "other" replaced "title" in place (PocketBase's FieldsList.Add), leaving
  // id, other, Title, title - and Title/title clash case-insensitively.
  EXPECT_FALSE(errors.has_under({"fields", "2"}));
  EXPECT_EQ(code(errors, {"fields", "3", "name"}), "validation_duplicated_field_name");
  EXPECT_EQ(errors.find({"fields", "3", "name"})->message,
            "Duplicated or invalid field name title.");

  Collection c = create(R"({"name":"y"})");
  Field a("a", TextOptions{});
  a.id = "same";
  Field b("b", TextOptions{});
  b.id = "same";
  c.fields.push_back(a);
  c.fields.push_back(b);
  EXPECT_EQ(code(validate_create(c, lookup_), {"fields", "2", "id"}),
            "validation_duplicated_field_id");
}

TEST_F(CollectionValidatorTest, ReservedFieldNames) {
  ValidationErrors base = check(R"({"name":"x","fields":[
      {"type":"text","name":"id"},{"type":"text","name":"expand"},
      {"type":"text","name":"collectionId"},{"type":"text","name":"collectionName"},
      {"type":"text","name":"passwordConfirm"}]})");
  // PocketBase's "trying to create base collection with reserved system fields".
  EXPECT_EQ(code(base, {"fields", "1", "name"}), "validation_not_in_invalid");
  EXPECT_EQ(code(base, {"fields", "2", "name"}), "validation_not_in_invalid");
  EXPECT_EQ(code(base, {"fields", "3", "name"}), "validation_not_in_invalid");
  EXPECT_FALSE(base.has_under({"fields", "4"}));  // only reserved on auth collections

  ValidationErrors auth = check(R"({"name":"m","type":"auth","fields":[
      {"type":"text","name":"oldPassword"},{"type":"text","name":"passwordConfirm"}]})");
  EXPECT_EQ(code(auth, {"fields", "1", "name"}), "validation_reserved_field_name");
  EXPECT_EQ(code(auth, {"fields", "2", "name"}), "validation_reserved_field_name");
}

TEST_F(CollectionValidatorTest, AuthSystemFieldsMustStaySystem) {
  Collection c = create(R"({"name":"m","type":"auth"})");
  c.field_by_name("email")->system = false;
  c.field_by_name("password")->hidden = false;
  ValidationErrors errors = validate_create(c, lookup_);
  EXPECT_EQ(code(errors, {"fields", "password"}), "validation_must_be_system_and_hidden");
  EXPECT_EQ(code(errors, {"fields", "email"}), "validation_must_be_system");

  Collection missing = create(R"({"name":"n","type":"auth"})");
  std::erase_if(missing.fields, [](const Field& f) { return f.name == "verified"; });
  EXPECT_EQ(code(validate_create(missing, lookup_), {"fields"}),
            "validation_missing_verified_field");
}

TEST_F(CollectionValidatorTest, TheIdFieldIsRequired) {
  Collection c = create(R"({"name":"x"})");
  c.fields.erase(c.fields.begin());
  c.fields.push_back(Field("title", TextOptions{}));
  ValidationErrors errors = validate_create(c, lookup_);
  EXPECT_EQ(code(errors, {"fields"}), "validation_missing_primary_key");
}

TEST_F(CollectionValidatorTest, UpdatesKeepSystemFieldsTypesAndRelations) {
  Collection old = create(R"({"name":"posts","fields":[
      {"type":"text","id":"f1","name":"title"},
      {"type":"relation","id":"f2","name":"author","collectionId":"_pb_users_auth_"}]})");
  Collection updated = old;
  updated.fields[1].options = NumberOptions{};  // title: text -> number
  updated.fields[2].as<RelationOptions>()->collection_id = "pbc_3142635823";
  ValidationErrors errors = validate_update(old, updated, lookup_);
  EXPECT_EQ(code(errors, {"fields", "1"}), "validation_field_type_change");
  EXPECT_EQ(code(errors, {"fields", "2", "collectionId"}), "validation_field_relation_change");

  Collection system_title = old;
  system_title.fields[1].system = true;
  Collection renamed_system = system_title;
  renamed_system.fields[1].name = "heading";
  EXPECT_EQ(code(validate_update(system_title, renamed_system, lookup_), {"fields"}),
            "validation_system_field_change");

  Collection retyped = old;
  retyped.type = CollectionType::kAuth;
  EXPECT_EQ(code(validate_update(old, retyped, lookup_), {"type"}),
            "validation_collection_type_change");
}

TEST_F(CollectionValidatorTest, SystemCollectionsKeepNameFlagAndRules) {
  const Collection& old = *lookup_.find("_superusers");
  Collection updated = old;
  updated.name = "admins";
  updated.system = false;
  updated.list_rule = "";
  updated.auth.auth_rule = "verified = true";
  ValidationErrors errors = validate_update(old, updated, lookup_);
  EXPECT_EQ(code(errors, {"name"}), "validation_collection_system_name_change");
  EXPECT_EQ(code(errors, {"system"}), "validation_collection_system_flag_change");
  EXPECT_EQ(code(errors, {"listRule"}), "validation_collection_system_rule_change");
  EXPECT_EQ(code(errors, {"authRule"}), "validation_collection_system_rule_change");
}

TEST_F(CollectionValidatorTest, RelationsToViewsOnlyFromViews) {
  ValidationErrors errors = check(R"({"name":"x","fields":[
      {"type":"relation","name":"r","collectionId":")" +
                                  lookup_.find("recent")->id + R"("}]})");
  EXPECT_EQ(code(errors, {"fields", "1", "collectionId"}),
            "validation_relation_field_non_view_base_collection");
  // A relation to the collection itself is fine, also while it is created.
  EXPECT_TRUE(check(R"({"id":"selfref1","name":"tree","fields":[
      {"type":"relation","name":"parent","collectionId":"selfref1"}]})")
                  .empty());
}

TEST_F(CollectionValidatorTest, FieldOptionBounds) {
  ValidationErrors errors = check(R"json({"name":"x","fields":[
      {"type":"text","name":"t","min":10,"max":5,"pattern":"(unclosed"},
      {"type":"number","name":"n","min":5,"max":1,"onlyInt":true},
      {"type":"select","name":"s","values":["a"],"maxSelect":3},
      {"type":"relation","name":"r","collectionId":"_pb_users_auth_","minSelect":2},
      {"type":"file","name":"f","thumbs":["100x100","0x0","big"]},
      {"type":"email","name":"e","onlyDomains":["a.com"],"exceptDomains":["b.com"]},
      {"type":"url","name":"u","onlyDomains":["not a domain"]},
      {"type":"password","name":"p","min":100,"cost":50},
      {"type":"date","name":"d","min":"2025-01-01","max":"2024-01-01"},
      {"type":"autodate","name":"a"},
      {"type":"json","name":"j","maxSize":-1},
      {"type":"editor","name":"ed","maxSize":-5},
      {"type":"text","name":"g","autogeneratePattern":"(a|b)"},
      {"type":"text","name":"h","max":3,"autogeneratePattern":"[a-z]{10}"},
      {"type":"bool","name":"help","help":")json" +
                                  std::string(301, 'h') + R"("}]})");
  EXPECT_EQ(code(errors, {"fields", "1", "max"}), "validation_min_greater_equal_than_required");
  EXPECT_EQ(code(errors, {"fields", "1", "pattern"}), "validation_invalid_regex");
  EXPECT_EQ(code(errors, {"fields", "2", "max"}), "validation_min_number_constraint");
  EXPECT_EQ(code(errors, {"fields", "3", "maxSelect"}), "validation_max_less_equal_than_required");
  EXPECT_EQ(code(errors, {"fields", "4", "maxSelect"}), "validation_required");
  EXPECT_EQ(code(errors, {"fields", "5", "thumbs", "1"}), "validation_not_in_invalid");
  EXPECT_EQ(code(errors, {"fields", "5", "thumbs", "2"}), "validation_match_invalid");
  EXPECT_FALSE(errors.has_under({"fields", "5", "thumbs", "0"}));
  EXPECT_EQ(code(errors, {"fields", "6", "exceptDomains"}), "validation_empty");
  EXPECT_EQ(code(errors, {"fields", "7", "onlyDomains", "0"}), "validation_is_domain");
  EXPECT_EQ(code(errors, {"fields", "8", "min"}), "validation_max_less_equal_than_required");
  EXPECT_EQ(code(errors, {"fields", "8", "cost"}), "validation_max_less_equal_than_required");
  EXPECT_EQ(code(errors, {"fields", "9", "max"}), "validation_date_out_of_range");
  EXPECT_EQ(code(errors, {"fields", "10", "onCreate"}), "validation_required");
  EXPECT_EQ(code(errors, {"fields", "11", "maxSize"}),
            "validation_min_greater_equal_than_required");
  EXPECT_EQ(code(errors, {"fields", "12", "maxSize"}),
            "validation_min_greater_equal_than_required");
  EXPECT_EQ(code(errors, {"fields", "13", "autogeneratePattern"}),
            "validation_invalid_autogenerate_pattern");
  EXPECT_EQ(code(errors, {"fields", "14", "autogeneratePattern"}),
            "validation_invalid_autogenerate_pattern_value");
  EXPECT_EQ(code(errors, {"fields", "15", "help"}), "validation_length_out_of_range");
}

TEST_F(CollectionValidatorTest, PrimaryKeyRules) {
  Collection c = create(R"({"name":"x"})");
  c.fields[0].hidden = true;
  c.fields[0].as<TextOptions>()->pattern = RegexPattern();
  Field second("other", TextOptions{});
  second.as<TextOptions>()->primary_key = true;
  second.id = "pk2";
  c.fields.push_back(second);
  ValidationErrors errors = validate_create(c, lookup_);
  EXPECT_EQ(code(errors, {"fields", "0", "hidden"}), "validation_empty");
  EXPECT_EQ(code(errors, {"fields", "0", "pattern"}), "validation_required");
  EXPECT_EQ(code(errors, {"fields", "0", "primaryKey"}), "validation_unsupported_composite_pk");
  EXPECT_EQ(code(errors, {"fields", "1", "name"}), "validation_in_invalid");
}

TEST_F(CollectionValidatorTest, Indexes) {
  ValidationErrors errors = check(R"json({"name":"x","fields":[
      {"type":"text","name":"a"},{"type":"text","name":"b"}],
      "indexes":["CREATE INDEX idx_a ON x (a)","CREATE INDEX IDX_A ON x (b)",
                 "CREATE INDEX idx_b ON x (a)","CREATE INDEX idx_c ON x (lower(b))",
                 "CREATE INDEX idx_tokenKey__pb_users_auth_ ON x (b)"]})json");
  EXPECT_FALSE(errors.has_under({"indexes", "0"}));
  EXPECT_EQ(code(errors, {"indexes", "1"}), "validation_duplicated_index_name");
  EXPECT_EQ(code(errors, {"indexes", "2"}), "validation_duplicated_index_definition");
  EXPECT_FALSE(errors.has_under({"indexes", "3"}));  // expressions are left to the database
  EXPECT_EQ(code(errors, {"indexes", "4"}), "validation_existing_index_name");
  EXPECT_EQ(std::string_view(errors.find({"indexes", "4"})->params.at("usedTableName").as_string()),
            "users");

  Collection auth = create(R"({"name":"m","type":"auth"})");
  auth.indexes.clear();
  EXPECT_EQ(code(validate_create(auth, lookup_), {"indexes"}),
            "validation_missing_required_unique_index");

  const Collection& users = *lookup_.find("users");
  Collection dropped = users;
  dropped.indexes.erase(dropped.indexes.begin());
  EXPECT_EQ(code(validate_update(users, dropped, lookup_), {"indexes"}),
            "validation_invalid_unique_system_field_index");
}

TEST_F(CollectionValidatorTest, Rules) {
  std::string long_rule(kMaxRuleLength + 1, 'a');
  EXPECT_EQ(code(check(R"({"name":"x","listRule":")" + long_rule + R"("})"), {"listRule"}),
            "validation_length_too_long");

  lookup_.check_rule = [](const Collection&, std::string_view rule) -> std::optional<std::string> {
    if (rule.find("???") != std::string_view::npos) return "unexpected token";
    return std::nullopt;
  };
  ValidationErrors errors = check(R"({"name":"x","viewRule":"id = ???","listRule":"id != ''"})");
  EXPECT_EQ(code(errors, {"viewRule"}), "validation_invalid_rule");
  EXPECT_EQ(errors.find({"viewRule"})->message, "Invalid rule. Raw error: unexpected token.");
  EXPECT_FALSE(errors.has_under({"listRule"}));
}

TEST_F(CollectionValidatorTest, ViewCollections) {
  auto view = [&](std::string_view query, std::string_view extra = "") {
    Collection c =
        create(R"({"name":"v","type":"view","viewQuery":)" +
               boost::json::serialize(boost::json::value(query)) + std::string(extra) + "}");
    c.fields.push_back(default_id_field());  // what the caller derives from the query
    return validate_create(c, lookup_);
  };
  ValidationErrors fine = view("SELECT id FROM posts");
  EXPECT_TRUE(fine.empty()) << boost::json::serialize(fine.to_json());
  EXPECT_EQ(code(view(""), {"viewQuery"}), "validation_required");
  ValidationErrors two = view("SELECT id FROM posts; DELETE FROM posts");
  EXPECT_EQ(code(two, {"viewQuery"}), "validation_invalid_view_query");
  EXPECT_EQ(two.find({"viewQuery"})->message,
            "Invalid query - multiple statements are not supported.");
  EXPECT_EQ(code(view("DELETE FROM posts"), {"viewQuery"}), "validation_invalid_view_query");
  ValidationErrors writable = view(
      "SELECT id FROM posts", R"json(,"createRule":"","indexes":["CREATE INDEX i ON v (id)"])json");
  EXPECT_EQ(code(writable, {"createRule"}), "validation_nil");
  EXPECT_EQ(code(writable, {"indexes"}), "validation_indexes_not_supported");

  lookup_.check_view_query = [](std::string_view) -> std::optional<std::string> {
    return "no such table: posts";
  };
  EXPECT_EQ(view("SELECT id FROM posts").find({"viewQuery"})->message,
            "Invalid query - no such table: posts.");
}

TEST_F(CollectionValidatorTest, AuthOptions) {
  ValidationErrors errors = check(R"({"name":"m","type":"auth","manageRule":"",
      "authToken":{"duration":5,"secret":"short"},
      "mfa":{"enabled":true,"duration":0},
      "otp":{"enabled":true,"length":2,"emailTemplate":{"subject":"","body":"x"}},
      "passwordAuth":{"enabled":true,"identityFields":["missing"]},
      "oauth2":{"enabled":true,"providers":[{"name":"x","clientId":"a","clientSecret":"b"},
                                            {"name":"x","clientId":"","authURL":"nope"}]},
      "verificationTemplate":{"subject":"","body":""}})");
  EXPECT_EQ(code(errors, {"manageRule"}), "validation_nil_or_not_empty_required");
  EXPECT_EQ(code(errors, {"authToken", "secret"}), "validation_length_out_of_range");
  EXPECT_EQ(code(errors, {"authToken", "duration"}), "validation_min_greater_equal_than_required");
  EXPECT_EQ(code(errors, {"mfa", "duration"}), "validation_required");
  EXPECT_EQ(code(errors, {"otp", "length"}), "validation_min_greater_equal_than_required");
  EXPECT_EQ(code(errors, {"otp", "emailTemplate", "subject"}), "validation_required");
  EXPECT_EQ(code(errors, {"passwordAuth", "identityFields"}), "validation_missing_field");
  EXPECT_EQ(code(errors, {"oauth2", "providers", "1", "name"}), "validation_duplicated_provider");
  EXPECT_EQ(code(errors, {"oauth2", "providers", "1", "clientId"}), "validation_required");
  EXPECT_EQ(code(errors, {"oauth2", "providers", "1", "authURL"}), "validation_is_url");
  EXPECT_EQ(code(errors, {"verificationTemplate"}), "validation_required");

  // MFA and OTP exist (docs/auth-flows.md): turning them on is checked as PocketBase checks it.
  EXPECT_EQ(errors.find({"mfa", "enabled"}), nullptr);
  EXPECT_EQ(errors.find({"otp", "enabled"}), nullptr);
  ValidationErrors off = check(R"({"name":"m2","type":"auth","mfa":{"enabled":false},
      "otp":{"enabled":false}})");
  EXPECT_EQ(off.find({"mfa"}), nullptr);
  EXPECT_EQ(off.find({"otp"}), nullptr);

  ValidationErrors not_unique = check(R"({"name":"m3","type":"auth",
      "fields":[{"type":"text","name":"username"}],
      "passwordAuth":{"enabled":true,"identityFields":["email","username"]}})");
  EXPECT_EQ(code(not_unique, {"passwordAuth", "identityFields"}),
            "validation_missing_unique_constraint");
}

}  // namespace
}  // namespace basalt::schema
