// Keeps the file storage backend in step with the settings: files::ActiveStorage points at the
// bucket of `settings.s3` while `s3.enabled` is on, at the local directory otherwise, from
// startup on and again after every settings change (docs/files.md, "S3 storage").
#pragma once

#include "basalt/files/active_storage.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::app {

// Applies the current settings to `storage` now and registers a SettingsService listener that
// applies each later snapshot. A configuration the S3 backend refuses is logged (never with
// its secret) and leaves the previous backend in place. `storage` must outlive `settings`'
// publications (in app: built before the server starts, destroyed after it stopped).
void follow_s3_settings(settings::SettingsService& settings, files::ActiveStorage& storage);

}  // namespace basalt::app
