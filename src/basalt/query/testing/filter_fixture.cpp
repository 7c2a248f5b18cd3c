#include "basalt/query/testing/filter_fixture.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "basalt/collections/table_ddl.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/collection_json.hpp"
#include "basalt/schema/field_registry.hpp"
#include "basalt/schema/go_json.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::query::testing {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

boost::asio::awaitable<void> run_statements(db::Transaction& tx,
                                            std::vector<std::string> statements) {
  for (const auto& statement : statements) co_await tx.execute(statement);
}

}  // namespace

Clock::time_point fixed_now() {
  using namespace std::chrono;
  return sys_days(year{2024} / May / 17) + hours(10) + minutes(20) + seconds(30) +
         milliseconds(456);
}

db::Value stored_value(const schema::Field& field, const json::value& value) {
  const auto& info = schema::builtin_field_types().at(field.type());
  json::value prepared = info.prepare(field, value);
  if (field.type() == schema::FieldType::kJson) {
    if (prepared.is_null()) return nullptr;
    return schema::serialize_go_json(prepared);
  }
  switch (prepared.kind()) {
    case json::kind::null:
      return nullptr;
    case json::kind::bool_:
      return std::int64_t{prepared.get_bool() ? 1 : 0};
    case json::kind::int64:
      return static_cast<double>(prepared.get_int64());
    case json::kind::uint64:
      return static_cast<double>(prepared.get_uint64());
    case json::kind::double_:
      return prepared.get_double();
    case json::kind::string:
      return std::string(prepared.get_string());
    default:
      return schema::serialize_go_json(prepared);
  }
}

FilterFixture::FilterFixture() {
  db::SqliteOptions options;
  options.data_dir = dir_.str();
  options.statement_timeout = std::chrono::seconds(10);
  database_ = db::open_sqlite(options);
  collections_ = schema::system_collections();
  std::vector<std::string> statements;
  for (auto& collection : collections_) {
    schema::apply_defaults(collection);
    for (auto& s : collections::create_statements(collection, database_->dialect())) {
      statements.push_back(std::move(s));
    }
  }
  sync_wait(database_->write(
      [statements](db::Transaction& tx) { return run_statements(tx, statements); }));
  collections_.reserve(64);  // add_collection hands out references
}

FilterFixture::~FilterFixture() = default;

const schema::Collection& FilterFixture::add_collection(std::string_view text) {
  auto parsed = schema::parse_collection(json::parse(text), schema::ParseMode::kCreate);
  if (!parsed.errors.empty()) {
    throw std::invalid_argument("bad collection JSON: " + std::string(text));
  }
  schema::apply_defaults(parsed.collection, {nullptr, parsed.id_generated, collections_});
  if (collections_.size() == collections_.capacity()) {
    throw std::length_error("FilterFixture holds at most 64 collections");
  }
  auto statements = collections::create_statements(parsed.collection, database_->dialect());
  sync_wait(database_->write(
      [statements](db::Transaction& tx) { return run_statements(tx, statements); }));
  collections_.push_back(std::move(parsed.collection));
  return collections_.back();
}

const schema::Collection& FilterFixture::collection(std::string_view name) const {
  for (const auto& c : collections_) {
    if (c.name == name) return c;
  }
  throw std::invalid_argument("no collection " + std::string(name));
}

void FilterFixture::insert(std::string_view name, const json::object& given) {
  const schema::Collection& c = collection(name);
  json::object record = given;
  // tokenKey is unique in auth collections; the records service would generate one.
  if (c.is_auth() && !record.contains(schema::kFieldTokenKey)) {
    record[schema::kFieldTokenKey] = "token_" + std::string(record.at("id").as_string());
  }
  const auto& dialect = database_->dialect();
  std::string columns;
  std::string values;
  db::Params params;
  for (const auto& field : c.fields) {
    static const json::value kNull;
    const json::value* value = record.if_contains(field.name);
    if (!columns.empty()) {
      columns += ", ";
      values += ", ";
    }
    columns += dialect.quote_identifier(field.name);
    params.push_back(stored_value(field, value != nullptr ? *value : kNull));
    values += dialect.placeholder(params.size());
  }
  std::string sql = "INSERT INTO " + dialect.quote_identifier(c.name) + " (" + columns +
                    ") VALUES (" + values + ")";
  sync_wait(database_->write([sql, params](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(sql, params);
  }));
}

void FilterFixture::insert(std::string_view name, std::string_view record_json) {
  insert(name, json::parse(record_json).as_object());
}

ResolveContext FilterFixture::context(std::string_view name, ResolveMode mode, bool superuser,
                                      std::string_view auth_collection) const {
  ResolveContext context{collection(name), collections_};
  context.mode = mode;
  context.superuser = superuser;
  if (!auth_collection.empty()) context.auth_collection = &collection(auth_collection);
  return context;
}

std::vector<std::string> FilterFixture::ids(const CompiledQuery& query) {
  std::string sql = query.select_sql(query.table + ".\"id\"");
  auto rows = sync_wait(database_->query(sql, query.params));
  std::vector<std::string> out;
  for (auto row : rows) out.emplace_back(row.as_text(0));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<db::Value> FilterFixture::row(std::string_view name, std::string_view id) {
  const schema::Collection& c = collection(name);
  const auto& dialect = database_->dialect();
  std::string columns;
  for (const auto& field : c.fields) {
    if (!columns.empty()) columns += ", ";
    columns += dialect.quote_identifier(field.name);
  }
  auto rows =
      sync_wait(database_->query("SELECT " + columns + " FROM " + dialect.quote_identifier(c.name) +
                                     " WHERE id = " + dialect.placeholder(1),
                                 std::string(id)));
  if (rows.empty()) throw std::invalid_argument("no record " + std::string(id));
  std::vector<db::Value> out;
  for (std::size_t i = 0; i < c.fields.size(); ++i) out.push_back(rows[0][i]);
  return out;
}

std::vector<std::string> FilterFixture::all_ids(std::string_view name) {
  auto rows = sync_wait(database_->query(
      "SELECT id FROM " + database_->dialect().quote_identifier(name) + " ORDER BY id"));
  std::vector<std::string> out;
  for (auto row : rows) out.emplace_back(row.as_text(0));
  return out;
}

std::vector<std::string> FilterFixture::filter_ids(std::string_view name, std::string_view filter,
                                                   const RequestInfo& request, ResolveMode mode,
                                                   bool superuser) {
  std::string_view auth_collection =
      request.auth ? std::string_view(request.auth->collection_name) : std::string_view();
  Ast ast = parse_filter(filter, mode == ResolveMode::kRule ? ParseLimits::stored_rule()
                                                            : ParseLimits::client_filter());
  PlanPtr plan = resolve_filter(ast, context(name, mode, superuser, auth_collection));
  return ids(compile_filter(database_->dialect(), *plan, request, fixed_now()));
}

}  // namespace basalt::query::testing
