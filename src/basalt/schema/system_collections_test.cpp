#include "basalt/schema/system_collections.hpp"

#include <gtest/gtest.h>

#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/field_registry.hpp"
#include "basalt/schema/ids.hpp"

namespace basalt::schema {
namespace {

const Collection& by_name(const std::vector<Collection>& all, std::string_view name) {
  for (const auto& c : all) {
    if (c.name == name) return c;
  }
  throw std::out_of_range(std::string(name));
}

std::vector<std::string> names_of(const Collection& c) {
  std::vector<std::string> names;
  for (const auto& field : c.fields) names.push_back(field.name);
  return names;
}

TEST(SystemCollectionsTest, InstallOrderIdsAndTypes) {
  std::vector<Collection> all = system_collections();
  std::vector<std::string> names;
  for (const auto& c : all) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"_mfas", "_otps", "_externalAuths", "_authOrigins",
                                             "_superusers", "users"}));
  // Ids as they appear in PocketBase's own test database.
  EXPECT_EQ(by_name(all, "_mfas").id, "pbc_2279338944");
  EXPECT_EQ(by_name(all, "_otps").id, "pbc_1638494021");
  EXPECT_EQ(by_name(all, "_externalAuths").id, "pbc_2281828961");
  EXPECT_EQ(by_name(all, "_authOrigins").id, "pbc_4275539003");
  EXPECT_EQ(by_name(all, "_superusers").id, "pbc_3142635823");
  EXPECT_EQ(by_name(all, "users").id, "_pb_users_auth_");
  for (const auto& c : all) EXPECT_EQ(c.system, c.name != "users") << c.name;
  EXPECT_TRUE(by_name(all, "_superusers").is_auth());
  EXPECT_TRUE(by_name(all, "users").is_auth());
  EXPECT_TRUE(by_name(all, "_mfas").is_base());
}

TEST(SystemCollectionsTest, Superusers) {
  std::vector<Collection> all = system_collections();
  const Collection& c = by_name(all, "_superusers");
  EXPECT_EQ(names_of(c),
            (std::vector<std::string>{"id", "password", "tokenKey", "email", "emailVisibility",
                                      "verified", "created", "updated"}));
  EXPECT_EQ(c.auth.auth_token.duration, 86400);
  EXPECT_EQ(c.auth.auth_token.secret.size(), 50u);
  EXPECT_FALSE(c.list_rule);
  EXPECT_EQ(c.auth.auth_rule, "");
  EXPECT_FALSE(c.auth.manage_rule);
  EXPECT_EQ(c.field_by_name("email")->id, "email3885137012");
  EXPECT_EQ(c.field_by_name("password")->id, "password901924565");
  EXPECT_EQ(c.field_by_name("verified")->id, "bool256245529");
  EXPECT_EQ(c.field_by_name("created")->id, "autodate2990389176");
  EXPECT_TRUE(c.field_by_name("created")->system);
  EXPECT_EQ(c.indexes,
            (std::vector<std::string>{
                "CREATE UNIQUE INDEX `idx_tokenKey_pbc_3142635823` ON `_superusers` (`tokenKey`)",
                "CREATE UNIQUE INDEX `idx_email_pbc_3142635823` ON `_superusers` (`email` COLLATE "
                "NOCASE) WHERE "
                "`email` != ''"}));
}

TEST(SystemCollectionsTest, Users) {
  std::vector<Collection> all = system_collections();
  const Collection& c = by_name(all, "users");
  EXPECT_EQ(names_of(c),
            (std::vector<std::string>{"id", "password", "tokenKey", "email", "emailVisibility",
                                      "verified", "name", "avatar", "created", "updated"}));
  EXPECT_EQ(c.list_rule, "id = @request.auth.id");
  EXPECT_EQ(c.view_rule, "id = @request.auth.id");
  EXPECT_EQ(c.create_rule, "");
  EXPECT_EQ(c.update_rule, "id = @request.auth.id");
  EXPECT_EQ(c.delete_rule, "id = @request.auth.id");
  EXPECT_EQ(c.auth.auth_token.duration, 432000);
  EXPECT_EQ(c.field_by_name("name")->as<TextOptions>()->max, 255);
  const auto* avatar = c.field_by_name("avatar")->as<FileOptions>();
  ASSERT_TRUE(avatar);
  EXPECT_EQ(avatar->max_select, 1);
  EXPECT_EQ(items(avatar->mime_types).size(), 5u);
  EXPECT_FALSE(c.field_by_name("created")->system);
  EXPECT_EQ(c.auth.oauth2.mapped_fields.name, "name");
  EXPECT_EQ(c.auth.oauth2.mapped_fields.avatar_url, "avatar");
  EXPECT_EQ(c.indexes[0],
            "CREATE UNIQUE INDEX `idx_tokenKey__pb_users_auth_` ON `users` (`tokenKey`)");
}

TEST(SystemCollectionsTest, OwnedRecordCollections) {
  std::vector<Collection> all = system_collections();
  const std::string owner =
      "@request.auth.id != '' && recordRef = @request.auth.id && "
      "collectionRef = @request.auth.collectionId";
  const Collection& mfas = by_name(all, "_mfas");
  EXPECT_EQ(names_of(mfas), (std::vector<std::string>{"id", "collectionRef", "recordRef", "method",
                                                      "created", "updated"}));
  EXPECT_EQ(mfas.list_rule, owner);
  EXPECT_FALSE(mfas.delete_rule);
  EXPECT_EQ(mfas.indexes,
            (std::vector<std::string>{"CREATE INDEX `idx_mfas_collectionRef_recordRef` "
                                      "ON `_mfas` (collectionRef,recordRef)"}));

  const Collection& otps = by_name(all, "_otps");
  EXPECT_EQ(names_of(otps), (std::vector<std::string>{"id", "collectionRef", "recordRef",
                                                      "password", "sentTo", "created", "updated"}));
  EXPECT_EQ(otps.field_by_name("password")->as<PasswordOptions>()->cost, 8);
  EXPECT_TRUE(otps.field_by_name("sentTo")->hidden);

  const Collection& external = by_name(all, "_externalAuths");
  EXPECT_EQ(external.delete_rule, owner);
  EXPECT_EQ(external.indexes.size(), 2u);
  EXPECT_EQ(external.field_by_name("provider")->id, "text2462348188");

  const Collection& origins = by_name(all, "_authOrigins");
  EXPECT_EQ(origins.delete_rule, owner);
  EXPECT_EQ(origins.field_by_name("fingerprint")->id, "text4228609354");
  EXPECT_EQ(origins.indexes[0],
            "CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON "
            "`_authOrigins` (collectionRef, recordRef, fingerprint)");
}

TEST(SystemCollectionsTest, ParamsTable) {
  TableSpec params = params_table();
  EXPECT_EQ(params.name, "_params");
  ASSERT_EQ(params.columns.size(), 4u);
  EXPECT_EQ(params.columns[0].name, "id");
  EXPECT_TRUE(params.columns[0].primary_key);
  EXPECT_EQ(params.columns[1].kind, ColumnKind::kJson);
  EXPECT_FALSE(params.columns[1].not_null);
  EXPECT_EQ(params.columns[1].default_value, ColumnDefault::kNull);
  EXPECT_EQ(params.columns[2].default_value, ColumnDefault::kNow);
  EXPECT_EQ(params.columns[3].name, "updated");
}

TEST(ColumnSpecTest, EveryTypeMapsToItsColumn) {
  auto column = [](FieldOptions options) { return column_for(Field("c", std::move(options))); };
  EXPECT_EQ(column(TextOptions{}).kind, ColumnKind::kText);
  EXPECT_EQ(column(TextOptions{}).default_value, ColumnDefault::kEmptyText);
  ColumnSpec id = column_for(default_id_field());
  EXPECT_TRUE(id.primary_key);
  EXPECT_EQ(id.name, "id");
  EXPECT_EQ(column(NumberOptions{}).kind, ColumnKind::kReal);
  EXPECT_EQ(column(BoolOptions{}).kind, ColumnKind::kBool);
  EXPECT_EQ(column(DateOptions{}).kind, ColumnKind::kText);
  EXPECT_EQ(column(AutodateOptions{}).kind, ColumnKind::kText);
  SelectOptions multi;
  multi.max_select = 2;
  EXPECT_EQ(column(multi).kind, ColumnKind::kJson);
  EXPECT_EQ(column(multi).default_value, ColumnDefault::kEmptyJsonArray);
  EXPECT_EQ(column(SelectOptions{}).kind, ColumnKind::kText);
  EXPECT_EQ(column(JsonOptions{}).default_value, ColumnDefault::kNull);
  EXPECT_FALSE(column(JsonOptions{}).not_null);
  EXPECT_EQ(column(GeoPointOptions{}).default_value, ColumnDefault::kZeroGeoPoint);
  EXPECT_EQ(column(PasswordOptions{}).kind, ColumnKind::kText);
}

TEST(FieldRegistryTest, HoldsEveryTypeByEnumAndName) {
  const FieldTypeRegistry& registry = builtin_field_types();
  for (std::size_t i = 0; i < kFieldTypeCount; ++i) {
    auto type = static_cast<FieldType>(i);
    const FieldTypeInfo* info = registry.find(type);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->type, type);
    EXPECT_EQ(registry.find(field_type_name(type)), info);
    EXPECT_EQ(Field("x", default_field_options(type)).type(), type);
  }
  EXPECT_FALSE(registry.find("color"));
  FieldTypeRegistry empty;
  EXPECT_THROW(empty.at(FieldType::kText), std::out_of_range);
}

}  // namespace
}  // namespace basalt::schema
