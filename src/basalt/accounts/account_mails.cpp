#include "basalt/accounts/account_mails.hpp"

#include "basalt/accounts/flow_tokens.hpp"
#include "basalt/mail/template.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::accounts {
namespace {

namespace json = boost::json;

std::string record_email(const json::object& record) {
  const auto* value = record.if_contains(schema::kFieldEmail);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

mail::MailMessage render(const MailContext& context, const schema::EmailTemplate& email,
                         mail::TemplateValues values, std::string to) {
  const auto settings = context.settings->current();
  values.named.emplace_back("APP_NAME", settings->meta.app_name);
  values.named.emplace_back("APP_URL", settings->meta.app_url);
  values.record = template_record(context.record);
  mail::MailMessage message;
  message.to = {{"", std::move(to)}};
  message.subject = mail::render_template(email.subject, values, mail::TemplateContext::kText);
  message.html = mail::render_template(email.body, values, mail::TemplateContext::kHtml);
  return message;
}

const schema::EmailTemplate& token_template(const schema::Collection& collection,
                                            auth::TokenType type) {
  switch (type) {
    case auth::TokenType::kPasswordReset:
      return collection.auth.reset_password_template;
    case auth::TokenType::kEmailChange:
      return collection.auth.confirm_email_change_template;
    default:
      return collection.auth.verification_template;
  }
}

std::string_view job_kind(auth::TokenType type) {
  switch (type) {
    case auth::TokenType::kPasswordReset:
      return "password-reset";
    case auth::TokenType::kEmailChange:
      return "email-change";
    default:
      return "verification";
  }
}

}  // namespace

json::object template_record(const json::object& record) {
  json::object out = record;
  out.erase(schema::kFieldPassword);
  out.erase(schema::kFieldTokenKey);
  return out;
}

mail::MailJob token_mail(MailContext context, auth::TokenType type, std::string new_email) {
  std::string kind(job_kind(type));
  return {
      std::move(kind), [context = std::move(context), type, new_email = std::move(new_email)]() {
        mail::TemplateValues values;
        values.named.emplace_back("TOKEN", issue_flow_token(*context.collection, context.record,
                                                            type, context.clock->now(), new_email));
        std::string to =
            type == auth::TokenType::kEmailChange ? new_email : record_email(context.record);
        return std::optional<mail::MailMessage>(render(
            context, token_template(*context.collection, type), std::move(values), std::move(to)));
      }};
}

mail::MailJob otp_mail(MailContext context, std::string otp_id, std::string password) {
  return {"otp", [context = std::move(context), otp_id = std::move(otp_id),
                  password = std::move(password)]() {
            mail::TemplateValues values;
            values.named.emplace_back("OTP", password);
            values.named.emplace_back("OTP_ID", otp_id);
            return std::optional<mail::MailMessage>(
                render(context, context.collection->auth.otp.email_template, std::move(values),
                       record_email(context.record)));
          }};
}

mail::MailJob auth_alert_mail(MailContext context, std::string info) {
  return {"auth-alert", [context = std::move(context), info = std::move(info)]() {
            mail::TemplateValues values;
            values.named.emplace_back("ALERT_INFO", info);
            return std::optional<mail::MailMessage>(
                render(context, context.collection->auth.auth_alert.email_template,
                       std::move(values), record_email(context.record)));
          }};
}

mail::MailJob test_mail(MailContext context, std::string template_name, std::string to) {
  return {"test", [context = std::move(context), template_name = std::move(template_name),
                   to = std::move(to)]() {
            const schema::Collection& collection = *context.collection;
            mail::TemplateValues values;
            // Never a real token: the address is anyone's a superuser types in.
            auto token = [](auth::TokenType) { return std::string("TEST_TOKEN"); };
            const schema::EmailTemplate* email = &collection.auth.verification_template;
            if (template_name == "password-reset") {
              email = &collection.auth.reset_password_template;
              values.named.emplace_back("TOKEN", token(auth::TokenType::kPasswordReset));
            } else if (template_name == "email-change") {
              email = &collection.auth.confirm_email_change_template;
              values.named.emplace_back("TOKEN", token(auth::TokenType::kEmailChange));
            } else if (template_name == "otp") {
              email = &collection.auth.otp.email_template;
              values.named.emplace_back("OTP", "12345678");
              values.named.emplace_back("OTP_ID", "TEST_OTP_ID");
            } else if (template_name == "login-alert") {
              email = &collection.auth.auth_alert.email_template;
              values.named.emplace_back("ALERT_INFO", "Test sign-in from 127.0.0.1");
            } else {
              values.named.emplace_back("TOKEN", token(auth::TokenType::kVerification));
            }
            return std::optional<mail::MailMessage>(render(context, *email, std::move(values), to));
          }};
}

}  // namespace basalt::accounts
