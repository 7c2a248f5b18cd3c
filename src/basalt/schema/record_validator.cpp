#include "basalt/schema/record_validator.hpp"

#include <algorithm>
#include <stdexcept>

#include "basalt/schema/value_cast.hpp"

namespace basalt::schema {
namespace {

constexpr std::string_view kPasswordConfirm = "passwordConfirm";
constexpr std::string_view kOldPassword = "oldPassword";
constexpr std::string_view kExpand = "expand";
constexpr std::string_view kAutogenerateSuffix = ":autogenerate";

// One body key resolved to the field it addresses.
struct Setter {
  std::size_t key_length;
  std::size_t order;  // position in the body, for ties
  std::size_t field;
  Modifier modifier;
  const boost::json::value* value;
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The field index and modifier a body key addresses, if any (PocketBase's FindSetter).
std::optional<std::pair<std::size_t, Modifier>> resolve_key(std::string_view key,
                                                            const Collection& c,
                                                            const FieldTypeRegistry& registry) {
  for (std::size_t i = 0; i < c.fields.size(); ++i) {
    const Field& field = c.fields[i];
    if (key == field.name) return std::pair{i, Modifier::kSet};
    std::uint8_t allowed = registry.at(field.type()).modifiers;
    auto accepts = [&](Modifier m) { return (allowed & modifier_bit(m)) != 0; };
    std::string_view name = field.name;
    if (key.size() == name.size() + 1) {
      if (key.back() == '+' && key.substr(0, name.size()) == name && accepts(Modifier::kAppend)) {
        return std::pair{i, Modifier::kAppend};
      }
      if (key.back() == '-' && key.substr(0, name.size()) == name && accepts(Modifier::kSubtract)) {
        return std::pair{i, Modifier::kSubtract};
      }
      if (key.front() == '+' && key.substr(1) == name && accepts(Modifier::kPrepend)) {
        return std::pair{i, Modifier::kPrepend};
      }
    }
    if (ends_with(key, kAutogenerateSuffix) &&
        key.substr(0, key.size() - kAutogenerateSuffix.size()) == name &&
        accepts(Modifier::kAutogenerate)) {
      return std::pair{i, Modifier::kAutogenerate};
    }
  }
  return std::nullopt;
}

std::string body_text(const boost::json::object& body, std::string_view key) {
  auto it = body.find(key);
  return it == body.end() ? std::string() : to_text(it->value());
}

struct AuthForm {
  std::string password;
  std::string password_confirm;
  std::string old_password;
};

// forms/record_upsert.go validateFormFields.
void check_auth_form(const RecordInput& in, const AuthForm& form, const boost::json::value* email,
                     const boost::json::value* old_email, bool verified, bool old_verified,
                     ValidationErrors& errors, RecordValues& out) {
  bool is_new = in.old == nullptr;
  bool manager = in.access != AccessLevel::kDefault;
  if (!is_new && !manager && email && old_email && *email != *old_email) {
    errors.add({"email"}, error_values_mismatch());
  }
  if (!manager && verified != old_verified) errors.add({"verified"}, error_values_mismatch());
  if ((is_new || !form.password_confirm.empty() || !form.old_password.empty()) &&
      form.password.empty()) {
    errors.add({"password"}, error_required());
  }
  if ((is_new || !form.password.empty() || !form.old_password.empty()) &&
      form.password_confirm.empty()) {
    errors.add({std::string(kPasswordConfirm)}, error_required());
  } else if (form.password_confirm != form.password) {
    errors.add({std::string(kPasswordConfirm)}, error_values_mismatch());
  }
  if (!is_new && !manager && (!form.password.empty() || !form.password_confirm.empty())) {
    if (form.old_password.empty()) {
      errors.add({std::string(kOldPassword)}, error_required());
    } else {
      out.old_password_to_verify = form.old_password;
    }
  }
}

}  // namespace

RecordValidation validate_record(const RecordInput& in, const FieldTypeRegistry& registry) {
  const Collection& c = in.collection;
  if (c.is_view()) throw std::invalid_argument("validate_record: view collections are read-only");
  bool is_new = in.old == nullptr;
  bool superuser = in.access == AccessLevel::kSuperuser;

  // 1. Starting values.
  std::vector<boost::json::value> old_values(c.fields.size());
  std::vector<boost::json::value> values(c.fields.size());
  for (std::size_t i = 0; i < c.fields.size(); ++i) {
    const Field& field = c.fields[i];
    const FieldTypeInfo& info = registry.at(field.type());
    boost::json::value stored = nullptr;
    if (in.old) {
      if (auto it = in.old->find(field.name); it != in.old->end()) stored = it->value();
    }
    old_values[i] = info.prepare(field, stored);
    values[i] = old_values[i];
  }

  // 2. Body keys, shortest first.
  std::vector<Setter> setters;
  std::size_t order = 0;
  for (const auto& entry : in.body) {
    std::string_view key = entry.key();
    if (key == kExpand) continue;
    if (c.is_auth() && (key == kPasswordConfirm || key == kOldPassword)) continue;
    auto target = resolve_key(key, c, registry);
    if (!target) continue;  // unknown keys are ignored
    const Field& field = c.fields[target->first];
    bool auth_password = c.is_auth() && field.name == kFieldPassword;
    if (field.hidden && !superuser && !auth_password) continue;
    setters.push_back(Setter{key.size(), order++, target->first, target->second, &entry.value()});
  }
  std::stable_sort(setters.begin(), setters.end(),
                   [](const Setter& a, const Setter& b) { return a.key_length < b.key_length; });
  bool token_key_set = false;
  for (const auto& setter : setters) {
    const Field& field = c.fields[setter.field];
    values[setter.field] = registry.at(field.type())
                               .apply(field, setter.modifier, *setter.value, values[setter.field]);
    token_key_set = token_key_set || (c.is_auth() && field.name == kFieldTokenKey);
  }

  // 3. Server-set values.
  FinalizeContext finalize{is_new, in.now};
  for (std::size_t i = 0; i < c.fields.size(); ++i) {
    const Field& field = c.fields[i];
    if (auto hook = registry.at(field.type()).finalize) hook(field, finalize, values[i]);
  }

  RecordValidation result;
  auto index_of = [&c](std::string_view name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < c.fields.size(); ++i) {
      if (c.fields[i].name == name) return i;
    }
    return std::nullopt;
  };

  // 4. Auth collections.
  if (c.is_auth()) {
    AuthForm form{body_text(in.body, kFieldPassword), body_text(in.body, kPasswordConfirm),
                  body_text(in.body, kOldPassword)};
    auto email = index_of(kFieldEmail);
    auto verified = index_of(kFieldVerified);
    auto token_key = index_of(kFieldTokenKey);
    bool email_changed = email && values[*email] != old_values[*email];
    if (!is_new && token_key && !token_key_set && (!form.password.empty() || email_changed)) {
      const auto* text = c.fields[*token_key].as<TextOptions>();
      if (text && !text->autogenerate.empty()) values[*token_key] = text->autogenerate.generate();
    }
    check_auth_form(in, form, email ? &values[*email] : nullptr,
                    email ? &old_values[*email] : nullptr,
                    verified && to_boolean(values[*verified]),
                    verified && to_boolean(old_values[*verified]), result.errors, result.record);
  }

  // 5. Field validation, then the stored forms.
  for (std::size_t i = 0; i < c.fields.size(); ++i) {
    const Field& field = c.fields[i];
    const FieldTypeInfo& info = registry.at(field.type());
    ValueContext context{c, field, is_new, is_new ? nullptr : &old_values[i], in.lookup};
    if (auto error = info.validate(context, values[i])) result.errors.add({field.name}, *error);
  }
  result.record.values.reserve(c.fields.size());
  for (std::size_t i = 0; i < c.fields.size(); ++i) {
    const Field& field = c.fields[i];
    const FieldTypeInfo& info = registry.at(field.type());
    if (field.type() == FieldType::kPassword) {
      if (const auto* working = values[i].if_object()) {
        if (auto it = working->find("plain");
            it != working->end() && it->value().is_string() && !it->value().get_string().empty()) {
          result.record.new_passwords.push_back(
              NewPassword{field.name, std::string(it->value().get_string())});
        }
      }
    }
    // values[i] is not read again: moved, not copied (a long text would be).
    result.record.values[field.name] =
        info.store ? info.store(field, values[i]) : std::move(values[i]);
  }
  return result;
}

}  // namespace basalt::schema
