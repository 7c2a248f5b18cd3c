#include "basalt/records/expand.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "basalt/core/api_error.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/records/service_support.hpp"
#include "basalt/schema/index_sql.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;
using Node = ExpandTree::Node;

constexpr std::size_t kIdsPerStatement = 500;  // well under every backend's parameter cap

void insert_path(std::vector<Node>& level, std::span<const std::string> path) {
  if (path.empty()) return;
  auto it = std::find_if(level.begin(), level.end(),
                         [&](const Node& node) { return node.key == path.front(); });
  if (it == level.end()) {
    level.push_back({path.front(), {}});
    it = level.end() - 1;
  }
  insert_path(it->children, path.subspan(1));
}

// The ids a relation value holds: "" / [] hold none.
void collect_ids(const json::value& value, std::vector<std::string>& out) {
  if (value.is_string()) {
    if (!value.get_string().empty()) out.emplace_back(value.get_string());
  } else if (value.is_array()) {
    for (const auto& item : value.get_array()) {
      if (item.is_string() && !item.get_string().empty()) out.emplace_back(item.get_string());
    }
  }
}

// What one expand key means for a collection.
struct Relation {
  const schema::Collection* target = nullptr;
  const schema::Field* field = nullptr;  // forward: of the parent; back: of the target
  bool back = false;
  bool many = false;
};

std::optional<Relation> resolve_key(const collections::Catalog& catalog,
                                    const schema::Collection& collection, std::string_view key) {
  if (const schema::Field* field = collection.field_by_name(key)) {
    const auto* options = field->as<schema::RelationOptions>();
    if (!options) return std::nullopt;
    const schema::Collection* target = catalog.find(options->collection_id);
    if (!target) return std::nullopt;
    return Relation{target, field, false, field->is_multiple()};
  }
  const auto via = key.find("_via_");
  if (via == std::string_view::npos) return std::nullopt;
  const schema::Collection* target = catalog.find(key.substr(0, via));
  if (!target || target->name != key.substr(0, via)) return std::nullopt;
  const schema::Field* field = target->field_by_name(key.substr(via + 5));
  const auto* options = field ? field->as<schema::RelationOptions>() : nullptr;
  if (!options || options->collection_id != collection.id) return std::nullopt;
  const bool unique =
      !field->is_multiple() &&
      schema::find_single_column_unique_index(target->indexes, field->name).has_value();
  return Relation{target, field, true, !unique};
}

// The viewRule conditions of `target` for the caller; nullopt when it may not be viewed.
std::optional<std::vector<query::PlanPtr>> view_conditions(const Access& access,
                                                           const schema::Collection& target) {
  if (!target.view_rule && !access.caller().is_superuser()) return std::nullopt;
  return support::rule_conditions(access, target, target.view_rule);
}

// The rows of a back-relation: records of `target` whose `field` holds any of `parent_ids`.
Statement back_relation_statement(const Access& access, const Relation& relation,
                                  std::span<const query::PlanPtr> conditions,
                                  const query::RequestInfo& request,
                                  std::span<const std::string> parent_ids) {
  const db::Dialect& dialect = access.dialect();
  const schema::Field& field = *relation.field;
  return select_matching(
      access, *relation.target, conditions, request, parent_ids,
      [&](std::string_view table, std::string_view list) {
        const std::string column = std::string(table) + "." + dialect.quote_identifier(field.name);
        return field.is_multiple() ? dialect.json_array_contains_any(column, list)
                                   : column + " IN (" + std::string(list) + ")";
      });
}

// A refusal of the expand itself, which reaches the client (the other ApiErrors of one key
// only leave that key out).
class ExpandRefused : public core::ApiError {
 public:
  explicit ExpandRefused(std::string message) : core::ApiError(400, std::move(message)) {}
};

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

std::uint64_t json_bytes(const json::value& value);

std::uint64_t object_bytes(const json::object& object) {
  std::uint64_t bytes = 2;
  for (const auto& entry : object) bytes += entry.key().size() + 4 + json_bytes(entry.value());
  return bytes;
}

// The JSON bytes `value` takes, closely enough to bound a response (escapes not counted).
std::uint64_t json_bytes(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return value.get_string().size() + 2;
    case json::kind::array: {
      std::uint64_t bytes = 2;
      for (const auto& item : value.get_array()) bytes += json_bytes(item) + 1;
      return bytes;
    }
    case json::kind::object:
      return object_bytes(value.get_object());
    default:
      return 24;
  }
}

// collectionId, collectionName and the braces of a record object.
constexpr std::uint64_t kRecordOverhead = 96;

// The request's expand budget: rows fetched so far, and the per-record written counts.
class ExpandBudget {
 public:
  explicit ExpandBudget(const ExpandLimits& limits) : limits_(limits) {}

  // Rows the next statement may return: what is left, plus one to see an overflow.
  std::uint64_t rows_left() const { return limits_.max_records - fetched_ + 1; }

  void count_fetched(std::size_t rows) {
    fetched_ += rows;
    if (fetched_ > limits_.max_records) throw too_many();
  }

  // Whether writing `record` (with its expansions) alone stays within the limits.
  void check(const Record& record) const {
    if (record.written_records - 1 > limits_.max_records) throw too_many();
    if (record.written_bytes > limits_.max_bytes) throw too_large();
  }

  void check_total(std::uint64_t expanded, std::uint64_t bytes) const {
    if (expanded > limits_.max_records) throw too_many();
    if (bytes > limits_.max_bytes) throw too_large();
  }

 private:
  ExpandRefused too_many() const {
    return ExpandRefused("The expand would return more than " +
                         std::to_string(limits_.max_records) +
                         " related records; expand fewer relations or list fewer records.");
  }
  ExpandRefused too_large() const {
    return ExpandRefused("The expanded response would be larger than " +
                         std::to_string(limits_.max_bytes) +
                         " bytes; expand fewer relations or list fewer records.");
  }

  const ExpandLimits& limits_;
  std::uint64_t fetched_ = 0;
};

void attach(Record& parent, Expansion expansion, const ExpandBudget& budget) {
  for (const auto& child : expansion.records) {
    parent.written_records = saturating_add(parent.written_records, child->written_records);
    parent.written_bytes =
        saturating_add(parent.written_bytes, child->written_bytes + expansion.key.size() + 4);
  }
  parent.expand.push_back(std::move(expansion));
  budget.check(parent);
}

boost::asio::awaitable<void> expand_level(db::Database& database, const Access& access,
                                          const query::RequestInfo& request,
                                          std::span<const Node> nodes, ExpandBudget& budget,
                                          std::vector<Record>& records);

boost::asio::awaitable<void> expand_node(db::Database& database, const Access& access,
                                         const query::RequestInfo& request, const Node& node,
                                         ExpandBudget& budget, std::vector<Record>& records) {
  const schema::Collection& collection = *records.front().collection;
  std::optional<Relation> relation = resolve_key(access.catalog(), collection, node.key);
  if (!relation) co_return;
  if (relation->field->hidden && !access.caller().is_superuser()) {
    throw ExpandRefused("Cannot expand hidden relation field \"" + relation->field->name +
                        "\" (key \"" + node.key + "\").");
  }
  std::optional<std::vector<query::PlanPtr>> conditions =
      view_conditions(access, *relation->target);
  if (!conditions) co_return;

  // The ids to fetch: the parents' relation values, or the parents themselves (back).
  std::vector<std::string> ids;
  for (const auto& record : records) {
    if (relation->back) {
      collect_ids(record.values.at(schema::kFieldId), ids);
    } else if (const json::value* value = record.values.if_contains(relation->field->name)) {
      collect_ids(*value, ids);
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty()) co_return;

  std::vector<Record> fetched;
  for (std::size_t start = 0; start < ids.size(); start += kIdsPerStatement) {
    auto chunk = std::span<const std::string>(ids).subspan(
        start, std::min(kIdsPerStatement, ids.size() - start));
    Statement statement =
        relation->back ? back_relation_statement(access, *relation, *conditions, request, chunk)
                       : select_by_ids(access, *relation->target, *conditions, request, chunk);
    statement.params.emplace_back(static_cast<std::int64_t>(budget.rows_left()));
    statement.sql += " LIMIT " + access.dialect().placeholder(statement.params.size());
    // Forward: rows by id. Back: a scan of the referencing collection for the parents' ids.
    const db::ReadOptions read = relation->back ? access.scan_read() : access.point_read();
    db::ResultSet rows = co_await database.query(statement.sql, statement.params, read);
    budget.count_fetched(rows.size());
    for (auto row : rows) {
      Record record{relation->target, decode_row(*relation->target, row), {}, false};
      support::mark_owned(access.caller(), record);
      record.written_bytes = kRecordOverhead + object_bytes(record.values);
      fetched.push_back(std::move(record));
    }
  }
  if (fetched.empty()) co_return;
  if (!node.children.empty()) {
    co_await expand_level(database, access, request, node.children, budget, fetched);
  }
  std::vector<std::shared_ptr<const Record>> shared;
  shared.reserve(fetched.size());
  for (auto& record : fetched) shared.push_back(std::make_shared<const Record>(std::move(record)));

  if (!relation->back) {
    std::unordered_map<std::string_view, const std::shared_ptr<const Record>*> by_id;
    for (const auto& record : shared) {
      by_id.emplace(record->values.at(schema::kFieldId).get_string(), &record);
    }
    for (auto& record : records) {
      const json::value* value = record.values.if_contains(relation->field->name);
      if (!value) continue;
      std::vector<std::string> wanted;
      collect_ids(*value, wanted);
      Expansion expansion{node.key, relation->many, {}};
      for (const auto& id : wanted) {
        if (auto it = by_id.find(id); it != by_id.end()) expansion.records.push_back(*it->second);
      }
      if (!expansion.records.empty()) attach(record, std::move(expansion), budget);
    }
    co_return;
  }
  for (auto& record : records) {
    const std::string_view parent_id = record.values.at(schema::kFieldId).get_string();
    Expansion expansion{node.key, relation->many, {}};
    for (const auto& child : shared) {
      std::vector<std::string> refs;
      collect_ids(child->values.at(relation->field->name), refs);
      if (std::find(refs.begin(), refs.end(), parent_id) == refs.end()) continue;
      expansion.records.push_back(child);
      if (!relation->many || expansion.records.size() >= kMaxBackRelations) break;
    }
    if (!expansion.records.empty()) attach(record, std::move(expansion), budget);
  }
}

boost::asio::awaitable<void> expand_level(db::Database& database, const Access& access,
                                          const query::RequestInfo& request,
                                          std::span<const Node> nodes, ExpandBudget& budget,
                                          std::vector<Record>& records) {
  for (const Node& node : nodes) {
    try {
      co_await expand_node(database, access, request, node, budget, records);
    } catch (const ExpandRefused&) {
      throw;
    } catch (const core::ApiError& error) {
      // PocketBase logs a failed expand and answers without it.
      spdlog::debug("expand {} skipped: {}", node.key, error.what());
    }
  }
}

}  // namespace

ExpandTree parse_expand(std::string_view text) {
  if (text.size() > kMaxExpandLength) {
    throw core::ApiError::bad_request("The expand parameter is too long.");
  }
  ExpandTree tree;
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') compact += c;
  }
  std::size_t start = 0;
  while (start <= compact.size()) {
    std::size_t comma = compact.find(',', start);
    if (comma == std::string::npos) comma = compact.size();
    std::string_view path_text(compact.data() + start, comma - start);
    std::vector<std::string> path;
    std::size_t from = 0;
    while (from <= path_text.size()) {
      std::size_t dot = path_text.find('.', from);
      if (dot == std::string_view::npos) dot = path_text.size();
      if (dot > from) path.emplace_back(path_text.substr(from, dot - from));
      from = dot + 1;
    }
    if (path.size() > kMaxExpandDepth) path.resize(kMaxExpandDepth);
    insert_path(tree.roots, path);
    start = comma + 1;
  }
  return tree;
}

boost::asio::awaitable<void> expand_records(db::Database& database, const Access& access,
                                            const query::RequestInfo& request,
                                            const ExpandTree& tree, const ExpandLimits& limits,
                                            std::vector<Record>& records) {
  if (tree.empty() || records.empty()) co_return;
  ExpandBudget budget(limits);
  for (auto& record : records) {
    record.written_bytes = kRecordOverhead + object_bytes(record.values);
  }
  co_await expand_level(database, access, request, tree.roots, budget, records);
  std::uint64_t expanded = 0;
  std::uint64_t bytes = 0;
  for (const auto& record : records) {
    expanded = saturating_add(expanded, record.written_records - 1);
    bytes = saturating_add(bytes, record.written_bytes);
  }
  budget.check_total(expanded, bytes);
}

}  // namespace basalt::records
