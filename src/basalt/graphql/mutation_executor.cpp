// The mutation root fields, planned, written as one batch and read back (mutation_executor.hpp).
#include "basalt/graphql/mutation_executor.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/json.hpp>
#include <optional>
#include <utility>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/graphql/field_failure.hpp"
#include "basalt/graphql/mutation_input.hpp"
#include "basalt/graphql/nested_insert.hpp"
#include "basalt/graphql/nested_update.hpp"
#include "basalt/graphql/record_statement.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/records/cascade.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;
using schema::Collection;

// One root field of the operation and what it writes.
struct PlannedField {
  const FieldGroup* group = nullptr;
  MutationBinding binding;
  json::object args;
  std::size_t first = 0;               // its first operation in the batch
  std::size_t count = 0;               // its operations (an insert's nested creates included)
  std::vector<std::size_t> top_level;  // an insert's own creates (not the nested ones)
  // The records it writes: known before the batch for updates and deletes, taken from the
  // batch's outcomes for inserts.
  std::vector<std::string> ids;
  std::optional<std::string> answer;  // a delete's answer, read before the batch
};

// The record service's message for a create whose rule does not hold.
constexpr std::string_view kCreateRuleRefused = "Failed to create record.";

std::string too_many_writes_message() {
  return "A mutation request writes at most " + std::to_string(kMaxMutationWrites) + " records.";
}

// How many more writes the request may add.
std::size_t room_for_writes(const std::vector<records::BatchOperation>& operations) {
  if (operations.size() >= kMaxMutationWrites) {
    throw FieldFailure(ErrorCode::kLimitExceeded, too_many_writes_message());
  }
  return kMaxMutationWrites - operations.size();
}

bool answers_a_record(MutationKind kind) {
  return kind == MutationKind::kInsertOne || kind == MutationKind::kUpdateByPk ||
         kind == MutationKind::kDeleteByPk;
}

std::string string_argument(const json::object& args, const char* name) {
  const json::value* value = args.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

// The GraphQL error of a write the record service refused (docs/graphql.md, "Errors").
Error error_of(const core::ApiError& e) {
  Error out;
  out.message = e.message();
  switch (e.status()) {
    case 400: {
      out.code = ErrorCode::kValidationFailed;
      if (e.message() == records::kRequiredReferenceMessage) {
        out.code = ErrorCode::kConstraintViolation;
      }
      // A createRule that does not hold is REST's 400 without field data (docs/records.md,
      // "Rules and statuses"); over GraphQL it is what it means: the caller may not.
      if (e.data().empty() && e.message() == kCreateRuleRefused) {
        out.code = ErrorCode::kPermissionDenied;
      }
      for (const auto& [field, detail] : e.data()) {
        const json::object* entry = detail.if_object();
        const json::value* code = entry != nullptr ? entry->if_contains("code") : nullptr;
        if (code != nullptr && code->is_string() && code->get_string() == "validation_not_unique") {
          out.code = ErrorCode::kConstraintViolation;
        }
      }
      break;
    }
    case 401:
    case 403:
      out.code = ErrorCode::kPermissionDenied;
      break;
    case 404:
      out.code = ErrorCode::kNotFound;
      break;
    default:
      out.code = ErrorCode::kInternal;
      out.message = "Internal error.";
      return out;
  }
  if (!e.data().empty()) out.data_json = json::serialize(e.data());
  return out;
}

class MutationRun {
 public:
  explicit MutationRun(const MutationContext& context)
      : ctx_(context), superuser_(context.access.caller().is_superuser()) {}

  boost::asio::awaitable<MutationAnswer> run(const std::vector<FieldGroup>& groups) {
    MutationAnswer answer;
    std::vector<PlannedField> fields;
    std::vector<records::BatchOperation> operations;
    // 1. Plan every root field; the first that fails stops the request before any write.
    for (const FieldGroup& group : groups) {
      if (group.field_name == "__typename") continue;
      PlannedField field;
      field.group = &group;
      field.binding = ctx_.generated.mutations.at(std::string(group.field_name));
      bool planned = false;
      try {
        co_await plan(field, operations);
        planned = true;
      } catch (const FieldFailure& e) {
        answer.errors.push_back(field_error(group, Error{e.code(), e.what(), {}, {}}));
      } catch (const core::ApiError& e) {
        answer.errors.push_back(field_error(group, error_of(e)));
      } catch (const std::exception& e) {
        answer.errors.push_back(field_error(group, internal_error(group, e)));
      }
      if (!planned) {
        answer.data = null_data(groups);
        co_return answer;
      }
      fields.push_back(std::move(field));
    }
    // Every file of the request must be some record's: one left over (mapped to a place that
    // is no file field) fails the request before anything is written.
    if (ctx_.uploads != nullptr) {
      if (const std::optional<std::string> left = ctx_.uploads->first_untaken()) {
        answer.errors.push_back(field_error(
            fields.empty() ? groups.front() : *fields.front().group,
            Error{ErrorCode::kValidationFailed,
                  "The file \"" + *left +
                      "\" is not the value of a file field of a record this mutation writes.",
                  {},
                  {}}));
        answer.data = null_data(groups);
        co_return answer;
      }
    }
    // 2. Write, all root fields in one transaction.
    std::vector<records::BatchOutcome> outcomes;
    if (!operations.empty()) {
      std::vector<records::BatchOperation> batch = std::move(operations);
      const records::Caller& caller = ctx_.access.caller();
      const std::chrono::milliseconds timeout = ctx_.timeout;
      bool written = false;
      try {
        outcomes = co_await ctx_.records.batch(caller, std::move(batch), timeout);
        written = true;
      } catch (const records::BatchError& e) {
        // The root field whose operation failed (the last one when the batch names none).
        const PlannedField* failed = &fields.back();
        for (const PlannedField& field : fields) {
          if (e.index() >= field.first && e.index() < field.first + field.count) failed = &field;
        }
        answer.errors.push_back(field_error(*failed->group, error_of(e.error())));
      } catch (const std::exception& e) {
        // Not a refusal of one operation (the database failed): nothing was written either.
        answer.errors.push_back(
            field_error(*fields.front().group, internal_error(*fields.front().group, e)));
      }
      if (!written) {
        answer.data = null_data(groups);
        co_return answer;
      }
    }
    // 3. Answer each root field from what was written.
    std::vector<std::pair<const FieldGroup*, std::string>> values;
    for (PlannedField& field : fields) {
      if (field.binding.kind == MutationKind::kInsert ||
          field.binding.kind == MutationKind::kInsertOne) {
        for (const std::size_t i : field.top_level) {
          const json::value* id = outcomes[i].result.record.values.if_contains("id");
          if (id != nullptr && id->is_string()) field.ids.emplace_back(id->get_string());
        }
      }
      std::string value = "null";
      try {
        if (field.answer) {
          value = std::move(*field.answer);
        } else {
          value = co_await answer_of(field);
        }
      } catch (const FieldFailure& e) {
        answer.errors.push_back(field_error(*field.group, Error{e.code(), e.what(), {}, {}}));
      } catch (const core::ApiError& e) {
        answer.errors.push_back(field_error(*field.group, error_of(e)));
      } catch (const std::exception& e) {
        answer.errors.push_back(field_error(*field.group, internal_error(*field.group, e)));
      }
      values.emplace_back(field.group, std::move(value));
    }
    answer.data = "{";
    std::size_t next = 0;
    for (const FieldGroup& group : groups) {
      if (answer.data.size() > 1) answer.data += ',';
      answer.data += json::serialize(json::string(group.response_name)) + ":";
      if (group.field_name == "__typename") {
        answer.data += "\"Mutation\"";
      } else {
        answer.data += values[next++].second;
      }
    }
    answer.data += "}";
    co_return answer;
  }

 private:
  // The operations of one root field, appended to `operations`.
  boost::asio::awaitable<void> plan(PlannedField& field,
                                    std::vector<records::BatchOperation>& operations) {
    const Collection& c = *field.binding.collection;
    field.args = ctx_.scope.arguments(*field.group);
    field.first = operations.size();
    const auto add = [&](records::WriteKind kind, std::string id, json::object body,
                         const char* method) {
      add_operation(operations, c, kind, std::move(id), std::move(body), method);
    };
    switch (field.binding.kind) {
      case MutationKind::kInsert:
      case MutationKind::kInsertOne: {
        // Each object's nested records first, then the object itself (nested_insert.hpp).
        json::array objects;
        if (const json::value* many = field.args.if_contains("objects"); many && many->is_array()) {
          objects = many->get_array();
        } else if (const json::value* one = field.args.if_contains("object"); one) {
          objects.push_back(*one);
        }
        for (const json::value& object : objects) {
          if (!object.is_object()) continue;
          std::vector<PlannedCreate> creates;
          const std::size_t room = room_for_writes(operations);
          const std::size_t own =
              plan_nested_creates(*ctx_.generated.catalog, c, object.get_object(), room, creates);
          const std::size_t first = operations.size();
          for (PlannedCreate& create : creates) {
            add_create(operations, *create.collection, std::move(create.body));
          }
          field.top_level.push_back(first + own);
        }
        break;
      }
      case MutationKind::kUpdateByPk: {
        field.ids.push_back(string_argument(field.args, "id"));
        const std::size_t top = 0;
        co_await plan_updates(c, field.ids, field.args, operations, top);
        break;
      }
      case MutationKind::kDeleteByPk:
        field.ids.push_back(string_argument(field.args, "id"));
        add(records::WriteKind::kDelete, field.ids.back(), {}, "DELETE");
        break;
      case MutationKind::kUpdate: {
        std::vector<RelatedUpdate> related;  // planned again with the ids, in plan_updates
        const json::object own =
            split_related_updates(*ctx_.generated.catalog, c, field.args, related);
        const json::object rule_body = update_selection_body(own);
        const schema::Rule& rule = c.update_rule;
        const std::size_t room = room_for_writes(operations);
        field.ids = co_await select_targets(c, rule, field.args, rule_body, "PATCH", room);
        const std::size_t top = 0;
        co_await plan_updates(c, field.ids, field.args, operations, top);
        break;
      }
      case MutationKind::kDelete: {
        const json::object no_body;
        const schema::Rule& rule = c.delete_rule;
        const std::size_t room = room_for_writes(operations);
        field.ids = co_await select_targets(c, rule, field.args, no_body, "DELETE", room);
        for (const std::string& id : field.ids) add(records::WriteKind::kDelete, id, {}, "DELETE");
        break;
      }
    }
    field.count = operations.size() - field.first;
    if (field.binding.kind == MutationKind::kDelete ||
        field.binding.kind == MutationKind::kDeleteByPk) {
      // Read now: after the batch the records are gone.
      field.answer = co_await answer_of(field);
    } else {
      // Compiled with stand-in ids, so a selection that cannot be answered fails before the
      // write rather than after it.
      const std::size_t written = field.top_level.empty() ? field.count : field.top_level.size();
      const std::vector<std::string> stand_ins(std::max<std::size_t>(written, 1), "");
      check_read_back(field, stand_ins);
    }
  }

  void add_operation(std::vector<records::BatchOperation>& operations, const Collection& c,
                     records::WriteKind kind, std::string id, json::object body,
                     const char* method) const {
    if (operations.size() >= kMaxMutationWrites) {
      throw FieldFailure(ErrorCode::kLimitExceeded, too_many_writes_message());
    }
    records::BatchOperation op;
    op.kind = kind;
    op.collection = c.name;
    op.id = std::move(id);
    op.input.body = std::move(body);
    if (ctx_.uploads != nullptr) ctx_.uploads->take_from_body(c, op.input.body, op.input.uploads);
    op.request = ctx_.request;
    op.request.method = method;
    operations.push_back(std::move(op));
  }

  void add_create(std::vector<records::BatchOperation>& operations, const Collection& c,
                  json::object body) const {
    add_operation(operations, c, records::WriteKind::kCreate, "", std::move(body), "POST");
  }

  // The updates of `ids` of `c` from `args` (`_set`, `_inc`), then those of the related records
  // its `_set` asks for (nested_update.hpp), at most kMaxNestedInsertDepth levels down.
  boost::asio::awaitable<void> plan_updates(const Collection& c,
                                            const std::vector<std::string>& ids,
                                            const json::object& args,
                                            std::vector<records::BatchOperation>& operations,
                                            std::size_t depth) {
    std::vector<RelatedUpdate> related;
    const json::object own = split_related_updates(*ctx_.generated.catalog, c, args, related);
    const json::object body = update_body(own);
    for (const std::string& id : ids) {
      add_operation(operations, c, records::WriteKind::kUpdate, id, body, "PATCH");
    }
    if (!related.empty() && depth >= kMaxNestedInsertDepth) {
      throw FieldFailure(ErrorCode::kLimitExceeded, "Nested updates go at most " +
                                                        std::to_string(kMaxNestedInsertDepth) +
                                                        " relations deep.");
    }
    for (const RelatedUpdate& update : related) {
      std::vector<std::string> targets;
      if (update.ids) {
        targets = *update.ids;
      } else if (!ids.empty()) {
        const schema::Field& field = *update.field;
        targets = co_await stored_relation_ids(c, field, ids);
      }
      std::vector<std::string> unique;
      for (std::string& id : targets) {
        if (!id.empty() && std::find(unique.begin(), unique.end(), id) == unique.end()) {
          unique.push_back(std::move(id));
        }
      }
      const std::size_t deeper = depth + 1;
      co_await plan_updates(*update.target, unique, update.args, operations, deeper);
    }
  }

  // The ids relation `field` of the records `ids` of `c` holds now (no rule: the records are
  // being updated under theirs, and each related update checks its own).
  boost::asio::awaitable<std::vector<std::string>> stored_relation_ids(
      const Collection& c, const schema::Field& field, const std::vector<std::string>& ids) {
    const db::Dialect& dialect = ctx_.access.dialect();
    const std::string table = dialect.quote_identifier(c.name);
    std::string sql = "SELECT " + table + "." + dialect.quote_identifier(field.name) + " FROM " +
                      table + " WHERE " + table + "." + dialect.quote_identifier("id") + " IN (";
    db::Params params;
    for (const std::string& id : ids) {
      params.emplace_back(id);
      sql += (params.size() > 1 ? ", " : "") + dialect.placeholder(params.size());
    }
    sql += ")";
    const db::ReadOptions read = ctx_.access.point_read();
    db::ResultSet rows = co_await ctx_.database.query(sql, params, read);
    std::vector<std::string> out;
    for (auto row : rows) {
      if (row.is_null(0)) continue;
      const std::string_view text = row.as_text(0);
      if (!field.is_multiple()) {
        out.emplace_back(text);
        continue;
      }
      boost::system::error_code ec;
      const json::value parsed = json::parse(text, ec);
      if (ec || !parsed.is_array()) continue;
      for (const json::value& id : parsed.get_array()) {
        if (id.is_string()) out.emplace_back(id.get_string());
      }
    }
    co_return out;
  }

  // The ids of the records of `c` that `where` selects and `rule` admits (null: superusers
  // only), at most the list limit.
  boost::asio::awaitable<std::vector<std::string>> select_targets(
      const Collection& c, const schema::Rule& rule, const json::object& args,
      const json::object& body, const char* method, std::size_t room) {
    const records::Access& access = ctx_.access;
    const db::Dialect& dialect = access.dialect();
    query::RequestInfo info = ctx_.request;
    info.body = body;
    info.method = method;
    std::vector<query::PlanPtr> plans;
    if (!superuser_) {
      if (!rule) {
        throw FieldFailure(ErrorCode::kPermissionDenied,
                           "Only superusers can perform this action on \"" + c.name + "\".");
      }
      if (!rule->empty()) plans.push_back(access.rule(c, *rule));
    }
    if (query::PlanPtr where = compile_where_argument(access, c, args)) plans.push_back(where);
    std::string sql;
    db::Params params;
    std::size_t next = 1;
    if (plans.empty()) {
      const std::string table = dialect.quote_identifier(c.name);
      sql = "SELECT " + table + "." + dialect.quote_identifier("id") + " FROM " + table;
    } else {
      query::QueryBuilder builder(dialect, *plans.front(), next);
      for (const query::PlanPtr& plan : plans) builder.add_filter(*plan, info, access.now());
      query::CompiledQuery compiled = std::move(builder).finish();
      sql = compiled.select_sql(compiled.table + "." + dialect.quote_identifier("id"));
      params = std::move(compiled.params);
      next = compiled.next_placeholder;
    }
    // Reads one record past the smaller bound, to tell that it was crossed.
    const auto list_limit =
        static_cast<std::size_t>(std::max<std::int64_t>(ctx_.max_list_limit, 0));
    const std::size_t limit = std::min(list_limit, room);
    sql += " LIMIT " + dialect.placeholder(next);
    params.emplace_back(static_cast<std::int64_t>(limit + 1));
    const db::ReadOptions read = access.scan_read();
    db::ResultSet rows = co_await ctx_.database.query(sql, params, read);
    if (rows.size() > limit) {
      throw FieldFailure(ErrorCode::kLimitExceeded,
                         limit == list_limit
                             ? "The where argument selects more than " +
                                   std::to_string(list_limit) +
                                   " records; a mutation writes at most that many per root field."
                             : too_many_writes_message());
    }
    std::vector<std::string> ids;
    ids.reserve(rows.size());
    for (auto row : rows) ids.emplace_back(row.as_text(0));
    co_return ids;
  }

  // The selections that read records back: the root field itself for `_one` / `_by_pk`, each
  // `returning` of a mutation response.
  std::vector<FieldGroup> read_back_groups(const PlannedField& field) const {
    if (answers_a_record(field.binding.kind)) return {*field.group};
    const Collection& c = *field.binding.collection;
    const TypeDef* response = ctx_.generated.schema.find_type(c.name + "_mutation_response");
    std::vector<FieldGroup> out;
    for (FieldGroup& sub : ctx_.scope.collect_sub(*response, *field.group)) {
      if (sub.field_name == "returning") out.push_back(std::move(sub));
    }
    return out;
  }

  // Whether the caller reads back records of `c` at all: a viewRule of null shows them to
  // superusers only.
  bool can_read_back(const Collection& c) const { return superuser_ || c.view_rule.has_value(); }

  void check_read_back(const PlannedField& field, const std::vector<std::string>& ids) const {
    const Collection& c = *field.binding.collection;
    if (!can_read_back(c)) return;
    for (const FieldGroup& group : read_back_groups(field)) {
      compile_records_by_ids(ctx_.generated, ctx_.scope, ctx_.access, ctx_.request, group, c, ids,
                             ctx_.max_list_limit);
    }
  }

  // `[record, …]` of `ids` as `group` selects them, the ones the caller may view.
  boost::asio::awaitable<std::string> records_json(const Collection& c, const FieldGroup& group,
                                                   const std::vector<std::string>& ids) {
    if (ids.empty() || !can_read_back(c)) co_return "[]";
    const RootStatement compiled = compile_records_by_ids(
        ctx_.generated, ctx_.scope, ctx_.access, ctx_.request, group, c, ids, ctx_.max_list_limit);
    const db::ReadOptions read = ctx_.access.scan_read();
    db::ResultSet rows =
        co_await ctx_.database.query(compiled.statement.sql, compiled.statement.params, read);
    std::string out = "[";
    for (auto row : rows) {
      if (out.size() > 1) out += ',';
      out += row.as_text(0);
    }
    co_return out + "]";
  }

  // The root field's value: the record (or null), or `{affected_rows, returning}`.
  boost::asio::awaitable<std::string> answer_of(const PlannedField& field) {
    const Collection& c = *field.binding.collection;
    if (answers_a_record(field.binding.kind)) {
      std::string list = co_await records_json(c, *field.group, field.ids);
      co_return list == "[]" ? std::string("null") : list.substr(1, list.size() - 2);
    }
    const TypeDef* response = ctx_.generated.schema.find_type(c.name + "_mutation_response");
    std::string out = "{";
    for (const FieldGroup& sub : ctx_.scope.collect_sub(*response, *field.group)) {
      std::string value;
      if (sub.field_name == "__typename") {
        value = json::serialize(json::string(response->name));
      } else if (sub.field_name == "affected_rows") {
        value = std::to_string(field.count);
      } else {
        value = co_await records_json(c, sub, field.ids);
      }
      if (out.size() > 1) out += ',';
      out += json::serialize(json::string(sub.response_name)) + ":" + value;
    }
    co_return out + "}";
  }

  Error field_error(const FieldGroup& group, Error error) const {
    error.offsets = {group.fields.front()->offset};
    error.path = {std::string(group.response_name)};
    return error;
  }

  static Error internal_error(const FieldGroup& group, const std::exception& e) {
    spdlog::error("graphql: mutation field {} failed: {}", group.field_name, e.what());
    return Error{ErrorCode::kInternal, "Internal error.", {}, {}};
  }

  // Every root field null: nothing was written (`__typename` still answers).
  static std::string null_data(const std::vector<FieldGroup>& groups) {
    std::string out = "{";
    for (const FieldGroup& group : groups) {
      if (out.size() > 1) out += ',';
      out += json::serialize(json::string(group.response_name)) + ":" +
             (group.field_name == "__typename" ? "\"Mutation\"" : "null");
    }
    return out + "}";
  }

  const MutationContext& ctx_;
  bool superuser_;
};

}  // namespace

boost::asio::awaitable<MutationAnswer> run_mutation(const MutationContext& context,
                                                    const std::vector<FieldGroup>& groups) {
  MutationRun run(context);
  co_return co_await run.run(groups);
}

}  // namespace basalt::graphql
