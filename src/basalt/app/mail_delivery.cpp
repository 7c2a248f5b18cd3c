#include "basalt/app/mail_delivery.hpp"

namespace basalt::app {

mail::DeliverySettings delivery_settings(const settings::AppSettings& settings) {
  mail::DeliverySettings out;
  out.smtp_enabled = settings.smtp.enabled;
  out.smtp.host = settings.smtp.host;
  out.smtp.port = settings.smtp.port;
  out.smtp.username = settings.smtp.username;
  out.smtp.password = settings.smtp.password;
  out.smtp.auth_method = settings.smtp.auth_method;
  out.smtp.tls = settings.smtp.tls;
  out.smtp.local_name = settings.smtp.local_name;
  out.sender = {settings.meta.sender_name, settings.meta.sender_address};
  return out;
}

}  // namespace basalt::app
