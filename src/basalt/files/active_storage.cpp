#include "basalt/files/active_storage.hpp"

#include <stdexcept>

namespace basalt::files {

std::shared_ptr<Storage> make_storage(const std::optional<S3Config>& s3,
                                      std::shared_ptr<Storage> local, const S3Options& options) {
  if (s3) return std::make_shared<S3Storage>(*s3, options);
  return local;
}

ActiveStorage::ActiveStorage(std::shared_ptr<Storage> local, S3Options options)
    : local_(std::move(local)), options_(std::move(options)), current_(local_) {
  if (!local_) throw std::invalid_argument("ActiveStorage needs a local backend");
}

void ActiveStorage::apply(const std::optional<S3Config>& s3) {
  std::lock_guard lock(apply_mutex_);
  if (s3 == applied_) return;
  std::shared_ptr<Storage> next = make_storage(s3, local_, options_);  // may throw: nothing changed
  current_.store(std::move(next));
  applied_ = s3;
}

}  // namespace basalt::files
