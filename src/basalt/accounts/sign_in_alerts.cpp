#include "basalt/accounts/sign_in_alerts.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include "basalt/accounts/account_flows.hpp"
#include "basalt/accounts/account_mails.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::accounts {

std::string alert_user_agent(std::string_view user_agent) {
  if (user_agent.size() <= kAlertUserAgentMax) return std::string(user_agent);
  return std::string(user_agent.substr(0, kAlertUserAgentMax)) + "...";
}

std::string origin_fingerprint(std::string_view ip, std::string_view user_agent) {
  const std::string input = std::string(ip) + std::string(user_agent);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &size, EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("MD5 is not available");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0f];
  }
  return out;
}

std::string alert_info(std::string_view when, std::string_view ip, std::string_view user_agent) {
  return std::string(when) + " - " + std::string(ip) + " " + std::string(user_agent);
}

boost::asio::awaitable<void> AccountFlows::note_sign_in(
    std::shared_ptr<const collections::Catalog> catalog, const schema::Collection& collection,
    boost::json::object record, std::string ip, std::string user_agent) {
  if (!collection.auth.auth_alert.enabled) co_return;
  const std::string agent = alert_user_agent(user_agent);
  std::string fingerprint = origin_fingerprint(ip, agent);
  const auto* id = record.if_contains(schema::kFieldId);
  if (!id || !id->is_string()) co_return;
  std::string collection_ref = collection.id;
  std::string record_ref(id->get_string());
  const records::AuthOriginNote note = co_await parts_.records.note_auth_origin(
      std::move(collection_ref), std::move(record_ref), std::move(fingerprint));
  const auto* email = record.if_contains(schema::kFieldEmail);
  const bool has_email = email && email->is_string() && !email->get_string().empty();
  // As PocketBase: never for the first sign-in ever (nothing to compare with), only for a
  // device not seen before, only to an address.
  if (note.first_sign_in || !note.new_origin || !has_email) co_return;
  std::string info = alert_info(schema::format_datetime(parts_.clock.now()), ip, agent);
  MailContext context{std::move(catalog), &collection, std::move(record), &parts_.settings,
                      &parts_.clock};
  parts_.outbox.submit(auth_alert_mail(std::move(context), std::move(info)));
}

}  // namespace basalt::accounts
