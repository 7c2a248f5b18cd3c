#include "basalt/records/record_service.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/records/bulk_creates.hpp"
#include "basalt/records/cascade.hpp"
#include "basalt/records/expand.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/records/service_support.hpp"
#include "basalt/records/upload_staging.hpp"
#include "basalt/records/write_operation.hpp"
#include "basalt/schema/datetime.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

// Lets the other coroutines queued on this thread's executor run before going on.
boost::asio::awaitable<void> give_turn() {
  co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
}

void refuse_superuser_only_references(const Caller& caller, const ListOptions& options) {
  if (caller.is_superuser()) return;
  for (const std::string* text : {&options.filter, &options.sort}) {
    if (auto reference = query::superuser_only_reference(*text)) {
      throw core::ApiError::forbidden("Only superusers can filter by " + std::string(*reference));
    }
  }
}

// The page statement and its COUNT, from the rule, filter and sort plans (any may be absent).
struct ListStatements {
  Statement select;  // without LIMIT/OFFSET; next placeholder in `next`
  Statement count;
  std::size_t next = 1;
};

ListStatements list_statements(const Access& access, const schema::Collection& collection,
                               std::span<const query::PlanPtr> filters, const query::PlanPtr& sort,
                               const query::RequestInfo& request) {
  const db::Dialect& dialect = access.dialect();
  ListStatements out;
  const query::Plan* table_plan = !filters.empty() ? filters.front().get() : sort.get();
  if (!table_plan) {
    const std::string table = dialect.quote_identifier(collection.name);
    out.select.sql = "SELECT " + qualified_columns(collection, dialect, table) + " FROM " + table;
    out.count.sql = "SELECT COUNT(*) FROM " + table;
    return out;
  }
  query::QueryBuilder builder(dialect, *table_plan);
  for (const auto& plan : filters) builder.add_filter(*plan, request, access.now());
  if (sort) builder.add_sort(*sort, request, access.now());
  query::CompiledQuery compiled = std::move(builder).finish();
  out.select.sql = compiled.select_sql(qualified_columns(collection, dialect, compiled.table));
  out.select.params = compiled.params;
  // Views have no rowid: they are counted by id.
  const std::string count_column =
      collection.is_view() ? compiled.table + "." + dialect.quote_identifier(schema::kFieldId)
                           : std::string();
  out.count.sql = compiled.count_sql(count_column);
  out.count.params = compiled.count_params();
  out.next = compiled.next_placeholder;
  return out;
}

}  // namespace

RecordService::RecordService(db::Database& database, collections::CollectionService& collections,
                             query::PlanCache& plans, const PasswordPort& passwords,
                             EventBus& events, const core::Clock& clock,
                             std::chrono::milliseconds user_budget, ExpandLimits expand_limits)
    : database_(database),
      collections_(collections),
      plans_(plans),
      passwords_(passwords),
      events_(events),
      clock_(clock),
      user_budget_(user_budget),
      expand_limits_(expand_limits) {}

boost::asio::awaitable<RecordPage> RecordService::list(const Caller& caller,
                                                       std::string_view collection_name,
                                                       ListOptions options,
                                                       query::RequestInfo request) {
  RecordPage page;
  page.catalog = collections_.catalog();
  const schema::Collection& collection = support::find_collection(*page.catalog, collection_name);
  support::require_unlocked(caller, collection.list_rule);
  refuse_superuser_only_references(caller, options);

  Access access(*page.catalog, caller, plans_, database_.dialect(), clock_.now(), user_budget_);
  request.auth = access.auth_info();
  std::vector<query::PlanPtr> filters =
      support::rule_conditions(access, collection, collection.list_rule);
  query::PlanPtr client_filter;
  if (!options.filter.empty()) client_filter = access.client_filter(collection, options.filter);
  query::PlanPtr sort;
  if (!options.sort.empty()) sort = access.client_sort(collection, options.sort);
  support::refuse_expensive(caller, *page.catalog, client_filter, sort);
  if (client_filter) filters.push_back(std::move(client_filter));
  const ExpandTree expand = parse_expand(options.expand);

  page.page = std::clamp<std::int64_t>(options.page <= 0 ? 1 : options.page, 1, kMaxPage);
  page.per_page = options.per_page <= 0 ? kDefaultPerPage : std::min(options.per_page, kMaxPerPage);
  ListStatements statements = list_statements(access, collection, filters, sort, request);
  const db::Dialect& dialect = database_.dialect();
  statements.select.sql += " LIMIT " + dialect.placeholder(statements.next) + " OFFSET " +
                           dialect.placeholder(statements.next + 1);
  const std::int64_t offset = (page.page - 1) * page.per_page;
  statements.select.params.emplace_back(page.per_page);
  statements.select.params.emplace_back(offset);

  db::ResultSet rows =
      co_await database_.query(statements.select.sql, statements.select.params, access.scan_read());
  page.items.reserve(rows.size());
  for (auto row : rows)
    page.items.push_back(Record{&collection, decode_row(collection, row), {}, false});

  if (!options.skip_total) {
    const auto count = static_cast<std::int64_t>(page.items.size());
    if (count < page.per_page && (count > 0 || page.page == 1)) {
      // A page that is not full is the last one: its items end the list, no COUNT needed.
      page.total_items = offset + count;
    } else {
      // A total counted before is reused while no commit wrote a table the COUNT reads.
      auto cached = counts_.find(statements.count.sql, statements.count.params, database_);
      if (const auto* total = std::get_if<std::int64_t>(&cached)) {
        page.total_items = *total;
      } else {
        db::ResultSet counted = co_await database_.query(
            statements.count.sql, statements.count.params, access.scan_read());
        page.total_items = counted[0].as_int(0);
        counts_.store(std::move(std::get<CountCache::Pending>(cached)), page.total_items);
      }
    }
    page.total_pages = (page.total_items + page.per_page - 1) / page.per_page;
  }
  co_await expand_records(database_, access, request, expand, expand_limits_, page.items);
  co_await support::resolve_email_visibility(database_, access, request, page.items);
  if (hooks_ && !caller.script && hooks_->wants(HookEvent::kAfterList, collection.name))
    co_await hooks_->after_read(HookEvent::kAfterList, caller, collection, page.items);
  co_return page;
}

boost::asio::awaitable<RecordResult> RecordService::view(const Caller& caller,
                                                         std::string_view collection_name,
                                                         std::string_view id, std::string expand,
                                                         query::RequestInfo request) {
  RecordResult result;
  result.catalog = collections_.catalog();
  const schema::Collection& collection = support::find_collection(*result.catalog, collection_name);
  support::require_unlocked(caller, collection.view_rule);
  Access access(*result.catalog, caller, plans_, database_.dialect(), clock_.now(), user_budget_);
  request.auth = access.auth_info();
  const ExpandTree tree = parse_expand(expand);
  std::vector<query::PlanPtr> conditions =
      support::rule_conditions(access, collection, collection.view_rule);
  const std::string wanted(id);
  Statement statement =
      select_by_ids(access, collection, conditions, request, std::span(&wanted, 1));
  statement.sql += " LIMIT 1";
  db::ResultSet rows =
      co_await database_.query(statement.sql, statement.params, access.point_read());
  if (rows.empty()) throw core::ApiError::not_found();
  // Not an initializer list: its elements are copied, the whole record with them.
  std::vector<Record> records;
  records.push_back(Record{&collection, decode_row(collection, rows[0]), {}, false});
  co_await expand_records(database_, access, request, tree, expand_limits_, records);
  co_await support::resolve_email_visibility(database_, access, request, records);
  if (hooks_ && !caller.script && hooks_->wants(HookEvent::kAfterView, collection.name))
    co_await hooks_->after_read(HookEvent::kAfterView, caller, collection, records);
  result.record = std::move(records.front());
  co_return result;
}

boost::asio::awaitable<RecordResult> RecordService::write_one(const Caller& caller, WriteKind kind,
                                                              std::string_view collection,
                                                              std::string id, WriteInput input,
                                                              query::RequestInfo request) {
  const WriteParts parts{database_, plans_, passwords_, events_, expand_limits_,
                         clock_,    files_, outbox_,    hooks_};
  WriteOperation operation(parts, caller, collections_.catalog(), kind, collection, std::move(id),
                           std::move(input), std::move(request));
  co_await operation.prepare();
  // A failed job leaves nothing: the files prepare() stored are removed before the error goes
  // on (not inside the catch block: a handler cannot co_await).
  std::exception_ptr failure;
  try {
    co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      co_await operation.execute(tx);
    });
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    co_await operation.discard();
    std::rethrow_exception(failure);
  }
  co_return co_await operation.finish();
}

boost::asio::awaitable<RecordResult> RecordService::create(const Caller& caller,
                                                           std::string_view collection,
                                                           WriteInput input,
                                                           query::RequestInfo request) {
  // Named arguments, not temporaries: GCC 12 may destroy temporaries of a co_await
  // full-expression twice.
  std::string no_id;
  co_return co_await write_one(caller, WriteKind::kCreate, collection, std::move(no_id),
                               std::move(input), std::move(request));
}

boost::asio::awaitable<RecordResult> RecordService::update(const Caller& caller,
                                                           std::string_view collection,
                                                           std::string_view id, WriteInput input,
                                                           query::RequestInfo request) {
  std::string record_id(id);
  co_return co_await write_one(caller, WriteKind::kUpdate, collection, std::move(record_id),
                               std::move(input), std::move(request));
}

boost::asio::awaitable<void> RecordService::remove(const Caller& caller,
                                                   std::string_view collection, std::string_view id,
                                                   query::RequestInfo request) {
  std::string record_id(id);
  WriteInput no_input;
  co_await write_one(caller, WriteKind::kDelete, collection, std::move(record_id),
                     std::move(no_input), std::move(request));
}

boost::asio::awaitable<void> RecordService::truncate(const Caller& caller,
                                                     std::string_view collection_name) {
  if (!caller.is_superuser()) {
    throw caller.is_guest()
        ? core::ApiError::unauthorized("The request requires valid record authorization token.")
        : core::ApiError::forbidden("The authorized record is not allowed to perform this action.");
  }
  auto catalog = collections_.catalog();
  const schema::Collection& collection = support::find_collection(*catalog, collection_name);
  support::require_writable(collection);
  std::vector<RecordEvent> events;
  const std::string now = schema::format_datetime(clock_.now());
  const db::Dialect& dialect = database_.dialect();
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    events.clear();
    db::ResultSet rows = co_await tx.query(select_sql(collection, dialect));
    for (auto row : rows) {
      // A cascade may already have taken this record with an earlier one.
      json::object values = decode_row(collection, row);
      const std::string select_one = "SELECT 1 FROM " + dialect.quote_identifier(collection.name) +
                                     " WHERE " + dialect.quote_identifier(schema::kFieldId) +
                                     " = " + dialect.placeholder(1);
      std::string id(values.at(schema::kFieldId).get_string());
      db::ResultSet still = co_await tx.query(select_one, id);
      if (still.empty()) continue;
      co_await delete_with_cascades(tx, *catalog, dialect, now, collection, std::move(values),
                                    events);
    }
  };
  bool blocked = false;
  const db::WriteJob outboxed = support::with_outbox(outbox_, events, job);
  try {
    co_await database_.write(outboxed);
  } catch (const core::ApiError& error) {
    if (error.message() != kRequiredReferenceMessage) throw;
    blocked = true;  // a required reference refused one of the deletes; nothing was deleted
  }
  if (blocked) {
    throw core::ApiError::bad_request(
        "Failed to truncate collection (most likely due to required cascade delete record "
        "references).");
  }
  if (files_) {
    std::vector<std::string> no_keys;
    std::vector<std::string> dirs = deleted_record_dirs(*catalog, events);
    co_await files_->remove(std::move(no_keys), std::move(dirs));
  }
  support::publish_all(events_, events);
}

boost::asio::awaitable<std::vector<BatchOutcome>> RecordService::batch(
    const Caller& caller, std::vector<BatchOperation> operations,
    std::chrono::milliseconds timeout) {
  const auto deadline = clock_.steady_now() + timeout;
  const WriteParts parts{database_, plans_, passwords_, events_, expand_limits_,
                         clock_,    files_, outbox_,    hooks_};
  auto catalog = collections_.catalog();
  // Plain creates take the bulk path (bulk_creates.hpp; never a collection with file fields);
  // every other sub-request is a WriteOperation. Both run in request order in the one write job.
  BulkCreates bulk(parts, caller, catalog, operations.size());
  std::vector<std::unique_ptr<WriteOperation>> prepared(operations.size());
  // Any failure from here to the commit discards the files the prepared operations stored
  // (not inside a catch block: a handler cannot co_await).
  std::exception_ptr failure;
  for (std::size_t i = 0; i < operations.size() && !failure; ++i) {
    if (i > 0 && i % kOperationsPerTurn == 0) co_await give_turn();
    BatchOperation& op = operations[i];
    try {
      // A collection with create hooks takes the one-by-one path, which runs them.
      const bool hooked = hooks_ && !caller.script &&
                          (hooks_->wants(HookEvent::kBeforeCreate, op.collection) ||
                           hooks_->wants(HookEvent::kAfterCreate, op.collection));
      if (!op.caller && !hooked && bulk.accepts(op)) {
        co_await bulk.add(i, op);
        continue;
      }
      const Caller& op_caller = op.caller ? *op.caller : caller;
      prepared[i] = std::make_unique<WriteOperation>(parts, op_caller, catalog, op.kind,
                                                     op.collection, std::move(op.id),
                                                     std::move(op.input), std::move(op.request));
      // Kept even when prepare() fails: it may have stored files before the error.
      co_await prepared[i]->prepare();
    } catch (const core::ApiError& error) {
      failure = std::make_exception_ptr(BatchError(i, error));
    } catch (...) {
      failure = std::current_exception();
    }
  }
  if (!failure) {
    try {
      bulk.plan();
      const auto before_each = [&](std::size_t i) {
        if (clock_.steady_now() > deadline) {
          throw BatchError(i, core::ApiError::bad_request("Batch transaction timeout."));
        }
      };
      const db::WriteJob job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
        const std::function<void(std::size_t)> check_deadline = before_each;
        for (std::size_t i = 0; i < prepared.size();) {
          if (bulk.starts_run(i)) {
            i = co_await bulk.execute_run(tx, i, check_deadline);
            continue;
          }
          before_each(i);
          try {
            co_await prepared[i]->execute(tx);
          } catch (const core::ApiError& error) {
            throw BatchError(i, error);
          }
          ++i;
        }
      };
      // A failed multi-row INSERT fails the whole job; the job runs again with a statement per
      // create, where the failing one reports its error (or, should a concurrent write have
      // removed the conflict meanwhile, the batch succeeds then).
      bool rows_failed = false;
      try {
        co_await database_.write(job);
      } catch (const BulkCreates::RowsFailed&) {
        rows_failed = true;
      }
      if (rows_failed) {
        bulk.insert_one_by_one();
        co_await database_.write(job);
      }
    } catch (...) {
      failure = std::current_exception();
    }
  }
  if (failure) {
    for (auto& operation : prepared) {
      if (operation) co_await operation->discard();
    }
    std::rethrow_exception(failure);
  }
  std::vector<BatchOutcome> outcomes;
  outcomes.reserve(prepared.size());
  for (std::size_t i = 0; i < prepared.size(); ++i) {
    if (i > 0 && i % kOperationsPerTurn == 0) co_await give_turn();
    if (bulk.has(i)) {
      outcomes.push_back(bulk.finish(i));
      continue;
    }
    const bool deleted = prepared[i]->kind() == WriteKind::kDelete;
    RecordResult result = co_await prepared[i]->finish();
    outcomes.push_back(BatchOutcome{deleted ? 204 : 200, std::move(result)});
  }
  co_return outcomes;
}

}  // namespace basalt::records
