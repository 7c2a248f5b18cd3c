#include "basalt/graphql/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <stdexcept>

namespace basalt::graphql {

namespace {

bool is_name(std::string_view text) {
  if (text.empty()) return false;
  auto start = [](char c) { return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (!start(text.front())) return false;
  return std::all_of(text.begin(), text.end(),
                     [&](char c) { return start(c) || (c >= '0' && c <= '9'); });
}

std::string wrap(std::string_view wrappers, std::string_view name) {
  if (wrappers.empty()) return std::string(name);
  if (wrappers.front() == 'N') return wrap(wrappers.substr(1), name) + "!";
  return "[" + wrap(wrappers.substr(1), name) + "]";
}

}  // namespace

TypeRef TypeRef::parse(std::string_view text) {
  TypeRef ref;
  std::string_view rest = text;
  // Outside in: a trailing `!` then an enclosing `[…]`, repeatedly.
  while (true) {
    if (!rest.empty() && rest.back() == '!') {
      ref.wrappers.push_back('N');
      rest.remove_suffix(1);
    }
    if (!rest.empty() && rest.front() == '[') {
      if (rest.back() != ']') break;
      ref.wrappers.push_back('L');
      rest = rest.substr(1, rest.size() - 2);
      continue;
    }
    break;
  }
  if (!is_name(rest)) throw std::invalid_argument(fmt::format("not a type reference: {}", text));
  ref.name = std::string(rest);
  return ref;
}

std::string TypeRef::to_string() const {
  return wrap(wrappers, name);
}

std::string TypeView::to_string() const {
  return wrap(wrappers, named != nullptr ? std::string_view(named->name) : "?");
}

const InputValueDef* FieldDef::find_argument(std::string_view name) const noexcept {
  for (const InputValueDef& argument : arguments) {
    if (argument.name == name) return &argument;
  }
  return nullptr;
}

const FieldDef* TypeDef::find_field(std::string_view name) const noexcept {
  if (!field_index.empty()) {
    auto found = field_index.find(name);
    return found == field_index.end() ? nullptr : found->second;
  }
  for (const FieldDef& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

const InputValueDef* TypeDef::find_input_field(std::string_view name) const noexcept {
  for (const InputValueDef& field : input_fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

bool TypeDef::has_enum_value(std::string_view name) const noexcept {
  return std::find(enum_values.begin(), enum_values.end(), name) != enum_values.end();
}

bool TypeDef::is_possible(const TypeDef* object) const noexcept {
  return std::find(possible_types.begin(), possible_types.end(), object) != possible_types.end();
}

std::string_view directive_location_name(DirectiveLocation location) noexcept {
  switch (location) {
    case DirectiveLocation::kQuery:
      return "QUERY";
    case DirectiveLocation::kMutation:
      return "MUTATION";
    case DirectiveLocation::kSubscription:
      return "SUBSCRIPTION";
    case DirectiveLocation::kField:
      return "FIELD";
    case DirectiveLocation::kFragmentDefinition:
      return "FRAGMENT_DEFINITION";
    case DirectiveLocation::kFragmentSpread:
      return "FRAGMENT_SPREAD";
    case DirectiveLocation::kInlineFragment:
      return "INLINE_FRAGMENT";
    case DirectiveLocation::kVariableDefinition:
      return "VARIABLE_DEFINITION";
  }
  return "FIELD";
}

const InputValueDef* DirectiveDef::find_argument(std::string_view name) const noexcept {
  for (const InputValueDef& argument : arguments) {
    if (argument.name == name) return &argument;
  }
  return nullptr;
}

bool DirectiveDef::allowed_at(DirectiveLocation location) const noexcept {
  return std::find(locations.begin(), locations.end(), location) != locations.end();
}

Schema::Schema() {
  adding_builtins_ = true;
  add_builtins();
  adding_builtins_ = false;
}

TypeDef& Schema::add_type(TypeDef type) {
  if (finished_) throw std::logic_error("Schema::add_type after finish()");
  if (!is_name(type.name)) throw std::invalid_argument("not a GraphQL name: " + type.name);
  // Names starting with "__" belong to introspection (section 4), which the Schema adds itself.
  if (type.name.starts_with("__") && !adding_builtins_) {
    throw std::invalid_argument("the name " + type.name + " is reserved for introspection");
  }
  if (type_index_.contains(type.name)) {
    throw std::invalid_argument("the type " + type.name + " is defined twice");
  }
  TypeDef& added = types_.emplace_back(std::move(type));
  type_index_.emplace(added.name, &added);
  return added;
}

DirectiveDef& Schema::add_directive(DirectiveDef directive) {
  if (finished_) throw std::logic_error("Schema::add_directive after finish()");
  if (directive_index_.contains(directive.name)) {
    throw std::invalid_argument("the directive @" + directive.name + " is defined twice");
  }
  DirectiveDef& added = directives_.emplace_back(std::move(directive));
  directive_index_.emplace(added.name, &added);
  return added;
}

void Schema::set_root(OperationType operation, std::string type_name) {
  root_names_[static_cast<int>(operation)] = std::move(type_name);
}

namespace {

// A default value must be JSON: variable coercion parses it when a value is left out.
void check_default(const InputValueDef& input, std::string_view owner) {
  if (!input.default_json) return;
  boost::system::error_code failed;
  boost::json::parse(*input.default_json, failed);
  if (failed) {
    throw std::invalid_argument(fmt::format("{}: the default value is not JSON", owner));
  }
}

}  // namespace

void Schema::resolve(TypeRef& ref, std::string_view owner) {
  const TypeDef* named = find_type(ref.name);
  if (named == nullptr) {
    throw std::invalid_argument(fmt::format("{} refers to the unknown type {}", owner, ref.name));
  }
  ref.named = named;
}

void Schema::finish() {
  if (finished_) return;
  for (TypeDef& type : types_) {
    for (FieldDef& field : type.fields) {
      std::string owner = type.name + "." + field.name;
      resolve(field.type, owner);
      if (!field.type.named->is_composite() && !field.type.named->is_leaf()) {
        throw std::invalid_argument(owner + " must have an output type");
      }
      for (InputValueDef& argument : field.arguments) {
        resolve(argument.type, owner + "(" + argument.name + ")");
        check_default(argument, owner + "(" + argument.name + ")");
        if (!argument.type.named->is_input()) {
          throw std::invalid_argument(owner + "(" + argument.name + ") must have an input type");
        }
      }
      type.field_index.emplace(field.name, &field);
    }
    for (InputValueDef& field : type.input_fields) {
      resolve(field.type, type.name + "." + field.name);
      check_default(field, type.name + "." + field.name);
      if (!field.type.named->is_input()) {
        throw std::invalid_argument(type.name + "." + field.name + " must have an input type");
      }
    }
    if (type.kind == TypeKind::kObject) type.possible_types.push_back(&type);
    if (type.kind == TypeKind::kUnion) {
      for (const std::string& member : type.members) {
        const TypeDef* object = find_type(member);
        if (object == nullptr || object->kind != TypeKind::kObject) {
          throw std::invalid_argument("the union " + type.name + " has a member " + member +
                                      " that is not an object type");
        }
        type.possible_types.push_back(object);
      }
    }
  }
  // Interfaces: every object type that names them.
  for (TypeDef& type : types_) {
    for (const std::string& name : type.interfaces) {
      TypeDef* interface = type_index_.contains(name) ? type_index_.at(name) : nullptr;
      if (interface == nullptr || interface->kind != TypeKind::kInterface) {
        throw std::invalid_argument(type.name + " implements " + name +
                                    ", which is not an interface");
      }
      if (type.kind == TypeKind::kObject) interface->possible_types.push_back(&type);
    }
  }
  for (DirectiveDef& directive : directives_) {
    for (InputValueDef& argument : directive.arguments) {
      resolve(argument.type, "@" + directive.name + "(" + argument.name + ")");
    }
  }
  for (int i = 0; i < 3; ++i) {
    if (root_names_[i].empty()) continue;
    const TypeDef* root = find_type(root_names_[i]);
    if (root == nullptr || root->kind != TypeKind::kObject) {
      throw std::invalid_argument("the root type " + root_names_[i] + " is not an object type");
    }
    roots_[i] = root;
  }
  if (roots_[0] == nullptr) throw std::invalid_argument("a schema needs a query root type");
  resolve(typename_field_.type, "__typename");
  resolve(schema_field_.type, "__schema");
  resolve(type_field_.type, "__type");
  for (InputValueDef& argument : type_field_.arguments) resolve(argument.type, "__type(name)");
  finished_ = true;
}

const TypeDef* Schema::find_type(std::string_view name) const noexcept {
  auto found = type_index_.find(name);
  return found == type_index_.end() ? nullptr : found->second;
}

const DirectiveDef* Schema::find_directive(std::string_view name) const noexcept {
  auto found = directive_index_.find(name);
  return found == directive_index_.end() ? nullptr : found->second;
}

const TypeDef* Schema::root(OperationType operation) const noexcept {
  return roots_[static_cast<int>(operation)];
}

const FieldDef* Schema::meta_field(const TypeDef& parent, std::string_view name) const noexcept {
  if (!parent.is_composite() || name.size() < 2 || name[0] != '_' || name[1] != '_') {
    return nullptr;
  }
  if (name == "__typename") return &typename_field_;
  if (&parent == roots_[0]) {
    if (name == "__schema") return &schema_field_;
    if (name == "__type") return &type_field_;
  }
  return nullptr;
}

}  // namespace basalt::graphql
