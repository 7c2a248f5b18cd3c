#include "basalt/app/cluster_links.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/auth/database_rate_limiter.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::string_view kCommitTopic = "commit";
constexpr std::string_view kRecordTopic = "record";

std::optional<records::RecordAction> action_named(std::string_view name) {
  if (name == "create") return records::RecordAction::kCreate;
  if (name == "update") return records::RecordAction::kUpdate;
  if (name == "delete") return records::RecordAction::kDelete;
  return std::nullopt;
}

std::string_view string_field(const json::object& object, std::string_view key) {
  const json::value* found = object.if_contains(key);
  return found != nullptr && found->is_string() ? std::string_view(found->get_string())
                                                : std::string_view();
}

}  // namespace

ClusterLinks::ClusterLinks(ClusterParts parts) : parts_(std::move(parts)) {
  cluster::ClusterBus& bus = parts_.bus;
  bus.subscribe(std::string(kCommitTopic), [this](const json::value& body) { on_commit(body); });
  bus.subscribe(std::string(kRecordTopic), [this](const json::value& body) { on_record(body); });
  bus.on_resync([this] { on_resync(); });
  parts_.database.set_commit_observer([&bus](const db::Database::CommitNotice& notice) {
    // The sign-in limits' buckets are read by no cache: a commit that wrote only them (every
    // sign-in attempt on PostgreSQL, auth/database_rate_limiter.hpp) tells nobody anything.
    static const std::string buckets = db::table_key(auth::kRateLimitTable);
    json::object body;
    json::array tables;
    for (const std::string& table : notice.tables) {
      if (table != buckets) tables.emplace_back(table);
    }
    if (tables.empty() && !notice.tables.empty() && !notice.schema_changed) return;
    body["tables"] = std::move(tables);
    body["schema"] = notice.schema_changed;
    std::string text = json::serialize(body);
    if (!bus.publish(kCommitTopic, text)) {
      // Too many tables to name: the schema flag makes receivers move every version.
      bus.publish(kCommitTopic, R"({"tables":[],"schema":true})");
    }
  });
  event_subscription_ =
      parts_.events.subscribe([this](const records::RecordEvent& event) { send_record(event); });
}

ClusterLinks::~ClusterLinks() {
  parts_.events.unsubscribe(event_subscription_);
  parts_.database.set_commit_observer(nullptr);
}

void ClusterLinks::send_record(const records::RecordEvent& event) {
  if (event.from_other_instance) return;  // it came from the bus
  json::object body;
  body["a"] = records::record_action_name(event.action);
  body["c"] = event.collection_id;
  body["n"] = event.collection_name;
  // An auth record travels without its password hash and token key: any database role that
  // may LISTEN reads the payloads, and no receiver needs them (their auth caches drop the
  // record by id; their rules never see these fields).
  json::object record = event.record;
  const std::shared_ptr<const collections::Catalog> catalog = parts_.collections.catalog();
  if (const schema::Collection* c = catalog->find(event.collection_id); c && c->is_auth()) {
    record.erase(schema::kFieldPassword);
    record.erase(schema::kFieldTokenKey);
  }
  body["r"] = std::move(record);
  if (parts_.bus.publish(kRecordTopic, json::serialize(body))) return;
  // Too large to carry: receivers read it again by id (docs/scaling.md).
  body.erase("r");
  const json::value* id = event.record.if_contains("id");
  body["id"] = id != nullptr ? *id : json::value("");
  parts_.bus.publish(kRecordTopic, json::serialize(body));
}

void ClusterLinks::on_commit(const json::value& body) {
  const json::object* fields = body.if_object();
  if (fields == nullptr) return;
  db::Database::CommitNotice notice;
  if (const json::value* tables = fields->if_contains("tables"); tables && tables->is_array()) {
    for (const json::value& table : tables->get_array()) {
      if (table.is_string()) notice.tables.emplace_back(table.get_string());
    }
  }
  const json::value* schema = fields->if_contains("schema");
  notice.schema_changed = schema != nullptr && schema->is_bool() && schema->get_bool();
  parts_.database.external_commit(notice);
  const auto wrote = [&](std::string_view table) {
    return std::find(notice.tables.begin(), notice.tables.end(), table) != notice.tables.end();
  };
  if (notice.schema_changed || wrote("_collections")) reload_collections();
  if (wrote("_params")) reload_settings();
}

void ClusterLinks::on_record(const json::value& body) {
  const json::object* fields = body.if_object();
  if (fields == nullptr) return;
  const std::optional<records::RecordAction> action = action_named(string_field(*fields, "a"));
  if (!action) return;
  records::RecordEvent event;
  event.action = *action;
  event.collection_id = string_field(*fields, "c");
  event.collection_name = string_field(*fields, "n");
  event.from_other_instance = true;
  if (const json::value* record = fields->if_contains("r"); record && record->is_object()) {
    event.record = record->get_object();
    parts_.events.publish(event);
    return;
  }
  std::string id(string_field(*fields, "id"));
  if (id.empty()) return;
  if (event.action == records::RecordAction::kDelete) {
    event.record["id"] = id;  // gone: its id is all there is
    parts_.events.publish(event);
    return;
  }
  asio::co_spawn(
      parts_.bus_executor,
      [this, event = std::move(event), id = std::move(id)]() mutable -> asio::awaitable<void> {
        const std::shared_ptr<const collections::Catalog> catalog = parts_.collections.catalog();
        const schema::Collection* collection = catalog->find(event.collection_id);
        if (collection == nullptr) co_return;
        // Every field as stored, by primary key, no rules (the receivers' rules apply later).
        std::optional<json::object> record =
            co_await parts_.records.find_auth_record_by_id(*collection, id);
        if (!record) co_return;  // deleted since: its delete event follows
        event.record = std::move(*record);
        parts_.events.publish(event);
      },
      [](std::exception_ptr error) {
        if (!error) return;
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& failure) {
          spdlog::warn("cluster: reading a record another instance wrote: {}", failure.what());
        }
      });
}

void ClusterLinks::on_resync() {
  try {
    db::Database::CommitNotice everything;
    everything.schema_changed = true;
    parts_.database.external_commit(everything);
  } catch (const std::exception& error) {
    // The versions moved before the relation names were read: counts are recomputed all the
    // same; the names follow the next schema change.
    spdlog::warn("cluster: reading the relation names again: {}", error.what());
  }
  parts_.auth_records.invalidate_all();
  reload_collections();
  reload_settings();
  if (parts_.events_missed) parts_.events_missed();
}

void ClusterLinks::reload_collections() {
  if (collections_reloading_) {
    collections_again_ = true;
    return;
  }
  collections_reloading_ = true;
  asio::co_spawn(
      parts_.bus_executor,
      [this]() -> asio::awaitable<void> {
        do {
          collections_again_ = false;
          co_await parts_.collections.reload();
        } while (collections_again_);
      },
      [this](std::exception_ptr error) {
        collections_reloading_ = false;
        if (!error) return;
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& failure) {
          spdlog::warn("cluster: reloading the collections: {}", failure.what());
        }
      });
}

void ClusterLinks::reload_settings() {
  if (settings_reloading_) {
    settings_again_ = true;
    return;
  }
  settings_reloading_ = true;
  asio::co_spawn(
      parts_.bus_executor,
      [this]() -> asio::awaitable<void> {
        do {
          settings_again_ = false;
          co_await parts_.settings.load();
        } while (settings_again_);
      },
      [this](std::exception_ptr error) {
        settings_reloading_ = false;
        if (!error) return;
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& failure) {
          spdlog::warn("cluster: reloading the settings: {}", failure.what());
        }
      });
}

}  // namespace basalt::app
