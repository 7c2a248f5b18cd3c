#include "basalt/records/orphan_sweep.hpp"

#include <spdlog/spdlog.h>

#include <unordered_set>

#include "basalt/records/record_codec.hpp"
#include "basalt/records/upload_staging.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

// The file a key stores or is a thumbnail of: "<c>/<r>/<name>" for both
// "<c>/<r>/<name>" and "<c>/<r>/thumbs_<name>/<size>_<name>"; "" for anything else.
std::string owning_file(std::string_view key) {
  const auto first = key.find('/');
  if (first == std::string_view::npos) return {};
  const auto second = key.find('/', first + 1);
  if (second == std::string_view::npos) return {};
  std::string_view rest = key.substr(second + 1);
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::string(key);
  constexpr std::string_view kThumbs = "thumbs_";
  if (!rest.starts_with(kThumbs)) return {};
  return std::string(key.substr(0, second + 1)) +
         std::string(rest.substr(kThumbs.size(), slash - kThumbs.size()));
}

}  // namespace

boost::asio::awaitable<SweepReport> sweep_orphan_files(
    db::Database& database, std::shared_ptr<const collections::Catalog> catalog,
    files::Storage& storage, SweepOptions options, const std::atomic<bool>& stop) {
  SweepReport report;
  // Objects first, names after (see the header).
  const std::vector<std::string> keys = storage.list("");
  report.objects = keys.size();
  if (keys.empty()) co_return report;

  std::unordered_set<std::string> named;
  std::unordered_set<std::string> collection_ids;
  const db::Dialect& dialect = database.dialect();
  for (const schema::Collection& collection : catalog->all()) {
    collection_ids.insert(collection.id);
    if (collection.is_view() || !has_file_fields(collection)) continue;
    const std::string sql =
        select_sql(collection, dialect) + " WHERE " + dialect.quote_identifier(schema::kFieldId) +
        " > " + dialect.placeholder(1) + " ORDER BY " + dialect.quote_identifier(schema::kFieldId) +
        " LIMIT " + std::to_string(options.page_size);
    std::string after;
    for (;;) {
      if (stop.load()) co_return report;
      db::ResultSet rows = co_await database.query(sql, after);
      if (rows.empty()) break;
      for (auto row : rows) {
        json::object values = decode_row(collection, row);
        const std::string id(values.at(schema::kFieldId).get_string());
        for (const std::string& name : stored_file_names(collection, values)) {
          named.insert(files::file_key(collection.id, id, name));
        }
        after = id;
      }
      if (rows.size() < options.page_size) break;
    }
  }

  for (const std::string& key : keys) {
    if (stop.load() || report.removed >= options.max_removals) break;
    const std::string owner = owning_file(key);
    // Only Basalt's own keys, under a collection it has: a bucket may hold other objects
    // (backups at its root, another application's keys), which are not ours to remove.
    if (owner.empty() || !collection_ids.contains(owner.substr(0, owner.find('/')))) {
      ++report.foreign;
      continue;
    }
    if (named.contains(owner)) continue;
    try {
      auto info = storage.stat(key);
      if (!info) continue;
      if (info->modified >= options.older_than) {
        ++report.kept_recent;
        continue;
      }
      if (options.gate) {
        options.gate->remove(key);
      } else {
        storage.remove(key);
      }
      ++report.removed;
    } catch (const std::exception& error) {
      spdlog::warn("files sweep: cannot remove {}: {}", key, error.what());
    }
  }
  co_return report;
}

}  // namespace basalt::records
