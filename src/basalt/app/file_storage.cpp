#include "basalt/app/file_storage.hpp"

#include <spdlog/spdlog.h>

#include "basalt/api/s3_settings.hpp"

namespace basalt::app {
namespace {

void apply(files::ActiveStorage& storage, const settings::AppSettings& current) {
  try {
    storage.apply(api::enabled_s3_config(current.s3));
  } catch (const files::StorageError& error) {
    // StorageError messages never carry credentials (files/storage.hpp).
    spdlog::error("S3 storage settings not applied, files stay on the previous backend: {}",
                  error.what());
  }
}

}  // namespace

void follow_s3_settings(settings::SettingsService& settings, files::ActiveStorage& storage) {
  // Listen first, then apply what is current: a change published in between is applied by the
  // listener, and current() is at least as new as anything it applied (apply is idempotent).
  settings.on_publish([&storage](const settings::AppSettings& next) { apply(storage, next); });
  apply(storage, *settings.current());
}

}  // namespace basalt::app
