#include "basalt/settings/settings_service.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <stdexcept>
#include <string>

#include "basalt/schema/datetime.hpp"
#include "basalt/schema/validation_errors.hpp"
#include "basalt/settings/settings_json.hpp"
#include "basalt/settings/settings_validator.hpp"

namespace basalt::settings {
namespace {

namespace json = boost::json;

constexpr std::string_view kLoadFailed = "An error occurred while loading the submitted data.";
constexpr std::string_view kSaveFailed = "An error occurred while saving the new settings.";

std::string select_sql(const db::Dialect& dialect) {
  return "SELECT value FROM _params WHERE id = " + dialect.placeholder(1);
}

// Parameters: id, value, now (created of a new row, updated of either).
std::string upsert_sql(const db::Dialect& dialect) {
  return "INSERT INTO _params (id, value, created, updated) VALUES (" + dialect.placeholder(1) +
         ", " + dialect.placeholder(2) + ", " + dialect.placeholder(3) + ", " +
         dialect.placeholder(3) + ")" +
         dialect.on_conflict_update("id", "value = " + dialect.inserted_value("value") +
                                              ", updated = " + dialect.inserted_value("updated"));
}

// The stored settings over the defaults (invariant 1 of the header).
AppSettings stored_settings(const db::ResultSet& rows) {
  if (rows.empty() || rows[0].is_null(0)) return settings_from_storage(std::nullopt);
  return settings_from_storage(std::string(rows[0].as_blob(0)));
}

}  // namespace

SettingsService::SettingsService(db::Database& database, const core::Clock& clock)
    : database_(database), clock_(clock), current_(std::make_shared<const AppSettings>()) {}

boost::asio::awaitable<void> SettingsService::load() {
  std::shared_ptr<const AppSettings> loaded;
  std::uint64_t sequence = 0;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const std::string select = select_sql(database_.dialect());
    db::ResultSet rows = co_await tx.query(select, std::string(kSettingsParam));
    loaded = std::make_shared<const AppSettings>(stored_settings(rows));
    sequence = next_sequence_.fetch_add(1);
  });
  publish(std::move(loaded), sequence);
}

boost::asio::awaitable<std::shared_ptr<const AppSettings>> SettingsService::patch(
    const json::object& body) {
  std::shared_ptr<const AppSettings> stored;
  std::uint64_t sequence = 0;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const std::string select = select_sql(database_.dialect());
    db::ResultSet rows = co_await tx.query(select, std::string(kSettingsParam));
    AppSettings settings = stored_settings(rows);
    schema::ValidationErrors errors;
    read_settings(body, settings, errors);
    if (!errors.empty()) throw errors.to_api_error(std::string(kLoadFailed));
    errors = validate_settings(settings);
    if (!errors.empty()) throw errors.to_api_error(std::string(kSaveFailed));

    const std::string now = schema::format_datetime(clock_.now());
    const std::string upsert = upsert_sql(database_.dialect());
    co_await tx.execute(upsert, std::string(kSettingsParam),
                        serialize_settings(settings, SettingsForm::kStorage), now);
    stored = std::make_shared<const AppSettings>(std::move(settings));
    sequence = next_sequence_.fetch_add(1);
  });
  publish(stored, sequence);
  co_return stored;
}

void SettingsService::publish(std::shared_ptr<const AppSettings> next, std::uint64_t sequence) {
  std::lock_guard lock(publish_mutex_);
  if (sequence <= published_sequence_) return;
  published_sequence_ = sequence;
  current_.store(next);
  for (const auto& listener : listeners_) {
    try {
      listener(*next);
    } catch (const std::exception& error) {
      spdlog::error("applying the new settings failed: {}", error.what());
    }
  }
}

void SettingsService::on_publish(std::function<void(const AppSettings&)> listener) {
  std::lock_guard lock(publish_mutex_);
  listeners_.push_back(std::move(listener));
}

}  // namespace basalt::settings
