// The bridge between the S3 settings (`settings.s3`, `backups.s3`) and the files module's S3
// backend: one conversion, used by POST /api/settings/test/s3 and by the composition root that
// points files::ActiveStorage at the bucket while `s3.enabled` is on.
// Pure functions; thread-safe.
#pragma once

#include <optional>

#include "basalt/files/s3_storage.hpp"
#include "basalt/settings/app_settings.hpp"

namespace basalt::api {

// The connection settings of `s3`, whether enabled or not.
files::S3Config s3_config(const settings::S3Settings& s3);

// s3_config(s3) while `s3.enabled`, nullopt (the local directory) otherwise.
std::optional<files::S3Config> enabled_s3_config(const settings::S3Settings& s3);

}  // namespace basalt::api
