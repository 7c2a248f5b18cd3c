#include "basalt/events/destination_service.hpp"

#include "basalt/events/custom_events.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/brokers/broker_destination.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/events/outbox_tables.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/records/caller.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/ids.hpp"

namespace basalt::events {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxCollections = 100;
constexpr std::size_t kMaxDestinations = 100;
constexpr std::size_t kMaxFilterBytes = 2048;
constexpr std::size_t kMaxActions = 32;  // the 3 record actions and custom types
constexpr int kMaxPerPage = 500;
constexpr std::string_view kColumns =
    R"("id", "type", "config", "collections", "actions", "filter", "enabled", "maxAttempts", "created", "updated")";

json::object body_error(std::string_view code, std::string_view message) {
  return json::object{{"code", code}, {"message", message}};
}

std::vector<std::string> string_list(std::string_view text) {
  std::vector<std::string> out;
  json::value parsed = json::parse(text);
  for (const json::value& item : parsed.as_array()) out.emplace_back(item.as_string());
  return out;
}

json::array json_list(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& item : items) out.emplace_back(item);
  return out;
}

DestinationSpec spec_from_row(db::ResultSet::Row row) {
  DestinationSpec spec;
  spec.id = std::string(row.as_text(0));
  spec.type = std::string(row.as_text(1));
  spec.config = json::parse(row.as_text(2)).as_object();
  spec.collections = string_list(row.as_text(3));
  spec.actions = string_list(row.as_text(4));
  spec.filter = std::string(row.as_text(5));
  spec.enabled = row.as_int(6) != 0;
  spec.max_attempts = static_cast<int>(row.as_int(7));
  spec.created = std::string(row.as_text(8));
  spec.updated = std::string(row.as_text(9));
  return spec;
}

std::string select_sql(const db::Dialect& d) {
  return "SELECT " + std::string(kColumns) + " FROM " + d.quote_identifier(kDestinationsTable);
}

std::string masked(std::string_view secret) {
  return std::string(secret.substr(0, 10)) + "...";
}

// A webhook's settings are top-level keys of its JSON, the secret masked unless `show_secret`.
void append_webhook_config(json::object& out, const json::object& config, bool show_secret) {
  for (const auto& [key, value] : config) {
    if (key == "secret" && value.is_string() && !show_secret) {
      out[key] = masked(value.get_string());
    } else {
      out[key] = value;
    }
  }
}

// scheme://user:***@host/...: the password of a URL's userinfo replaced, the rest kept.
std::string url_without_password(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const std::size_t start = scheme_end + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", start), url.size());
  const std::size_t at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  const std::size_t colon = url.substr(0, at).find(':', start);
  if (colon == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

// Where a URL's authority ends and its userinfo's '@' is (npos when none).
struct UrlParts {
  std::size_t start = 0;          // after "://"
  std::size_t authority_end = 0;  // first of "/?#" after start, or the size
  std::size_t at = std::string_view::npos;
};

std::optional<UrlParts> url_parts(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  UrlParts parts;
  parts.start = scheme_end + 3;
  parts.authority_end = std::min(url.find_first_of("/?#", parts.start), url.size());
  const std::size_t at = url.substr(0, parts.authority_end).rfind('@');
  if (at != std::string_view::npos && at >= parts.start) parts.at = at;
  return parts;
}

// A broker URL sent back as an answer showed it (`user:***@host`): the stored password is
// kept when everything before the path is the stored URL's, masked (the path, a vhost or a
// database number, may change). Returns false when `incoming` carries a masked password that
// cannot be restored (the host, port, user or scheme changed): it must be given again.
bool restore_masked_password(json::value& incoming, const json::value* stored) {
  if (!incoming.is_string()) return true;
  const std::string given(incoming.get_string());
  const std::optional<UrlParts> parts = url_parts(given);
  if (!parts || parts->at == std::string_view::npos) return true;
  const std::string_view userinfo =
      std::string_view(given).substr(parts->start, parts->at - parts->start);
  const std::size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos || userinfo.substr(colon + 1) != "***") return true;
  if (stored == nullptr || !stored->is_string()) return false;
  const std::string old(stored->get_string());
  const std::optional<UrlParts> old_parts = url_parts(old);
  if (!old_parts) return false;
  const std::string old_masked_head =
      url_without_password(std::string_view(old).substr(0, old_parts->authority_end));
  if (old_masked_head != std::string_view(given).substr(0, parts->authority_end)) return false;
  incoming = old.substr(0, old_parts->authority_end) + given.substr(parts->authority_end);
  return true;
}

}  // namespace

boost::asio::awaitable<std::vector<DestinationSpec>> read_destinations(db::Database& database) {
  const db::Dialect& d = database.dialect();
  const std::string sql = select_sql(d) + " ORDER BY " + d.quote_identifier("created") + ", " +
                          d.quote_identifier("id");
  const db::Params none;
  db::ResultSet rows = co_await database.query(sql, none);
  std::vector<DestinationSpec> all;
  for (auto row : rows) all.push_back(spec_from_row(row));
  co_return all;
}

DestinationService::DestinationService(db::Database& database,
                                       collections::CollectionService& collections,
                                       records::RecordService& records, const core::Clock& clock)
    : database_(database), collections_(collections), records_(records), clock_(clock) {}

boost::asio::awaitable<std::vector<DestinationSpec>> DestinationService::load() {
  co_return co_await read_destinations(database_);
}

void DestinationService::changed() {
  if (on_change_) on_change_();
}

json::object DestinationService::to_json(const DestinationSpec& spec, bool show_secret) {
  json::object out;
  out["id"] = spec.id;
  out["type"] = spec.type;
  if (brokers::is_broker_type(spec.type)) {
    // A broker's URL may carry a password: listings show it masked (docs/brokers.md).
    json::object config = spec.config;
    if (json::value* url = config.if_contains("url"); url && url->is_string()) {
      *url = url_without_password(url->get_string());
    }
    out["config"] = std::move(config);
  } else {
    append_webhook_config(out, spec.config, show_secret);
  }
  out["collections"] = json_list(spec.collections);
  out["actions"] = json_list(spec.actions);
  out["filter"] = spec.filter;
  out["enabled"] = spec.enabled;
  out["maxAttempts"] = spec.max_attempts;
  out["created"] = spec.created;
  out["updated"] = spec.updated;
  return out;
}

boost::asio::awaitable<std::optional<DestinationSpec>> DestinationService::find(
    std::string_view type, std::string_view id) {
  if (id.empty() || id.size() > 64) co_return std::nullopt;
  const db::Dialect& d = database_.dialect();
  const std::string sql = select_sql(d) + " WHERE " + d.quote_identifier("id") + " = " +
                          d.placeholder(1) + " AND " + d.quote_identifier("type") + " = " +
                          d.placeholder(2);
  const db::Params params{db::Value(std::string(id)), db::Value(std::string(type))};
  db::ResultSet rows = co_await database_.query(sql, params);
  if (rows.empty()) co_return std::nullopt;
  co_return spec_from_row(rows[0]);
}

void DestinationService::apply_body(DestinationSpec& spec, json::object& body, bool creating) {
  json::object errors;
  auto catalog = collections_.catalog();
  if (const json::value* value = body.if_contains("collections")) {
    std::vector<std::string> ids;
    if (!value->is_array() || value->get_array().size() > kMaxCollections) {
      errors["collections"] = body_error("validation_invalid_collections",
                                         "Must be a list of at most 100 collection names or ids.");
    } else {
      for (const json::value& item : value->get_array()) {
        const schema::Collection* collection =
            item.is_string() ? catalog->find(item.get_string()) : nullptr;
        if (collection == nullptr) {
          errors["collections"] = body_error("validation_missing_collection",
                                             "Every entry must name an existing collection.");
          break;
        }
        if (std::find(ids.begin(), ids.end(), collection->id) == ids.end()) {
          ids.push_back(collection->id);
        }
      }
    }
    spec.collections = std::move(ids);
  }
  if (const json::value* value = body.if_contains("actions")) {
    std::vector<std::string> actions;
    bool ok = value->is_array() && value->get_array().size() <= kMaxActions;
    if (ok) {
      for (const json::value& item : value->get_array()) {
        // The record actions, and custom event types by name (custom_events.hpp).
        const bool known =
            item.is_string() &&
            (item.get_string() == "create" || item.get_string() == "update" ||
             item.get_string() == "delete" || valid_custom_selector(item.get_string()));
        if (!known) {
          ok = false;
          break;
        }
        const std::string action(item.get_string());
        if (std::find(actions.begin(), actions.end(), action) == actions.end()) {
          actions.push_back(action);
        }
      }
    }
    if (!ok) {
      errors["actions"] =
          body_error("validation_invalid_actions",
                     "Must be a list of create, update, delete and custom:<type> (at most 32).");
    }
    spec.actions = std::move(actions);
  }
  if (const json::value* value = body.if_contains("filter")) {
    if (!value->is_string() || value->get_string().size() > kMaxFilterBytes) {
      errors["filter"] =
          body_error("validation_invalid_filter", "Must be a text of at most 2048 bytes.");
    } else {
      spec.filter = std::string(value->get_string());
    }
  }
  if (const json::value* value = body.if_contains("enabled")) {
    if (!value->is_bool()) {
      errors["enabled"] = body_error("validation_invalid_bool", "Must be true or false.");
    } else {
      spec.enabled = value->get_bool();
    }
  }
  if (const json::value* value = body.if_contains("maxAttempts")) {
    const bool ok =
        value->is_int64() && value->get_int64() >= 1 && value->get_int64() <= kMaxMaxAttempts;
    if (!ok) {
      errors["maxAttempts"] =
          body_error("validation_invalid_max_attempts", "Must be a whole number from 1 to 50.");
    } else {
      spec.max_attempts = static_cast<int>(value->get_int64());
    }
  }
  // The type's own settings. A webhook's are top-level keys of the body, each over the stored
  // one; a broker's are the body's `config` object, which replaces the stored one whole (so a
  // field can be dropped back to its default), and its errors nest under "config".
  json::object config = spec.config;
  const bool broker = brokers::is_broker_type(spec.type);
  if (broker) {
    if (const json::value* value = body.if_contains("config")) {
      if (value->is_object()) {
        json::object given = value->get_object();
        if (json::value* url = given.if_contains("url"); url && !creating) {
          if (!restore_masked_password(*url, spec.config.if_contains("url"))) {
            errors["config"] = json::object{
                {"url", body_error("validation_masked_password",
                                   "The password is masked: give it again when the scheme, "
                                   "user, host or port change.")}};
          }
        }
        config = std::move(given);
      } else {
        errors["config"] = body_error("validation_invalid_config", "Must be an object.");
      }
    }
  } else {
    // A secret sent back as the answers show it (masked) keeps the stored one.
    if (const json::value* secret = body.if_contains("secret"); secret && !creating) {
      const json::value* stored = spec.config.if_contains("secret");
      if (secret->is_string() && stored != nullptr && stored->is_string() &&
          secret->get_string() == masked(stored->get_string())) {
        body.erase("secret");
      }
    }
    for (const char* key : {"url", "secret", "headers"}) {
      if (const json::value* value = body.if_contains(key)) config[key] = *value;
    }
    if (creating && !body.contains("secret")) config.erase("secret");
  }
  if (!errors.contains("config")) {
    json::object config_errors = validate_destination_config(spec.type, config);
    if (broker && !config_errors.empty()) {
      errors["config"] = std::move(config_errors);
    } else {
      for (auto& [key, value] : config_errors) errors[key] = value;
    }
  }
  spec.config = std::move(config);
  // The filter is compiled now, so a mistake is a 400 here and not a silent miss later: the
  // syntax always, the fields against each listed collection.
  if (!spec.filter.empty() && !errors.contains("filter")) {
    try {
      (void)query::parse_filter(spec.filter);
      const schema::Collection* superusers = catalog->find(records::kSuperusersCollection);
      static const json::object kNoRecord;
      const records::Caller superuser{superusers, &kNoRecord, {}};
      for (const std::string& id : spec.collections) {
        const schema::Collection* collection = catalog->find(id);
        if (collection == nullptr) continue;
        try {
          (void)records_.check_realtime_options(superuser, collection->name, spec.filter, "");
        } catch (const core::ApiError&) {
          errors["filter"] =
              body_error("validation_invalid_filter",
                         "The filter does not compile for collection " + collection->name + ".");
          break;
        }
      }
    } catch (const query::ParseError& error) {
      errors["filter"] =
          body_error("validation_invalid_filter", std::string("Invalid filter: ") + error.what());
    }
  }
  if (!errors.empty()) {
    const std::string what = broker ? "broker destination" : "webhook";
    throw core::ApiError::bad_request(
        (creating ? "Failed to create " : "Failed to update ") + what + ".", std::move(errors));
  }
}

boost::asio::awaitable<json::array> DestinationService::list(std::string type) {
  std::vector<DestinationSpec> all = co_await read_destinations(database_);
  json::array out;
  for (const DestinationSpec& spec : all) {
    if (spec.type == type) out.push_back(to_json(spec, false));
  }
  co_return out;
}

boost::asio::awaitable<json::object> DestinationService::view(std::string type, std::string id) {
  std::optional<DestinationSpec> spec = co_await find(type, id);
  if (!spec) throw core::ApiError::not_found();
  co_return to_json(*spec, false);
}

boost::asio::awaitable<json::object> DestinationService::create(std::string type,
                                                                json::object body) {
  DestinationSpec spec;
  spec.type = type;
  spec.id = schema::new_record_id();
  apply_body(spec, body, true);
  // One dispatcher and a pool of 8 delivery threads serve them all: their number is bounded.
  const std::vector<DestinationSpec> existing = co_await read_destinations(database_);
  if (existing.size() >= kMaxDestinations) {
    throw core::ApiError::bad_request("Failed to create webhook.",
                                      json::object{{"url", body_error("validation_too_many",
                                                                      "At most 100 destinations "
                                                                      "may exist.")}});
  }
  spec.created = spec.updated = schema::format_datetime(clock_.now());
  const db::Dialect& d = database_.dialect();
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  const std::string insert = "INSERT INTO " + q(kDestinationsTable) + " (" + std::string(kColumns) +
                             ") VALUES (" + d.placeholder(1) + ", " + d.placeholder(2) + ", " +
                             d.placeholder(3) + ", " + d.placeholder(4) + ", " + d.placeholder(5) +
                             ", " + d.placeholder(6) + ", " + d.placeholder(7) + ", " +
                             d.placeholder(8) + ", " + d.placeholder(9) + ", " + d.placeholder(10) +
                             ")";
  const db::Params params{db::Value(spec.id),
                          db::Value(spec.type),
                          db::Value(json::serialize(spec.config)),
                          db::Value(json::serialize(json_list(spec.collections))),
                          db::Value(json::serialize(json_list(spec.actions))),
                          db::Value(spec.filter),
                          db::Value(std::int64_t{spec.enabled ? 1 : 0}),
                          db::Value(std::int64_t{spec.max_attempts}),
                          db::Value(spec.created),
                          db::Value(spec.updated)};
  // The cursor starts at the newest event this job sees: a new destination gets the changes
  // serialized after this job (docs/events.md, "Which changes are written").
  const std::string state = "INSERT INTO " + q(kDestinationStatesTable) + " (" +
                            q("destinationId") + ", " + q("cursor") + ") SELECT CAST(" +
                            d.placeholder(1) + " AS " +
                            std::string(d.column_type(db::ColumnType::kText)) + "), COALESCE(MAX(" +
                            q("seq") + "), 0) FROM " + q(kOutboxTable);
  const db::Params state_params{db::Value(spec.id)};
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await begin_destinations_change(tx, d);
    co_await tx.execute(insert, params);
    co_await tx.execute(state, state_params);
  };
  co_await database_.write(job);
  changed();
  co_return to_json(spec, true);
}

boost::asio::awaitable<json::object> DestinationService::update(std::string type, std::string id,
                                                                json::object body) {
  std::optional<DestinationSpec> found = co_await find(type, id);
  if (!found) throw core::ApiError::not_found();
  DestinationSpec spec = std::move(*found);
  apply_body(spec, body, false);
  const bool new_secret = body.contains("secret");  // a masked one sent back was dropped
  spec.updated = schema::format_datetime(clock_.now());
  const db::Dialect& d = database_.dialect();
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  const std::string sql =
      "UPDATE " + q(kDestinationsTable) + " SET " + q("config") + " = " + d.placeholder(1) + ", " +
      q("collections") + " = " + d.placeholder(2) + ", " + q("actions") + " = " + d.placeholder(3) +
      ", " + q("filter") + " = " + d.placeholder(4) + ", " + q("enabled") + " = " +
      d.placeholder(5) + ", " + q("maxAttempts") + " = " + d.placeholder(6) + ", " + q("updated") +
      " = " + d.placeholder(7) + " WHERE " + q("id") + " = " + d.placeholder(8);
  const db::Params params{db::Value(json::serialize(spec.config)),
                          db::Value(json::serialize(json_list(spec.collections))),
                          db::Value(json::serialize(json_list(spec.actions))),
                          db::Value(spec.filter),
                          db::Value(std::int64_t{spec.enabled ? 1 : 0}),
                          db::Value(std::int64_t{spec.max_attempts}),
                          db::Value(spec.updated),
                          db::Value(spec.id)};
  bool gone = false;
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await begin_destinations_change(tx, d);
    const db::ExecResult result = co_await tx.execute(sql, params);
    gone = result.changes == 0;
  };
  co_await database_.write(job);
  if (gone) throw core::ApiError::not_found();
  changed();
  co_return to_json(spec, new_secret);
}

boost::asio::awaitable<void> DestinationService::remove(std::string type, std::string id) {
  std::optional<DestinationSpec> found = co_await find(type, id);
  if (!found) throw core::ApiError::not_found();
  const db::Dialect& d = database_.dialect();
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  const std::vector<std::string> statements = {
      "DELETE FROM " + q(kDestinationsTable) + " WHERE " + q("id") + " = " + d.placeholder(1),
      "DELETE FROM " + q(kDestinationStatesTable) + " WHERE " + q("destinationId") + " = " +
          d.placeholder(1),
      "DELETE FROM " + q(kDeliveriesTable) + " WHERE " + q("destinationId") + " = " +
          d.placeholder(1),
      "DELETE FROM " + q(kRedeliveriesTable) + " WHERE " + q("destinationId") + " = " +
          d.placeholder(1),
  };
  const db::Params params{db::Value(id)};
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await begin_destinations_change(tx, d);
    for (const std::string& sql : statements) co_await tx.execute(sql, params);
  };
  co_await database_.write(job);
  changed();
}

boost::asio::awaitable<json::object> DestinationService::deliveries(std::string type,
                                                                    std::string id, int page,
                                                                    int per_page) {
  std::optional<DestinationSpec> found = co_await find(type, id);
  if (!found) throw core::ApiError::not_found();
  page = std::max(page, 1);
  per_page = std::clamp(per_page, 1, kMaxPerPage);
  const db::Dialect& d = database_.dialect();
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  const std::string where =
      " FROM " + q(kDeliveriesTable) + " WHERE " + q("destinationId") + " = " + d.placeholder(1);
  const std::string count_sql = "SELECT COUNT(*)" + where;
  const std::string page_sql =
      "SELECT " + q("id") + ", " + q("seq") + ", " + q("eventId") + ", " + q("action") + ", " +
      q("collectionName") + ", " + q("status") + ", " + q("httpStatus") + ", " + q("attempt") +
      ", " + q("durationMs") + ", " + q("detail") + ", " + q("created") + where + " ORDER BY " +
      q("createdMs") + " DESC, " + q("seq") + " DESC, " + q("attempt") + " DESC LIMIT " +
      d.placeholder(2) + " OFFSET " + d.placeholder(3);
  const db::ReadOptions pooled{.pooled = true};
  const db::Params count_params{db::Value(id)};
  db::ResultSet counted = co_await database_.query(count_sql, count_params, pooled);
  const db::Params page_params{db::Value(id), db::Value(std::int64_t{per_page}),
                               db::Value(std::int64_t{(page - 1) * std::int64_t{per_page}})};
  db::ResultSet rows = co_await database_.query(page_sql, page_params, pooled);
  json::array items;
  for (auto row : rows) {
    items.push_back(json::object{{"id", row.as_text(0)},
                                 {"seq", row.as_int(1)},
                                 {"eventId", row.as_text(2)},
                                 {"action", row.as_text(3)},
                                 {"collectionName", row.as_text(4)},
                                 {"status", row.as_text(5)},
                                 {"httpStatus", row.as_int(6)},
                                 {"attempt", row.as_int(7)},
                                 {"durationMs", row.as_int(8)},
                                 {"response", row.as_text(9)},
                                 {"created", row.as_text(10)}});
  }
  const std::int64_t total = counted.empty() ? 0 : counted[0].as_int(0);
  json::object out;
  out["page"] = page;
  out["perPage"] = per_page;
  out["totalItems"] = total;
  out["totalPages"] = (total + per_page - 1) / per_page;
  out["items"] = std::move(items);
  co_return out;
}

boost::asio::awaitable<void> DestinationService::redeliver(std::string type, std::string id,
                                                           std::string delivery_id) {
  std::optional<DestinationSpec> found = co_await find(type, id);
  if (!found || delivery_id.empty() || delivery_id.size() > 64) {
    throw core::ApiError::not_found();
  }
  const db::Dialect& d = database_.dialect();
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  const std::string find_sql = "SELECT o." + q("seq") + " FROM " + q(kDeliveriesTable) +
                               " l JOIN " + q(kOutboxTable) + " o ON o." + q("seq") + " = l." +
                               q("seq") + " WHERE l." + q("id") + " = " + d.placeholder(1) +
                               " AND l." + q("destinationId") + " = " + d.placeholder(2);
  const db::Params find_params{db::Value(delivery_id), db::Value(id)};
  db::ResultSet rows = co_await database_.query(find_sql, find_params);
  if (rows.empty()) {
    throw core::ApiError::not_found("The delivery or its event is no longer kept.");
  }
  const std::int64_t seq = rows[0].as_int(0);
  const std::string insert = "INSERT INTO " + q(kRedeliveriesTable) + " (" + q("id") + ", " +
                             q("destinationId") + ", " + q("seq") + ", " + q("createdMs") +
                             ") VALUES (" + d.placeholder(1) + ", " + d.placeholder(2) + ", " +
                             d.placeholder(3) + ", " + d.placeholder(4) + ")";
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
          .count();
  const db::Params params{db::Value(schema::new_record_id()), db::Value(id), db::Value(seq),
                          db::Value(now_ms)};
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(insert, params);
  };
  co_await database_.write(job);
  if (on_change_) on_change_();
}

}  // namespace basalt::events
