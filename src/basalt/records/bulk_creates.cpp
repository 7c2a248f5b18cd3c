#include "basalt/records/bulk_creates.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "basalt/core/api_error.hpp"
#include "basalt/records/body_keys.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/records/relation_lookup.hpp"
#include "basalt/records/service_support.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/record_validator.hpp"

namespace basalt::records {
namespace {

constexpr std::string_view kCreateFailed = "Failed to create record.";
// Ids per existence statement: well below every backend's limit on bound parameters.
constexpr std::size_t kIdsPerStatement = 500;

// Validation's existence questions, noted and answered as a valid record needs: every related
// id exists, no id is taken. The job checks the notes against the database.
class NotingLookup final : public schema::RecordLookup {
 public:
  NotingLookup(std::vector<std::pair<std::string, std::string>>& related, bool& custom_id)
      : related_(related), custom_id_(custom_id) {}

  std::optional<std::size_t> count_existing(std::string_view collection_id,
                                            std::span<const std::string> ids) override {
    for (const std::string& id : ids) related_.emplace_back(std::string(collection_id), id);
    return ids.size();
  }

  bool id_exists(const schema::Collection&, std::string_view, bool ignore_case) override {
    // An exact comparison is the primary key's own: a taken id fails the INSERT. Only a
    // comparison ignoring case needs a statement.
    if (ignore_case) custom_id_ = true;
    return false;
  }

 private:
  std::vector<std::pair<std::string, std::string>>& related_;
  bool& custom_id_;
};

schema::AccessLevel level_of(const Caller& caller) {
  return caller.is_superuser() ? schema::AccessLevel::kSuperuser : schema::AccessLevel::kDefault;
}

std::string_view id_of(const boost::json::object& values) {
  const boost::json::value* id = values.if_contains(schema::kFieldId);
  return id && id->is_string() ? std::string_view(id->get_string()) : std::string_view();
}

}  // namespace

BulkCreates::BulkCreates(const WriteParts& parts, const Caller& caller,
                         std::shared_ptr<const collections::Catalog> catalog,
                         std::size_t operations)
    : parts_(parts),
      caller_(caller),
      catalog_(std::move(catalog)),
      access_(*catalog_, caller_, parts_.plans, parts_.database.dialect(), parts_.clock.now()),
      auth_(access_.auth_info()),
      batch_now_(schema::format_datetime(access_.now())),
      entry_of_(operations, -1),
      run_of_(operations, -1) {
  entries_.reserve(operations);
}

bool BulkCreates::accepts(const BatchOperation& op) const {
  if (op.kind != WriteKind::kCreate || !op.input.uploads.empty() || !op.input.expand.empty()) {
    return false;
  }
  const schema::Collection* collection = catalog_->find(op.collection);
  if (!collection || !collection->is_base()) return false;
  // Passwords are hashed on the blocking pool and files stored by the write path of file
  // fields: WriteOperation does both.
  return std::none_of(collection->fields.begin(), collection->fields.end(), [](const auto& field) {
    return field.type() == schema::FieldType::kPassword || field.type() == schema::FieldType::kFile;
  });
}

const BulkCreates::Group& BulkCreates::group_for(const schema::Collection& collection) {
  for (const auto& group : groups_) {
    if (group->collection == &collection) return *group;
  }
  auto group = std::make_unique<Group>();
  group->collection = &collection;
  group->conditions = support::rule_conditions(access_, collection, collection.create_rule);
  group->insert_sql = insert_sql(collection, access_.dialect());
  group->insert_rows_sql = insert_rows_sql(collection, access_.dialect(), kRowsPerInsert);
  groups_.push_back(std::move(group));
  return *groups_.back();
}

const std::string& BulkCreates::now_text() {
  const auto now = parts_.clock.now();
  const std::int64_t millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  if (millis != now_millis_) {
    now_millis_ = millis;
    now_text_ = schema::format_datetime(now);
  }
  return now_text_;
}

boost::asio::awaitable<void> BulkCreates::add(std::size_t index, BatchOperation& op) {
  const schema::Collection& collection = support::find_collection(*catalog_, op.collection);
  support::require_unlocked(caller_, collection.create_rule);
  const Group& group = group_for(collection);
  Entry entry;
  entry.index = index;
  entry.group = &group;
  entry.body = std::move(op.input.body);
  bool custom_id = false;
  NotingLookup lookup(entry.related, custom_id);
  const schema::RecordInput input{collection,        entry.body, nullptr,
                                  level_of(caller_), now_text(), &lookup};
  schema::RecordValidation checked = schema::validate_record(input);
  // As PocketBase: the rule comes before validation, so a caller it refuses learns nothing
  // from validation errors. Checked here on a read connection when validation fails, and in
  // the job, which is what counts.
  if (!group.conditions.empty()) {
    query::RequestInfo request = std::move(op.request);
    request.auth = auth_;
    request.body = rule_body(collection, entry.body, checked.record.values);
    Statement check = matches_virtual_row(access_, collection, *group.conditions.front(), request,
                                          checked.record.values, id_of(checked.record.values),
                                          "__basalt_new_record");
    if (!checked.errors.empty()) {
      db::ResultSet rows = co_await parts_.database.query(check.sql, check.params);
      if (rows.empty()) throw core::ApiError::bad_request(std::string(kCreateFailed));
    }
    entry.rule_check = std::move(check);
  }
  if (!checked.errors.empty()) throw checked.errors.to_api_error(std::string(kCreateFailed));
  entry.values = std::move(checked.record.values);
  entry.insert = insert_params(collection, entry.values);
  if (parts_.outbox && parts_.outbox->wants(collection.id, RecordAction::kCreate)) {
    // Serialized here, off the writer; an entry the outbox did not want is handed to the job
    // unserialized (append() decides there).
    OutboxRow row =
        unserialized_row(RecordAction::kCreate, collection.id, collection.name, entry.values);
    parts_.outbox->serialize(row);  // no pointer into `entry` is kept: entries_ may move
    entry.outbox_row = std::move(row);
  }
  if (custom_id) {
    const db::Dialect& dialect = access_.dialect();
    Statement check;
    check.sql = "SELECT 1 FROM " + dialect.quote_identifier(collection.name) + " WHERE " +
                dialect.equals_ignoring_case(dialect.quote_identifier(schema::kFieldId),
                                             dialect.placeholder(1)) +
                " LIMIT 1";
    check.params.emplace_back(std::string(id_of(entry.values)));
    entry.id_check = std::move(check);
  }
  entry_of_[index] = static_cast<std::ptrdiff_t>(entries_.size());
  entries_.push_back(std::move(entry));
}

void BulkCreates::plan() {
  runs_.clear();
  rows_.clear();
  std::fill(run_of_.begin(), run_of_.end(), -1);
  rows_at_.assign(entries_.size(), -1);
  const db::Dialect& dialect = access_.dialect();
  const std::string id_column = dialect.quote_identifier(schema::kFieldId);
  for (std::size_t first = 0; first < entries_.size();) {
    std::size_t end = first + 1;
    while (end < entries_.size() && entries_[end].index == entries_[end - 1].index + 1) ++end;
    Run run;
    run.first = first;
    run.end = end;
    std::map<std::string, std::set<std::string>, std::less<>> asked;
    for (std::size_t e = first; e < end; ++e) {
      for (const auto& [collection_id, id] : entries_[e].related) asked[collection_id].insert(id);
    }
    for (const auto& [collection_id, ids] : asked) {
      const schema::Collection* related = catalog_->find(collection_id);
      // A related collection that is gone: no statement; its records fail in the job, where
      // validation names the error.
      if (!related || related->id != collection_id) continue;
      const std::string prefix = "SELECT " + id_column + " FROM " +
                                 dialect.quote_identifier(related->name) + " WHERE " + id_column +
                                 " IN (";
      auto it = ids.begin();
      while (it != ids.end()) {
        Statement statement;
        statement.sql = prefix;
        for (std::size_t n = 0; n < kIdsPerStatement && it != ids.end(); ++n, ++it) {
          if (n > 0) statement.sql += ", ";
          statement.params.emplace_back(*it);
          statement.sql += dialect.placeholder(n + 1);
        }
        statement.sql += ")";
        run.existence.emplace_back(collection_id, std::move(statement));
      }
    }
    // Multi-row INSERTs: full sets of kRowsPerInsert consecutive entries of one collection
    // with no statement of their own before the INSERT; the rest are inserted one by one.
    for (std::size_t e = first; e < end;) {
      std::size_t last = e;
      while (last < end && last - e < kRowsPerInsert && entries_[last].group == entries_[e].group &&
             !entries_[last].rule_check && !entries_[last].id_check) {
        ++last;
      }
      if (last - e < kRowsPerInsert) {
        e = std::max(last, e + 1);
        continue;
      }
      Rows rows;
      rows.first = e;
      rows.params.reserve(kRowsPerInsert * entries_[e].insert.size());
      for (std::size_t k = e; k < last; ++k) {
        rows.params.insert(rows.params.end(), entries_[k].insert.begin(), entries_[k].insert.end());
      }
      rows_at_[e] = static_cast<std::ptrdiff_t>(rows_.size());
      rows_.push_back(std::move(rows));
      e = last;
    }
    run_of_[entries_[first].index] = static_cast<std::ptrdiff_t>(runs_.size());
    runs_.push_back(std::move(run));
    first = end;
  }
}

bool BulkCreates::starts_run(std::size_t index) const {
  return index < run_of_.size() && run_of_[index] >= 0;
}

boost::asio::awaitable<std::size_t> BulkCreates::execute_run(
    db::Transaction& tx, std::size_t index,
    const std::function<void(std::size_t)>& before_each) const {
  const Run& run = runs_.at(static_cast<std::size_t>(run_of_.at(index)));
  // The related records that exist when the run starts. A run only inserts, so they still
  // exist at each of its creates; an id missing here may still be a record an earlier create
  // of the run inserts, so the run notes the ids it inserts into those collections.
  IdSets found;
  IdSets inserted;
  for (const auto& [collection_id, statement] : run.existence) {
    db::ResultSet rows = co_await tx.query(statement.sql, statement.params);
    auto& ids = found[collection_id];
    for (auto row : rows) ids.emplace(row.as_text(0));
    if (rows.size() < statement.params.size()) inserted.try_emplace(collection_id);
  }
  for (std::size_t e = run.first; e < run.end;) {
    // Entries one by one up to `end`: a single entry, or a set of rows whose related records
    // are not all known (then each row on its own, so that the failing one names its error).
    std::size_t end = e + 1;
    if (rows_at_once_ && rows_at_[e] >= 0) {
      const Rows& rows = rows_[static_cast<std::size_t>(rows_at_[e])];
      end = e + kRowsPerInsert;
      for (std::size_t k = e; k < end; ++k) before_each(entries_[k].index);
      if (rows_as_noted(rows, found, inserted)) {
        bool failed = false;
        try {
          co_await tx.execute(entries_[e].group->insert_rows_sql, rows.params);
        } catch (const db::ConstraintError&) {
          failed = true;
        }
        // The rows before the failing one may be in: only a new job can tell which row it was.
        if (failed) throw RowsFailed();
        for (std::size_t k = e; k < end; ++k) note_inserted(entries_[k], inserted);
        e = end;
        continue;
      }
      // A related record the run has not seen: one by one, where the row names its error.
    }
    for (; e < end; ++e) {
      const Entry& entry = entries_[e];
      before_each(entry.index);
      try {
        co_await execute_entry(tx, entry, found, inserted);
      } catch (const core::ApiError& error) {
        throw BatchError(entry.index, error);
      }
    }
  }
  // The run's outbox rows commit with its records: add()'s serialized ones, and the others
  // unserialized (entries_ stays put during the job), which append() keeps only if wanted.
  if (parts_.outbox) {
    std::vector<OutboxRow> outbox_rows;
    outbox_rows.reserve(run.end - run.first);
    for (std::size_t e = run.first; e < run.end; ++e) {
      const Entry& entry = entries_[e];
      const schema::Collection& collection = *entry.group->collection;
      outbox_rows.push_back(entry.outbox_row
                                ? *entry.outbox_row
                                : unserialized_row(RecordAction::kCreate, collection.id,
                                                   collection.name, entry.values));
    }
    const std::span<const OutboxRow> rows(outbox_rows);
    co_await parts_.outbox->append(tx, rows);
  }
  co_return entries_[run.end - 1].index + 1;
}

bool BulkCreates::rows_as_noted(const Rows& rows, const IdSets& found,
                                const IdSets& inserted) const {
  for (std::size_t e = rows.first; e < rows.first + kRowsPerInsert; ++e) {
    for (const auto& reference : entries_[e].related) {
      // Named references, not a structured binding: clang 14 (the sanitizer tree) cannot capture
      // a binding in the lambda below.
      const auto& collection_id = reference.first;
      const auto& id = reference.second;
      const auto existing = found.find(collection_id);
      if (existing != found.end() && existing->second.contains(id)) continue;
      const auto created = inserted.find(collection_id);
      if (created != inserted.end() && created->second.contains(id)) continue;
      // An earlier row of the same statement.
      const bool earlier = std::any_of(
          entries_.begin() + static_cast<std::ptrdiff_t>(rows.first),
          entries_.begin() + static_cast<std::ptrdiff_t>(e), [&](const Entry& before) {
            return before.group->collection->id == collection_id && id_of(before.values) == id;
          });
      if (!earlier) return false;
    }
  }
  return true;
}

void BulkCreates::note_inserted(const Entry& entry, IdSets& inserted) const {
  if (const auto tracked = inserted.find(entry.group->collection->id); tracked != inserted.end()) {
    tracked->second.emplace(id_of(entry.values));
  }
}

boost::asio::awaitable<void> BulkCreates::execute_entry(db::Transaction& tx, const Entry& entry,
                                                        const IdSets& found,
                                                        IdSets& inserted) const {
  if (entry.rule_check) {
    db::ResultSet rows = co_await tx.query(entry.rule_check->sql, entry.rule_check->params);
    if (rows.empty()) throw core::ApiError::bad_request(std::string(kCreateFailed));
  }
  bool as_noted = true;
  for (const auto& [collection_id, id] : entry.related) {
    const auto existing = found.find(collection_id);
    if (existing != found.end() && existing->second.contains(id)) continue;
    const auto created = inserted.find(collection_id);
    if (created != inserted.end() && created->second.contains(id)) continue;
    as_noted = false;
    break;
  }
  if (as_noted && entry.id_check) {
    db::ResultSet rows = co_await tx.query(entry.id_check->sql, entry.id_check->params);
    as_noted = rows.empty();
  }
  // The database answered otherwise than add() assumed: validation with its answers names
  // the error (or finds the record valid after all).
  if (!as_noted) co_await validate_in_job(tx, entry, nullptr);
  std::optional<db::ConstraintError> broken;
  try {
    co_await tx.execute(entry.group->insert_sql, entry.insert);
  } catch (const db::ConstraintError& error) {
    broken = error;
  }
  // A taken id (the primary key) or another unique index: validation reports it as a single
  // create would; the constraint's own error otherwise. Never returns normally.
  if (broken) co_await validate_in_job(tx, entry, &*broken);
  note_inserted(entry, inserted);
}

boost::asio::awaitable<void> BulkCreates::validate_in_job(db::Transaction& tx, const Entry& entry,
                                                          const db::ConstraintError* broken) const {
  const schema::Collection& collection = *entry.group->collection;
  PrefetchedLookup lookup;
  // Errors do not depend on the autodate text, so the batch's own stands in for the record's.
  const schema::RecordInput input{collection,        entry.body, nullptr,
                                  level_of(caller_), batch_now_, &lookup};
  schema::validate_record(input);  // notes the questions
  co_await lookup.answer(tx, access_.dialect(), *catalog_);
  schema::RecordValidation checked = schema::validate_record(input);
  if (!checked.errors.empty()) throw checked.errors.to_api_error(std::string(kCreateFailed));
  if (broken) throw support::constraint_error(collection, *broken, std::string(kCreateFailed));
}

BatchOutcome BulkCreates::finish(std::size_t index) {
  Entry& entry = entries_.at(static_cast<std::size_t>(entry_of_.at(index)));
  const schema::Collection& collection = *entry.group->collection;
  // The values move into the event and on into the record: no copy per record.
  RecordEvent event{RecordAction::kCreate, collection.id, collection.name, std::move(entry.values)};
  parts_.events.publish(event);
  BatchOutcome outcome;
  outcome.result.catalog = catalog_;
  outcome.result.record = Record{&collection, std::move(event.record), {}, false};
  support::mark_owned(caller_, outcome.result.record);
  return outcome;
}

}  // namespace basalt::records
