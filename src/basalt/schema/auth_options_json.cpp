#include "basalt/schema/auth_options_json.hpp"

#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

boost::json::value nullable(const std::optional<std::string>& value) {
  return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

boost::json::value nullable_list(const StringList& list) {
  return list ? strings_to_json(*list) : boost::json::value(nullptr);
}

void read_template(JsonReader& in, std::string_view key, EmailTemplate& out) {
  if (const auto* obj = in.object(key)) {
    JsonReader nested(*obj, in.errors().nested(key));
    nested.read("subject", out.subject);
    nested.read("body", out.body);
  }
}

boost::json::object template_json(const EmailTemplate& t) {
  return boost::json::object{{"subject", t.subject}, {"body", t.body}};
}

void read_token(JsonReader& in, std::string_view key, TokenConfig& out) {
  if (const auto* obj = in.object(key)) {
    JsonReader nested(*obj, in.errors().nested(key));
    nested.read("secret", out.secret);
    nested.read("duration", out.duration);
  }
}

boost::json::object token_json(const TokenConfig& t, JsonForm form) {
  boost::json::object out;
  if (form == JsonForm::kStorage && !t.secret.empty()) out["secret"] = t.secret;
  out["duration"] = t.duration;
  return out;
}

void read_provider(JsonReader& in, OAuth2ProviderConfig& p) {
  in.read("pkce", p.pkce);
  in.read("name", p.name);
  in.read("clientId", p.client_id);
  in.read("clientSecret", p.client_secret);
  in.read("authURL", p.auth_url);
  in.read("tokenURL", p.token_url);
  in.read("userInfoURL", p.user_info_url);
  in.read("displayName", p.display_name);
  if (in.has("extra")) {
    boost::json::value extra;
    in.read("extra", extra);
    if (extra.is_object() || extra.is_null()) {
      p.extra = std::move(extra);
    } else {
      in.errors().add("extra", error_unsupported_type());
    }
  }
}

boost::json::object provider_json(const OAuth2ProviderConfig& p, JsonForm form) {
  boost::json::object out;
  out["pkce"] = p.pkce ? boost::json::value(*p.pkce) : boost::json::value(nullptr);
  out["name"] = p.name;
  out["clientId"] = p.client_id;
  if (form == JsonForm::kStorage && !p.client_secret.empty()) out["clientSecret"] = p.client_secret;
  out["authURL"] = p.auth_url;
  out["tokenURL"] = p.token_url;
  out["userInfoURL"] = p.user_info_url;
  out["displayName"] = p.display_name;
  out["extra"] = p.extra;
  return out;
}

void read_oauth2(JsonReader& in, OAuth2Config& o) {
  const auto* obj = in.object("oauth2");
  if (!obj) return;
  JsonReader oauth2(*obj, in.errors().nested("oauth2"));
  if (oauth2.has("providers")) {
    const auto* list = oauth2.array("providers");
    if (!list) {
      if (obj->at("providers").is_null()) o.providers.reset();
    } else {
      std::vector<OAuth2ProviderConfig> merged;
      const auto* existing = o.providers ? &*o.providers : nullptr;
      ErrorScope scope = oauth2.errors().nested("providers");
      for (std::size_t i = 0; i < list->size(); ++i) {
        OAuth2ProviderConfig p =
            existing && i < existing->size() ? (*existing)[i] : OAuth2ProviderConfig{};
        if (const auto* item = (*list)[i].if_object()) {
          JsonReader provider(*item, scope.nested(std::to_string(i)));
          read_provider(provider, p);
        } else if (!(*list)[i].is_null()) {
          scope.add(std::to_string(i), error_unsupported_type());
        }
        merged.push_back(std::move(p));
      }
      o.providers = std::move(merged);
    }
  }
  if (const auto* mapped = oauth2.object("mappedFields")) {
    JsonReader m(*mapped, oauth2.errors().nested("mappedFields"));
    m.read("id", o.mapped_fields.id);
    m.read("name", o.mapped_fields.name);
    m.read("username", o.mapped_fields.username);
    m.read("avatarURL", o.mapped_fields.avatar_url);
  }
  oauth2.read("enabled", o.enabled);
}

boost::json::object oauth2_json(const OAuth2Config& o, JsonForm form) {
  boost::json::value providers = nullptr;
  if (o.providers || form == JsonForm::kPublic) {
    boost::json::array list;
    if (o.providers) {
      for (const auto& p : *o.providers) list.emplace_back(provider_json(p, form));
    }
    providers = std::move(list);
  }
  const auto& m = o.mapped_fields;
  boost::json::object out;
  out["providers"] = std::move(providers);
  out["mappedFields"] = boost::json::object{
      {"id", m.id}, {"name", m.name}, {"username", m.username}, {"avatarURL", m.avatar_url}};
  out["enabled"] = o.enabled;
  return out;
}

}  // namespace

void read_auth_options(JsonReader& in, AuthOptions& o) {
  in.read("authRule", o.auth_rule);
  in.read("manageRule", o.manage_rule);
  if (const auto* obj = in.object("authAlert")) {
    JsonReader alert(*obj, in.errors().nested("authAlert"));
    alert.read("enabled", o.auth_alert.enabled);
    read_template(alert, "emailTemplate", o.auth_alert.email_template);
  }
  read_oauth2(in, o.oauth2);
  if (const auto* obj = in.object("passwordAuth")) {
    JsonReader password(*obj, in.errors().nested("passwordAuth"));
    password.read("enabled", o.password_auth.enabled);
    password.read("identityFields", o.password_auth.identity_fields);
  }
  if (const auto* obj = in.object("mfa")) {
    JsonReader mfa(*obj, in.errors().nested("mfa"));
    mfa.read("enabled", o.mfa.enabled);
    mfa.read("duration", o.mfa.duration);
    mfa.read("rule", o.mfa.rule);
  }
  if (const auto* obj = in.object("otp")) {
    JsonReader otp(*obj, in.errors().nested("otp"));
    otp.read("enabled", o.otp.enabled);
    otp.read("duration", o.otp.duration);
    otp.read("length", o.otp.length);
    read_template(otp, "emailTemplate", o.otp.email_template);
  }
  read_token(in, "authToken", o.auth_token);
  read_token(in, "passwordResetToken", o.password_reset_token);
  read_token(in, "emailChangeToken", o.email_change_token);
  read_token(in, "verificationToken", o.verification_token);
  read_token(in, "fileToken", o.file_token);
  read_template(in, "verificationTemplate", o.verification_template);
  read_template(in, "resetPasswordTemplate", o.reset_password_template);
  read_template(in, "confirmEmailChangeTemplate", o.confirm_email_change_template);
}

void write_auth_options(const AuthOptions& o, JsonForm form, boost::json::object& out) {
  out["authRule"] = nullable(o.auth_rule);
  out["manageRule"] = nullable(o.manage_rule);
  out["authAlert"] =
      boost::json::object{{"enabled", o.auth_alert.enabled},
                          {"emailTemplate", template_json(o.auth_alert.email_template)}};
  out["oauth2"] = oauth2_json(o.oauth2, form);
  out["passwordAuth"] =
      boost::json::object{{"enabled", o.password_auth.enabled},
                          {"identityFields", nullable_list(o.password_auth.identity_fields)}};
  out["mfa"] = boost::json::object{
      {"enabled", o.mfa.enabled}, {"duration", o.mfa.duration}, {"rule", o.mfa.rule}};
  out["otp"] = boost::json::object{{"enabled", o.otp.enabled},
                                   {"duration", o.otp.duration},
                                   {"length", o.otp.length},
                                   {"emailTemplate", template_json(o.otp.email_template)}};
  out["authToken"] = token_json(o.auth_token, form);
  out["passwordResetToken"] = token_json(o.password_reset_token, form);
  out["emailChangeToken"] = token_json(o.email_change_token, form);
  out["verificationToken"] = token_json(o.verification_token, form);
  out["fileToken"] = token_json(o.file_token, form);
  out["verificationTemplate"] = template_json(o.verification_template);
  out["resetPasswordTemplate"] = template_json(o.reset_password_template);
  out["confirmEmailChangeTemplate"] = template_json(o.confirm_email_change_template);
}

}  // namespace basalt::schema::detail
