#include "basalt/collections/collection_service.hpp"

#include <algorithm>
#include <chrono>

#include "basalt/collections/collection_store.hpp"
#include "basalt/collections/email_index.hpp"
#include "basalt/collections/file_removals.hpp"
#include "basalt/collections/sortable_columns.hpp"
#include "basalt/collections/table_ddl.hpp"
#include "basalt/collections/view_fields.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/collection_json.hpp"
#include "basalt/schema/collection_validator.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/lookups.hpp"
#include "basalt/schema/oauth2_provider_names.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::collections {
namespace {

namespace json = boost::json;
using schema::Collection;
using schema::ValidationErrors;

constexpr std::string_view kVersionParam = "collections_version";
constexpr std::string_view kCreateFailed = "Failed to create collection.";
constexpr std::string_view kUpdateFailed = "Failed to update collection.";
constexpr std::string_view kImportFailed = "Failed to import collections.";

// Tables that are not collections; a collection may not take their names.
const std::vector<std::string>& internal_tables() {
  static const std::vector<std::string> tables = {
      std::string(kCollectionsTable), std::string(schema::kParamsTable),
      std::string(db::kMigrationsTable), std::string(schema::kTotpTable),
      std::string(kFileRemovalsTable),
      // The outbox's (events/outbox_tables.hpp, a module above this one).
      "_outbox", "_destinations", "_destinationStates", "_deliveries", "_redeliveries",
      "_destinationsVersion",
      // The durable job queue's table (jobs::kJobsTable, docs/jobs.md): jobs sits above this
      // module, so its name is repeated here rather than included.
      "_jobs"};
  return tables;
}

std::string now_text(const core::Clock& clock) {
  return schema::format_datetime(clock.now());
}

boost::asio::awaitable<void> run_all(db::Transaction& tx, const std::vector<std::string>& sql) {
  for (const auto& statement : sql) co_await tx.execute(statement);
}

// The existing row's value is named with its table: on PostgreSQL a bare `value` in DO UPDATE
// is ambiguous with EXCLUDED's.
boost::asio::awaitable<void> bump_version(db::Transaction& tx, const db::Dialect& dialect,
                                          const std::string& now) {
  const std::string sql =
      "INSERT INTO _params (id, value, created, updated) VALUES (" + dialect.placeholder(1) +
      ", '1', " + dialect.placeholder(2) + ", " + dialect.placeholder(2) + ")" +
      dialect.on_conflict_update(
          "id",
          "value = " + dialect.integer_as_json(dialect.integer_cast("_params.value") + " + 1") +
              ", updated = " + dialect.placeholder(2));
  co_await tx.execute(sql, std::string(kVersionParam), now);
}

const Collection* find_in(const std::vector<Collection>& list, std::string_view id_or_name) {
  for (const auto& c : list) {
    if (c.id == id_or_name) return &c;
  }
  for (const auto& c : list) {
    if (schema::iequals(c.name, id_or_name)) return &c;
  }
  return nullptr;
}

// Rules are compiled against the catalog as it will be, so a rule that names a missing field
// or collection is refused when it is saved rather than failing every request later.
schema::CollectionLookup collection_lookup(const std::vector<Collection>& collections) {
  schema::CollectionLookup lookup{collections, internal_tables(), {}, {}, {}};
  lookup.is_oauth2_provider = schema::is_oauth2_provider_name;
  lookup.check_rule = [&collections](const Collection& collection, std::string_view rule) {
    return query::check_rule(collection, collections, rule);
  };
  return lookup;
}

void add_error(ValidationErrors& errors, const schema::ErrorPath& path, std::string_view code,
               std::string_view message) {
  errors.add(path, schema::make_error(code, message));
}

// Resolves a view's fields from its query (inside the job, so it sees tables the job created)
// and re-applies defaults so they get field ids. A query that cannot back a view is an error
// at `viewQuery`.
boost::asio::awaitable<void> resolve_view(db::Transaction& tx, Collection& view,
                                          const Collection* old,
                                          const std::vector<Collection>& catalog,
                                          ValidationErrors& errors,
                                          const schema::ErrorPath& prefix) {
  ViewFields inferred = co_await infer_view_fields(tx, view.view_query, catalog);
  if (inferred.error) {
    schema::ErrorPath path = prefix;
    path.push_back("viewQuery");
    add_error(errors, path, "validation_invalid_view_query", "Invalid query - " + *inferred.error);
    co_return;
  }
  view.fields = std::move(inferred.fields);
  // Keep the ids of fields the view had before, so exports stay stable across edits.
  if (old) {
    for (auto& field : view.fields) {
      if (const auto* before = old->field_by_name(field.name)) field.id = before->id;
    }
  }
  schema::apply_defaults(view, {old, false, catalog});
}

// True when `query` mentions `name` as a whole word (case-insensitive): a view that reads
// the collection.
bool mentions(std::string_view query, std::string_view name) {
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t at = 0; at + name.size() <= query.size(); ++at) {
    if (!schema::iequals(query.substr(at, name.size()), name)) continue;
    bool starts = at == 0 || !is_word(query[at - 1]);
    bool ends = at + name.size() == query.size() || !is_word(query[at + name.size()]);
    if (starts && ends) return true;
  }
  return false;
}

// Why `target` cannot be deleted while `others` stay, or nullopt.
std::optional<std::string> deletion_blocker(const Collection& target,
                                            const std::vector<Collection>& others) {
  for (const auto& other : others) {
    if (other.id == target.id) continue;
    for (const auto& field : other.fields) {
      const auto* relation = field.as<schema::RelationOptions>();
      if (relation && relation->collection_id == target.id && !other.is_view()) {
        return "The collection is referenced by the relation field " + other.name + "." +
               field.name + ".";
      }
    }
    if (other.is_view() && mentions(other.view_query, target.name)) {
      return "The collection is used by the view collection " + other.name + ".";
    }
  }
  return std::nullopt;
}

// --- import, in its three phases (CollectionService::import runs them in one write job) ---

// One item of an import: its definition (parsed, defaulted) and the stored collection it
// replaces, if any.
struct ImportItem {
  Collection collection;
  std::optional<Collection> old;
  schema::ErrorPath path;  // collections.<index>, where its problems are reported
};

// Phase 1: parses every item against the collection it replaces (by id, else by name), if any.
// An item that does not parse adds its errors under its path and is left out.
std::vector<ImportItem> parse_import_items(const json::array& items,
                                           const std::vector<Collection>& existing,
                                           ValidationErrors& errors) {
  std::vector<ImportItem> imported;
  for (std::size_t i = 0; i < items.size(); ++i) {
    schema::ErrorPath path = {"collections", std::to_string(i)};
    const json::value& item = items[i];
    const Collection* old = nullptr;
    if (const auto* object = item.if_object()) {
      const json::value* id = object->if_contains("id");
      const json::value* name = object->if_contains("name");
      if (id && id->is_string() && !id->as_string().empty()) {
        old = find_in(existing, std::string_view(id->as_string()));
      } else if (name && name->is_string()) {
        old = find_in(existing, std::string_view(name->as_string()));
      }
    }
    schema::ParsedCollection parsed = schema::parse_collection(
        item, old ? schema::ParseMode::kUpdate : schema::ParseMode::kCreate, old);
    if (!parsed.errors.empty()) {
      errors.merge(parsed.errors, path);
      continue;
    }
    schema::apply_defaults(parsed.collection, {old, parsed.id_generated, existing});
    imported.push_back(
        {std::move(parsed.collection), old ? std::optional<Collection>(*old) : std::nullopt, path});
  }
  return imported;
}

// The catalog as the import leaves it, and what it deletes.
struct ImportPlan {
  std::vector<Collection> after;    // kept collections, then every imported one
  std::vector<Collection> deleted;  // with delete_missing: stored non-system ones not listed
};

// Phase 2: the catalog as it will be: kept collections, replaced ones, new ones. An id listed
// twice is an error at the later item.
ImportPlan plan_import(const std::vector<Collection>& existing,
                       const std::vector<ImportItem>& imported, bool delete_missing,
                       ValidationErrors& errors) {
  ImportPlan plan;
  for (const auto& stored : existing) {
    bool replaced = std::any_of(imported.begin(), imported.end(), [&](const ImportItem& item) {
      return item.old && item.old->id == stored.id;
    });
    if (replaced) continue;
    if (delete_missing && !stored.system) {
      plan.deleted.push_back(stored);
    } else {
      plan.after.push_back(stored);
    }
  }
  for (const auto& item : imported) plan.after.push_back(item.collection);
  for (std::size_t i = 0; i < imported.size(); ++i) {
    const ImportItem& item = imported[i];
    for (std::size_t j = 0; j < i; ++j) {
      if (imported[j].collection.id == item.collection.id) {
        add_error(errors, item.path, "validation_duplicated_collection",
                  "The collection id is listed more than once.");
      }
    }
  }
  return plan;
}

// Validates `item` against the catalog as it will be, where the item itself stands in its
// stored form (update) or is absent (create), as for a single create or update.
void validate_import_item(const ImportItem& item, const std::vector<Collection>& after,
                          ValidationErrors& errors) {
  std::vector<Collection> others;
  others.reserve(after.size());
  for (const auto& c : after) {
    if (c.id != item.collection.id) others.push_back(c);
  }
  if (item.old) others.push_back(*item.old);
  errors.merge(schema::validate_collection(item.collection, item.old ? &*item.old : nullptr,
                                           collection_lookup(others)),
               item.path);
}

// Writes one imported item: its DDL and its `_collections` row, stamped `now`. The files of the
// file fields it drops are queued first (file_removals.hpp); `queued` tells.
boost::asio::awaitable<void> store_import_item(db::Transaction& tx, const db::Dialect& dialect,
                                               ImportItem& item, const std::string& now,
                                               bool& queued) {
  item.collection.updated = now;
  if (item.old) {
    item.collection.created = item.old->created;
    const bool dropped =
        co_await queue_dropped_field_files(tx, dialect, *item.old, item.collection);
    queued = queued || dropped;
    co_await run_all(tx, update_statements(*item.old, item.collection, dialect));
    co_await update_collection(tx, dialect, item.collection);
  } else {
    item.collection.created = now;
    co_await run_all(tx, create_statements(item.collection, dialect));
    co_await insert_collection(tx, dialect, item.collection);
  }
}

// Phase 3: tables first (validated before any DDL), views last (their fields come from the
// tables as this job leaves them). Deleted views go before deleted tables. Throws the import's
// 400 with every problem found when any phase found one.
boost::asio::awaitable<void> apply_import(db::Transaction& tx, const db::Dialect& dialect,
                                          ImportPlan& plan, std::vector<ImportItem>& imported,
                                          const std::string& now, ValidationErrors& errors,
                                          bool& queued) {
  for (const auto& item : imported) {
    if (!item.collection.is_view()) validate_import_item(item, plan.after, errors);
  }
  if (!errors.empty()) throw errors.to_api_error(std::string(kImportFailed));

  std::stable_partition(plan.deleted.begin(), plan.deleted.end(),
                        [](const Collection& c) { return c.is_view(); });
  for (const auto& gone : plan.deleted) {
    const bool dropped = co_await queue_collection_files(tx, dialect, gone);
    queued = queued || dropped;
    co_await run_all(tx, drop_statements(gone, dialect));
    co_await delete_collection(tx, dialect, gone.id);
  }
  for (auto& item : imported) {
    if (!item.collection.is_view()) co_await store_import_item(tx, dialect, item, now, queued);
  }
  for (auto& item : imported) {
    if (!item.collection.is_view()) continue;
    co_await resolve_view(tx, item.collection, item.old ? &*item.old : nullptr, plan.after, errors,
                          item.path);
    if (errors.has_under(item.path)) continue;
    validate_import_item(item, plan.after, errors);
    if (!errors.has_under(item.path)) co_await store_import_item(tx, dialect, item, now, queued);
  }
  if (!errors.empty()) throw errors.to_api_error(std::string(kImportFailed));
}

}  // namespace

CollectionService::CollectionService(db::Database& database, const core::Clock& clock)
    : database_(database),
      clock_(clock),
      catalog_(std::make_shared<const Catalog>(std::vector<Collection>{}, 0)) {}

boost::asio::awaitable<void> CollectionService::reload() {
  // The version is read before the definitions, so the definitions are at least that new.
  const db::Dialect& dialect = database_.dialect();
  const std::string version_sql = "SELECT " + dialect.integer_cast("value") +
                                  " FROM _params WHERE id = " + dialect.placeholder(1);
  db::ResultSet version_rows = co_await database_.query(version_sql, std::string(kVersionParam));
  const std::uint64_t version =
      version_rows.empty() ? 0 : static_cast<std::uint64_t>(version_rows[0].as_int(0));
  std::vector<Collection> collections = co_await load_collections(database_);
  auto next = std::make_shared<const Catalog>(std::move(collections), version);
  std::lock_guard lock(publish_mutex_);
  if (version >= catalog_.load()->version()) catalog_.store(std::move(next));
}

boost::asio::awaitable<Collection> CollectionService::create(const json::value& body) {
  Collection created;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    std::vector<Collection> existing = co_await load_collections(tx, database_.dialect());
    schema::ParsedCollection parsed = schema::parse_collection(body, schema::ParseMode::kCreate);
    if (!parsed.errors.empty()) throw parsed.errors.to_api_error(std::string(kCreateFailed));
    Collection collection = std::move(parsed.collection);
    schema::apply_defaults(collection, {nullptr, parsed.id_generated, existing});
    ValidationErrors errors;
    if (collection.is_view()) co_await resolve_view(tx, collection, nullptr, existing, errors, {});
    if (errors.empty()) errors = schema::validate_create(collection, collection_lookup(existing));
    if (!errors.empty()) throw errors.to_api_error(std::string(kCreateFailed));

    collection.created = collection.updated = now_text(clock_);
    co_await run_all(tx, create_statements(collection, database_.dialect()));
    co_await insert_collection(tx, database_.dialect(), collection);
    co_await bump_version(tx, database_.dialect(), collection.updated);
    created = collection;
  });
  co_await reload();
  co_return created;
}

boost::asio::awaitable<Collection> CollectionService::update(std::string_view id_or_name,
                                                             const json::value& body) {
  Collection updated;
  const std::string key(id_or_name);
  bool queued = false;  // set (or reset, when the job is rerun) by the job
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    queued = false;
    std::vector<Collection> existing = co_await load_collections(tx, database_.dialect());
    const Collection* old = find_in(existing, key);
    if (!old) throw core::ApiError::not_found();
    schema::ParsedCollection parsed =
        schema::parse_collection(body, schema::ParseMode::kUpdate, old);
    if (!parsed.errors.empty()) throw parsed.errors.to_api_error(std::string(kUpdateFailed));
    Collection collection = std::move(parsed.collection);
    schema::apply_defaults(collection, {old, false, existing});
    ValidationErrors errors;
    if (collection.is_view()) co_await resolve_view(tx, collection, old, existing, errors, {});
    if (errors.empty())
      errors = schema::validate_update(*old, collection, collection_lookup(existing));
    if (!errors.empty()) throw errors.to_api_error(std::string(kUpdateFailed));

    collection.created = old->created;
    collection.updated = now_text(clock_);
    // Before the DDL, which drops the columns holding the names (file_removals.hpp).
    queued = co_await queue_dropped_field_files(tx, database_.dialect(), *old, collection);
    co_await run_all(tx, update_statements(*old, collection, database_.dialect()));
    co_await update_collection(tx, database_.dialect(), collection);
    co_await bump_version(tx, database_.dialect(), collection.updated);
    updated = collection;
  });
  co_await reload();
  if (queued) notify_files_queued();
  co_return updated;
}

boost::asio::awaitable<void> CollectionService::remove(std::string_view id_or_name) {
  const std::string key(id_or_name);
  bool queued = false;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    queued = false;
    std::vector<Collection> existing = co_await load_collections(tx, database_.dialect());
    const Collection* target = find_in(existing, key);
    if (!target) throw core::ApiError::not_found();
    if (target->system) throw core::ApiError::bad_request("System collections cannot be deleted.");
    if (auto blocker = deletion_blocker(*target, existing)) {
      throw core::ApiError::bad_request(*blocker);
    }
    queued = co_await queue_collection_files(tx, database_.dialect(), *target);
    co_await run_all(tx, drop_statements(*target, database_.dialect()));
    co_await delete_collection(tx, database_.dialect(), target->id);
    co_await bump_version(tx, database_.dialect(), now_text(clock_));
  });
  co_await reload();
  if (queued) notify_files_queued();
}

boost::asio::awaitable<void> CollectionService::import(const json::value& collections,
                                                       bool delete_missing) {
  if (!collections.is_array() || collections.as_array().empty()) {
    ValidationErrors errors;
    add_error(errors, {"collections"}, "validation_required", "Cannot be blank.");
    throw errors.to_api_error(std::string(kImportFailed));
  }
  const json::array& items = collections.as_array();
  bool queued = false;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    queued = false;
    std::vector<Collection> existing = co_await load_collections(tx, database_.dialect());
    ValidationErrors errors;
    // Parse errors are reported together with the validation errors of the later phases.
    std::vector<ImportItem> imported = parse_import_items(items, existing, errors);
    ImportPlan plan = plan_import(existing, imported, delete_missing, errors);
    const std::string now = now_text(clock_);
    co_await apply_import(tx, database_.dialect(), plan, imported, now, errors, queued);
    co_await bump_version(tx, database_.dialect(), now);
  });
  co_await reload();
  if (queued) notify_files_queued();
}

void CollectionService::notify_files_queued() const noexcept {
  if (files_queued_) files_queued_();
}

std::vector<db::Migration> system_migrations(const db::Dialect& dialect, const core::Clock& clock) {
  // Both outlive the migrations: the dialect belongs to the Database, the clock to the caller.
  const db::Dialect* d = &dialect;
  const core::Clock* c = &clock;
  return {
      {"1700000000_collections_table",
       [d](db::Transaction& tx) -> boost::asio::awaitable<void> {
         co_await create_collections_table(tx, *d);
       }},
      {"1700000001_params_table",
       [d](db::Transaction& tx) -> boost::asio::awaitable<void> {
         co_await tx.execute(create_table_statement(schema::params_table(), *d));
       }},
      {"1700000002_system_collections",
       [d, c](db::Transaction& tx) -> boost::asio::awaitable<void> {
         const std::string now = now_text(*c);
         for (Collection collection : schema::system_collections()) {
           collection.created = collection.updated = now;
           co_await run_all(tx, create_statements(collection, *d));
           co_await insert_collection(tx, *d, collection);
         }
         co_await bump_version(tx, *d, now);
       }},
      {"1700000003_case_insensitive_email_indexes",
       [d, c](db::Transaction& tx) -> boost::asio::awaitable<void> {
         if (co_await make_email_indexes_case_insensitive(tx, *d)) {
           co_await bump_version(tx, *d, now_text(*c));
         }
       }},
      {"1700000004_totp_table",
       [d](db::Transaction& tx) -> boost::asio::awaitable<void> {
         co_await tx.execute(create_table_statement(schema::totp_table(), *d));
       }},
      {"1700000005_file_removals_table",
       [d](db::Transaction& tx) -> boost::asio::awaitable<void> {
         co_await tx.execute(create_table_statement(file_removals_table(), *d));
       }},
      {"1700000006_sortable_columns",
       [d](db::Transaction& tx) -> boost::asio::awaitable<void> {
         co_await make_columns_sortable(tx, *d);
       }},
  };
}

json::array export_collections(const Catalog& catalog) {
  json::array out;
  for (const auto& collection : catalog.all()) {
    out.push_back(schema::collection_to_json(collection, schema::JsonForm::kPublic));
  }
  return out;
}

}  // namespace basalt::collections
