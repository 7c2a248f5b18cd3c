#include "basalt/api/s3_settings.hpp"

namespace basalt::api {

files::S3Config s3_config(const settings::S3Settings& s3) {
  return {.bucket = s3.bucket,
          .region = s3.region,
          .endpoint = s3.endpoint,
          .access_key = s3.access_key,
          .secret = s3.secret,
          .force_path_style = s3.force_path_style};
}

std::optional<files::S3Config> enabled_s3_config(const settings::S3Settings& s3) {
  if (!s3.enabled) return std::nullopt;
  return s3_config(s3);
}

}  // namespace basalt::api
