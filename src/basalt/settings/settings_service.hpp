// SettingsService: the application settings every request reads (current()), and the one
// place they change (patch(), for PATCH /api/settings and any later CLI command).
//
// Invariants:
//  1. The settings are one `_params` row, id "settings" (as PocketBase), whose value is the
//     storage JSON (settings_json.hpp). Without the row the defaults apply (app_settings.hpp);
//     the first patch writes it. Stored keys that are missing or of the wrong type keep their
//     defaults; a value that is not a JSON object (e.g. PocketBase's encrypted form) fails.
//  2. patch() is one write job: it reads the stored row inside the job — so two concurrent
//     patches never lose each other's keys —, reads the body onto it, validates the whole
//     result and upserts the row. Any failure leaves the row as it was.
//  3. Snapshots are immutable and only ever replaced. Every snapshot is read inside a write
//     job (load() runs one too) and numbered there; jobs run one at a time in commit order,
//     so publishing only numbers above the published one means a slow publisher can never
//     bring older settings back.
//  4. Client errors are core::ApiError 400 with per-key `data` (PocketBase's messages,
//     apis/settings.go): a body value of the wrong JSON type -> "An error occurred while
//     loading the submitted data."; a rule failure (settings_validator.hpp) -> "An error
//     occurred while saving the new settings.".
// Thread safety: every member may be called from any thread at once. The Database must
// outlive the service.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/settings/app_settings.hpp"

namespace basalt::settings {

inline constexpr std::string_view kSettingsParam = "settings";

class SettingsService {
 public:
  // `clock` stamps the `updated` of the stored row.
  SettingsService(db::Database& database, const core::Clock& clock);

  // The published snapshot; the defaults until load() or patch() published one. Lock-free.
  std::shared_ptr<const AppSettings> current() const noexcept { return current_.load(); }

  // Reads the stored row (invariant 1) and publishes it. Call once at startup, after the
  // migrations created `_params`; calling it again picks up changes made by another process.
  // Throws std::runtime_error for a stored value that is not a JSON object.
  boost::asio::awaitable<void> load();

  // PATCH /api/settings: the keys of `body` replace the stored ones (section by section,
  // Go json.Unmarshal semantics; unknown keys ignored), then invariant 2. Returns the
  // settings this patch stored, also published as current(). Throws core::ApiError 400
  // (invariant 4). `body` must stay alive until the returned awaitable completes.
  boost::asio::awaitable<std::shared_ptr<const AppSettings>> patch(const boost::json::object& body);

  // Calls `listener` with each snapshot published after this call, in publication order
  // (invariant 3), on the publishing thread and under the publication lock — for parts built
  // from the settings, such as the file storage backend (files::ActiveStorage). A listener
  // must be quick, do no I/O and not call back into the service; it should not throw (what it
  // throws is logged and dropped: the settings are already stored).
  void on_publish(std::function<void(const AppSettings&)> listener);

 private:
  void publish(std::shared_ptr<const AppSettings> next, std::uint64_t sequence);

  db::Database& database_;
  const core::Clock& clock_;
  std::atomic<std::shared_ptr<const AppSettings>> current_;
  std::atomic<std::uint64_t> next_sequence_{1};  // taken inside write jobs (invariant 3)
  std::mutex publish_mutex_;  // guards published_sequence_, the store and listeners_
  std::uint64_t published_sequence_ = 0;
  std::vector<std::function<void(const AppSettings&)>> listeners_;
};

}  // namespace basalt::settings
