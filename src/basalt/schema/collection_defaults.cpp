#include "basalt/schema/collection_defaults.hpp"

#include <algorithm>

#include "basalt/schema/ids.hpp"
#include "basalt/schema/index_sql.hpp"

namespace basalt::schema {
namespace {

constexpr std::size_t kMaxIndexName = 64;
constexpr int kMaxIdSuffix = 1000;

bool has_field_id(const std::vector<Field>& fields, std::string_view id) {
  return std::any_of(fields.begin(), fields.end(), [&](const Field& f) { return f.id == id; });
}

Field system_field(std::string_view name, FieldOptions options) {
  Field field(std::string(name), std::move(options));
  field.system = true;
  return field;
}

Field default_password_field() {
  PasswordOptions options;
  options.min = 8;
  Field field = system_field(kFieldPassword, options);
  field.hidden = true;
  field.required = true;
  return field;
}

Field default_token_key_field() {
  TextOptions options;
  options.min = 30;
  options.max = 60;
  options.autogenerate = GeneratorPattern("[a-zA-Z0-9]{50}");
  Field field = system_field(kFieldTokenKey, options);
  field.hidden = true;
  field.required = true;
  return field;
}

Field default_email_field() {
  Field field = system_field(kFieldEmail, EmailOptions{});
  field.required = true;
  return field;
}

void init_id_field(Collection& c) {
  Field* field = c.field_by_name(kFieldId);
  if (!field || !field->as<TextOptions>()) {
    std::vector<Field> fields;
    fields.reserve(c.fields.size() + 1);
    add_field(fields, default_id_field());
    for (auto& existing : c.fields) add_field(fields, std::move(existing));
    c.fields = std::move(fields);
    return;
  }
  auto& text = *field->as<TextOptions>();
  field->system = true;
  field->required = true;
  field->hidden = false;
  text.primary_key = true;
  if (text.pattern.empty()) text.pattern = RegexPattern(std::string(kDefaultIdPattern));
}

// Ensures a system field of type `T` named `name`: adds `make()` when missing (or of another
// type), else calls `enforce` on the existing one.
template <typename T, typename Make, typename Enforce>
void init_system_field(Collection& c, std::string_view name, Make make, Enforce enforce) {
  Field* field = c.field_by_name(name);
  if (field && field->as<T>()) {
    field->system = true;
    enforce(*field);
  } else {
    add_field(c.fields, make());
  }
}

// `collate` is "" or a collation such as NOCASE for the indexed column.
void ensure_unique_index(Collection& c, std::string_view field_name, std::string_view collate,
                         std::string_view where) {
  if (find_single_column_unique_index(c.indexes, field_name)) return;
  std::string sql = "CREATE UNIQUE INDEX `" + field_index_name(c, field_name) + "` ON `" + c.name +
                    "` (`" + std::string(field_name) + "`";
  if (!collate.empty()) sql += " COLLATE " + std::string(collate);
  sql += ")";
  if (!where.empty()) sql += " WHERE " + std::string(where);
  c.indexes.push_back(std::move(sql));
}

void init_auth_fields(Collection& c) {
  init_system_field<PasswordOptions>(c, kFieldPassword, default_password_field, [](Field& f) {
    f.hidden = true;
    f.required = true;
  });
  init_system_field<TextOptions>(c, kFieldTokenKey, default_token_key_field, [](Field& f) {
    f.hidden = true;
    f.required = true;
  });
  ensure_unique_index(c, kFieldTokenKey, "", "");
  init_system_field<EmailOptions>(c, kFieldEmail, default_email_field,
                                  [](Field& f) { f.hidden = false; });
  // Case-insensitive, unlike PocketBase's default: "Dana@Example.com" must not be registrable
  // next to "dana@example.com" (squatting), and sign-in compares emails without case.
  ensure_unique_index(c, kFieldEmail, "NOCASE", "`email` != ''");
  init_system_field<BoolOptions>(
      c, kFieldEmailVisibility, [] { return system_field(kFieldEmailVisibility, BoolOptions{}); },
      [](Field&) {});
  init_system_field<BoolOptions>(
      c, kFieldVerified, [] { return system_field(kFieldVerified, BoolOptions{}); }, [](Field&) {});
}

void init_default_fields(Collection& c) {
  if (c.is_view()) return;  // view fields come from the query
  init_id_field(c);
  if (c.is_auth()) init_auth_fields(c);
}

void unset_missing_mapped_fields(Collection& c) {
  auto& mapped = c.auth.oauth2.mapped_fields;
  for (std::string* name : {&mapped.id, &mapped.name, &mapped.username, &mapped.avatar_url}) {
    if (!name->empty() && !c.field_by_name(*name)) name->clear();
  }
}

bool collection_id_taken(std::span<const Collection> existing, std::string_view id) {
  return std::any_of(existing.begin(), existing.end(),
                     [&](const Collection& c) { return c.id == id; });
}

// A generated id already used by another collection gets the first free numeric suffix; index
// names that embedded the old id follow it.
void make_generated_id_unique(Collection& c, std::span<const Collection> existing) {
  std::string base = collection_id_checksum(c.type, c.name);
  std::string id = base;
  for (int i = 2; i < kMaxIdSuffix && collection_id_taken(existing, id); ++i) {
    id = base + std::to_string(i);
  }
  if (id == c.id) return;
  for (auto& raw : c.indexes) {
    auto index = IndexDefinition::parse(raw);
    if (!index) continue;
    std::string renamed = index->index_name;
    for (std::size_t pos = renamed.find(c.id); pos != std::string::npos;
         pos = renamed.find(c.id, pos + id.size())) {
      renamed.replace(pos, c.id.size(), id);
    }
    if (renamed == index->index_name) continue;
    index->index_name = std::move(renamed);
    raw = index->build();
  }
  c.id = std::move(id);
}

void retarget_indexes(Collection& c) {
  for (auto& raw : c.indexes) {
    auto index = IndexDefinition::parse(raw);
    if (!index || index->table_name == c.name) continue;
    index->table_name = c.name;
    if (std::string rebuilt = index->build(); !rebuilt.empty()) raw = std::move(rebuilt);
  }
}

}  // namespace

Field default_id_field() {
  TextOptions options;
  options.primary_key = true;
  options.min = static_cast<std::int64_t>(kDefaultIdLength);
  options.max = static_cast<std::int64_t>(kDefaultIdLength);
  options.pattern = RegexPattern(std::string(kDefaultIdPattern));
  options.autogenerate = GeneratorPattern(std::string(kDefaultIdAutogenerate));
  Field field = system_field(kFieldId, options);
  field.required = true;
  field.id = field_id_checksum(FieldType::kText, kFieldId);
  return field;
}

void add_field(std::vector<Field>& fields, Field field) {
  bool replace_by_name = field.id.empty();
  if (replace_by_name) {
    std::string base = field_id_checksum(field.type(), field.name);
    std::string id = base;
    for (int i = 2; i < kMaxIdSuffix && has_field_id(fields, id); ++i) {
      id = base + std::to_string(i);
    }
    field.id = std::move(id);
  }
  for (auto& existing : fields) {
    if (replace_by_name ? (!field.name.empty() && existing.name == field.name)
                        : existing.id == field.id) {
      if (replace_by_name) field.id = existing.id;
      existing = std::move(field);
      return;
    }
  }
  fields.push_back(std::move(field));
}

std::string field_index_name(const Collection& collection, std::string_view field_name) {
  std::string name = "idx_" + std::string(field_name) + "_";
  if (!collection.id.empty()) {
    name += collection.id;
  } else if (!collection.name.empty()) {
    name += collection.name;
  } else {
    name += random_string(10, kDefaultIdAlphabet);
  }
  if (name.size() > kMaxIndexName) name.resize(kMaxIndexName);
  return name;
}

Collection new_collection(CollectionType type, std::string name, std::string id) {
  Collection c;
  c.type = type;
  c.name = std::move(name);
  c.id = id.empty() ? collection_id_checksum(type, c.name) : std::move(id);
  init_default_fields(c);
  if (c.is_auth()) c.auth = default_auth_options();
  return c;
}

void apply_defaults(Collection& c, const DefaultsContext& context) {
  bool id_generated = context.id_generated;
  if (c.id.empty()) {
    c.id = collection_id_checksum(c.type, c.name);
    id_generated = true;
  }
  std::vector<Field> fields;
  fields.reserve(c.fields.size());
  for (auto& field : c.fields) add_field(fields, std::move(field));
  c.fields = std::move(fields);

  init_default_fields(c);
  if (c.is_auth()) unset_missing_mapped_fields(c);
  if (id_generated && !context.old) make_generated_id_unique(c, context.existing);
  retarget_indexes(c);
}

}  // namespace basalt::schema
