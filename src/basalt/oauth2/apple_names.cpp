#include "basalt/oauth2/apple_names.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "basalt/oauth2/json_members.hpp"

namespace basalt::oauth2 {

std::string apple_user_name(std::string_view user_json) {
  if (user_json.empty() || user_json.size() > 4096) return {};
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(user_json, ec);
  if (ec || !doc.is_object()) return {};
  const boost::json::value* name = doc.get_object().if_contains("name");
  if (!name || !name->is_object()) return {};
  std::string full = string_member(name->get_object(), "firstName") + " " +
                     string_member(name->get_object(), "lastName");
  if (full.size() > kMaxAppleNameBytes) {
    std::size_t cut = kMaxAppleNameBytes;
    while (cut > 0 && (static_cast<unsigned char>(full[cut]) & 0xC0) == 0x80) --cut;
    full.resize(cut);
  }
  const auto begin = full.find_first_not_of(' ');
  if (begin == std::string::npos) return {};
  return full.substr(begin, full.find_last_not_of(' ') - begin + 1);
}

void AppleNames::remember(std::string_view code, std::string_view user_json) {
  if (code.empty() || code.size() > kMaxAppleCodeLength) return;
  std::string name = apple_user_name(user_json);
  if (name.empty()) return;
  std::lock_guard lock(mutex_);
  while (names_.size() >= kMaxAppleNames && !order_.empty()) {
    names_.erase(order_.front());
    order_.pop_front();
  }
  std::string key(code);
  names_[key] = {std::move(name), clock_.steady_now() + kAppleNameTtl};
  order_.push_back(std::move(key));
  // Keeps the order list from outgrowing the map through taken entries.
  if (order_.size() > 2 * kMaxAppleNames) {
    std::deque<std::string> live;
    for (auto& c : order_) {
      if (names_.contains(c)) live.push_back(std::move(c));
    }
    order_ = std::move(live);
  }
}

std::string AppleNames::take(std::string_view code) {
  std::lock_guard lock(mutex_);
  auto found = names_.find(std::string(code));
  if (found == names_.end()) return {};
  std::string name =
      clock_.steady_now() < found->second.expires ? std::move(found->second.name) : std::string();
  names_.erase(found);
  return name;
}

}  // namespace basalt::oauth2
