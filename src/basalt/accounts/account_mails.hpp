// The mails of the account flows, composed on the outbox thread (mail/outbox.hpp) from what the
// request handed over: the collection (kept alive by its catalog), a copy of the record, and
// the live settings for the application's name and URL.
//
// Each uses the collection's template (verificationTemplate, resetPasswordTemplate,
// confirmEmailChangeTemplate, otp.emailTemplate, authAlert.emailTemplate) with {APP_NAME},
// {APP_URL}, {TOKEN} (the typed token, issued when the mail is composed), {OTP} and {OTP_ID} (OTP
// mails), {ALERT_INFO} (sign-in alerts) and {RECORD:field} (any field but password and tokenKey).
// The HTML body gets escaped values, the subject raw ones (mail/template.hpp).
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>

#include "basalt/auth/tokens.hpp"
#include "basalt/collections/catalog.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/mail/outbox.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::accounts {

// What every account mail is composed from. `collection` lives in `catalog`.
struct MailContext {
  std::shared_ptr<const collections::Catalog> catalog;
  const schema::Collection* collection = nullptr;
  boost::json::object record;  // every stored field at request time
  const settings::SettingsService* settings = nullptr;
  const core::Clock* clock = nullptr;
};

// A mail with a typed token (kVerification, kPasswordReset: to the record's email;
// kEmailChange: to `new_email`).
mail::MailJob token_mail(MailContext context, auth::TokenType type, std::string new_email = {});

// The one-time password mail, to the record's email.
mail::MailJob otp_mail(MailContext context, std::string otp_id, std::string password);

// The sign-in alert (authAlert.emailTemplate) to the record's email; `info` fills
// {ALERT_INFO} (sign_in_alerts.hpp alert_info).
mail::MailJob auth_alert_mail(MailContext context, std::string info);

// A sample of `template_name` ("verification", "password-reset", "email-change", "otp") sent
// to `to` for a superuser's test of the SMTP settings: the collection's real template with
// placeholder values (TEST_TOKEN, 12345678), never a usable token; `context.record` may be
// empty.
mail::MailJob test_mail(MailContext context, std::string template_name, std::string to);

// The record fields a template may show: all but password and tokenKey.
boost::json::object template_record(const boost::json::object& record);

}  // namespace basalt::accounts
