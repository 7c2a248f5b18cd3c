#include "basalt/schema/system_collections.hpp"

#include "basalt/schema/collection_defaults.hpp"

namespace basalt::schema {
namespace {

// Rows belong to the auth record they reference.
constexpr std::string_view kOwnerRule =
    "@request.auth.id != '' && recordRef = @request.auth.id && "
    "collectionRef = @request.auth.collectionId";

constexpr std::int64_t kSuperuserTokenDuration = 86400;
constexpr std::int64_t kOtpPasswordCost = 8;  // cheap: OTPs are short-lived
constexpr std::int64_t kUserNameMax = 255;

Field text(std::string_view name, bool system, bool required, bool hidden = false) {
  Field field(std::string(name), TextOptions{});
  field.system = system;
  field.required = required;
  field.hidden = hidden;
  return field;
}

Field autodate(std::string_view name, bool system, bool on_update) {
  AutodateOptions options;
  options.on_create = true;
  options.on_update = on_update;
  Field field(std::string(name), options);
  field.system = system;
  return field;
}

void add_timestamps(Collection& c, bool system) {
  add_field(c.fields, autodate("created", system, false));
  add_field(c.fields, autodate("updated", system, true));
}

// PocketBase's Collection.AddIndex: the columns expression is kept as written.
void add_index(Collection& c, std::string_view name, bool unique, std::string_view columns) {
  std::string sql = unique ? "CREATE UNIQUE INDEX `" : "CREATE INDEX `";
  sql += std::string(name) + "` ON `" + c.name + "` (" + std::string(columns) + ")";
  c.indexes.push_back(std::move(sql));
}

// The shape shared by _mfas, _otps, _authOrigins and _externalAuths.
Collection owned_records(std::string_view name, bool owner_can_delete) {
  Collection c = new_collection(CollectionType::kBase, std::string(name));
  c.system = true;
  c.list_rule = std::string(kOwnerRule);
  c.view_rule = std::string(kOwnerRule);
  if (owner_can_delete) c.delete_rule = std::string(kOwnerRule);
  add_field(c.fields, text("collectionRef", true, true));
  add_field(c.fields, text("recordRef", true, true));
  return c;
}

Collection mfas() {
  Collection c = owned_records(kMfasCollection, false);
  add_field(c.fields, text("method", true, true));
  add_timestamps(c, true);
  add_index(c, "idx_mfas_collectionRef_recordRef", false, "collectionRef,recordRef");
  return c;
}

Collection otps() {
  Collection c = owned_records(kOtpsCollection, false);
  PasswordOptions password;
  password.cost = kOtpPasswordCost;
  Field field(std::string(kFieldPassword), password);
  field.system = true;
  field.hidden = true;
  field.required = true;
  add_field(c.fields, std::move(field));
  add_field(c.fields, text("sentTo", true, false, true));
  add_timestamps(c, true);
  add_index(c, "idx_otps_collectionRef_recordRef", false, "collectionRef, recordRef");
  return c;
}

Collection external_auths() {
  Collection c = owned_records(kExternalAuthsCollection, true);
  add_field(c.fields, text("provider", true, true));
  add_field(c.fields, text("providerId", true, true));
  add_timestamps(c, true);
  add_index(c, "idx_externalAuths_record_provider", true, "collectionRef, recordRef, provider");
  add_index(c, "idx_externalAuths_collection_provider", true,
            "collectionRef, provider, providerId");
  return c;
}

Collection auth_origins() {
  Collection c = owned_records(kAuthOriginsCollection, true);
  add_field(c.fields, text("fingerprint", true, true));
  add_timestamps(c, true);
  add_index(c, "idx_authOrigins_unique_pairs", true, "collectionRef, recordRef, fingerprint");
  return c;
}

Collection superusers() {
  Collection c = new_collection(CollectionType::kAuth, std::string(kSuperusersCollection));
  c.system = true;
  Field email(std::string(kFieldEmail), EmailOptions{});
  email.system = true;
  email.required = true;
  add_field(c.fields, std::move(email));
  add_timestamps(c, true);
  c.auth.auth_token.duration = kSuperuserTokenDuration;
  return c;
}

Collection users() {
  Collection c = new_collection(CollectionType::kAuth, std::string(kUsersCollection),
                                std::string(kUsersCollectionId));
  const std::string owner = "id = @request.auth.id";
  c.list_rule = owner;
  c.view_rule = owner;
  c.create_rule = std::string();
  c.update_rule = owner;
  c.delete_rule = owner;

  TextOptions name;
  name.max = kUserNameMax;
  add_field(c.fields, Field("name", name));
  FileOptions avatar;
  avatar.max_select = 1;
  avatar.mime_types = std::vector<std::string>{"image/jpeg", "image/png", "image/svg+xml",
                                               "image/gif", "image/webp"};
  add_field(c.fields, Field("avatar", avatar));
  add_timestamps(c, false);
  c.auth.oauth2.mapped_fields.name = "name";
  c.auth.oauth2.mapped_fields.avatar_url = "avatar";
  return c;
}

}  // namespace

std::vector<Collection> system_collections() {
  std::vector<Collection> out;
  out.push_back(mfas());
  out.push_back(otps());
  out.push_back(external_auths());
  out.push_back(auth_origins());
  out.push_back(superusers());
  out.push_back(users());
  return out;
}

TableSpec params_table() {
  return TableSpec{std::string(kParamsTable),
                   {
                       ColumnSpec{"id", ColumnKind::kText, ColumnDefault::kRandomId, true, true},
                       ColumnSpec{"value", ColumnKind::kJson, ColumnDefault::kNull, false, false},
                       ColumnSpec{"created", ColumnKind::kText, ColumnDefault::kNow, false, true},
                       ColumnSpec{"updated", ColumnKind::kText, ColumnDefault::kNow, false, true},
                   }};
}

TableSpec totp_table() {
  return TableSpec{
      std::string(kTotpTable),
      {
          ColumnSpec{"id", ColumnKind::kText, ColumnDefault::kNone, true, true},
          ColumnSpec{"collectionRef", ColumnKind::kText, ColumnDefault::kNone, false, true},
          ColumnSpec{"recordRef", ColumnKind::kText, ColumnDefault::kNone, false, true},
          ColumnSpec{"secret", ColumnKind::kText, ColumnDefault::kNone, false, true},
          ColumnSpec{"recoveryCodes", ColumnKind::kJson, ColumnDefault::kEmptyJsonArray, false,
                     true},
          ColumnSpec{"lastStep", ColumnKind::kInteger, ColumnDefault::kZero, false, true},
          ColumnSpec{"confirmed", ColumnKind::kBool, ColumnDefault::kFalse, false, true},
          ColumnSpec{"created", ColumnKind::kText, ColumnDefault::kNow, false, true},
          ColumnSpec{"updated", ColumnKind::kText, ColumnDefault::kNow, false, true},
      }};
}

}  // namespace basalt::schema
