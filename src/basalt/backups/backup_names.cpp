#include "basalt/backups/backup_names.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

namespace basalt::backups {
namespace {

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_word(char c) {
  return is_upper(c) || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

bool valid_backup_name(std::string_view name) noexcept {
  constexpr std::string_view kSuffix = ".zip";
  if (name.size() > kMaxBackupNameLength || name.size() <= kSuffix.size()) return false;
  if (!name.ends_with(kSuffix)) return false;
  for (char c : name.substr(0, name.size() - kSuffix.size())) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool valid_backup_key(std::string_view key) noexcept {
  if (key.starts_with('@')) key.remove_prefix(1);
  return valid_backup_name(key);
}

std::string snakecase(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_word(text[i])) {
      ++i;
      continue;
    }
    if (!out.empty()) out += '_';
    const std::size_t start = i;
    for (; i < text.size() && is_word(text[i]); ++i) {
      if (i > start && is_upper(text[i]) && !is_upper(text[i - 1])) out += '_';
      out += is_upper(text[i]) ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    }
  }
  return out;
}

std::string default_backup_name(std::string_view prefix, std::string_view app_name,
                                std::chrono::system_clock::time_point now) {
  std::string app = snakecase(app_name);
  if (app.size() > 50) app.resize(50);
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{}{}_{:%Y%m%d%H%M%S}.zip", prefix, app, utc);
}

}  // namespace basalt::backups
