#include "basalt/graphql/introspection.hpp"

#include <boost/json.hpp>
#include <string>

#include "basalt/graphql/field_failure.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;

std::string_view kind_name(TypeKind kind) {
  switch (kind) {
    case TypeKind::kScalar:
      return "SCALAR";
    case TypeKind::kObject:
      return "OBJECT";
    case TypeKind::kInterface:
      return "INTERFACE";
    case TypeKind::kUnion:
      return "UNION";
    case TypeKind::kEnum:
      return "ENUM";
    case TypeKind::kInputObject:
      return "INPUT_OBJECT";
  }
  return "SCALAR";
}

void literal_of(const json::value& value, TypeView type, std::string& out) {
  const TypeView nullable = type.nullable();
  if (value.is_null()) {
    out += "null";
  } else if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const json::value& item : value.get_array()) {
      if (!first) out += ", ";
      first = false;
      literal_of(item, nullable.list() ? nullable.inner() : nullable, out);
    }
    out += ']';
  } else if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : value.get_object()) {
      if (!first) out += ", ";
      first = false;
      out += key;
      out += ": ";
      const InputValueDef* field =
          nullable.named != nullptr ? nullable.named->find_input_field(key) : nullptr;
      literal_of(item, field != nullptr ? view(field->type) : TypeView{}, out);
    }
    out += '}';
  } else if (value.is_string() && nullable.named != nullptr &&
             nullable.named->kind == TypeKind::kEnum) {
    out += value.get_string();
  } else {
    out += json::serialize(value);
  }
}

class Introspector {
 public:
  explicit Introspector(const ExecutionScope& scope) : scope_(scope), schema_(scope.schema()) {}

  json::value schema_value(const FieldGroup& group) {
    charge();
    const TypeDef& type = *schema_.find_type("__Schema");
    json::object out;
    for (const FieldGroup& sub : scope_.collect_sub(type, group)) {
      const std::string_view name = sub.field_name;
      json::value value;
      if (name == "__typename") {
        value = "__Schema";
      } else if (name == "types") {
        json::array types;
        for (const TypeDef& t : schema_.types()) types.push_back(type_value(TypeView{"", &t}, sub));
        value = std::move(types);
      } else if (name == "queryType" || name == "mutationType" || name == "subscriptionType") {
        const OperationType operation = name == "queryType"      ? OperationType::kQuery
                                        : name == "mutationType" ? OperationType::kMutation
                                                                 : OperationType::kSubscription;
        const TypeDef* root = schema_.root(operation);
        value = root != nullptr ? type_value(TypeView{"", root}, sub) : json::value(nullptr);
      } else if (name == "directives") {
        json::array directives;
        for (const DirectiveDef& d : schema_.directives())
          directives.push_back(directive_value(d, sub));
        value = std::move(directives);
      }
      out[sub.response_name] = std::move(value);
    }
    return out;
  }

  json::value type_value(TypeView type, const FieldGroup& group) {
    charge();
    const TypeDef& meta = *schema_.find_type("__Type");
    const bool wrapper = !type.wrappers.empty();
    const TypeDef* named = type.named;
    json::object out;
    for (const FieldGroup& sub : scope_.collect_sub(meta, group)) {
      const std::string_view name = sub.field_name;
      json::value value;
      if (name == "__typename") {
        value = "__Type";
      } else if (name == "kind") {
        value = wrapper ? (type.non_null() ? "NON_NULL" : "LIST") : kind_name(named->kind);
      } else if (name == "name") {
        if (!wrapper) value = named->name;
      } else if (name == "ofType") {
        if (wrapper) value = type_value(type.inner(), sub);
      } else if (!wrapper) {
        value = named_part(*named, name, sub);
      }
      out[sub.response_name] = std::move(value);
    }
    return out;
  }

 private:
  json::value named_part(const TypeDef& t, std::string_view name, const FieldGroup& sub) {
    json::array items;
    if (name == "fields") {
      if (t.kind != TypeKind::kObject && t.kind != TypeKind::kInterface) return nullptr;
      for (const FieldDef& f : t.fields) items.push_back(field_value(f, sub));
    } else if (name == "interfaces") {
      if (t.kind != TypeKind::kObject && t.kind != TypeKind::kInterface) return nullptr;
      for (const std::string& i : t.interfaces) {
        items.push_back(type_value(TypeView{"", schema_.find_type(i)}, sub));
      }
    } else if (name == "possibleTypes") {
      if (!t.is_abstract()) return nullptr;
      for (const TypeDef* p : t.possible_types) items.push_back(type_value(TypeView{"", p}, sub));
    } else if (name == "enumValues") {
      if (t.kind != TypeKind::kEnum) return nullptr;
      for (const std::string& v : t.enum_values) items.push_back(enum_value(v, sub));
    } else if (name == "inputFields") {
      if (t.kind != TypeKind::kInputObject) return nullptr;
      for (const InputValueDef& v : t.input_fields) items.push_back(input_value(v, sub));
    } else {
      return nullptr;  // description, specifiedByURL
    }
    return items;
  }

  json::value field_value(const FieldDef& f, const FieldGroup& group) {
    charge();
    json::object out;
    for (const FieldGroup& sub : scope_.collect_sub(*schema_.find_type("__Field"), group)) {
      const std::string_view name = sub.field_name;
      json::value value;
      if (name == "__typename")
        value = "__Field";
      else if (name == "name")
        value = f.name;
      else if (name == "args")
        value = input_values(f.arguments, sub);
      else if (name == "type")
        value = type_value(view(f.type), sub);
      else if (name == "isDeprecated")
        value = false;
      out[sub.response_name] = std::move(value);
    }
    return out;
  }

  json::array input_values(const std::vector<InputValueDef>& values, const FieldGroup& group) {
    json::array items;
    for (const InputValueDef& v : values) items.push_back(input_value(v, group));
    return items;
  }

  json::value input_value(const InputValueDef& v, const FieldGroup& group) {
    charge();
    json::object out;
    for (const FieldGroup& sub : scope_.collect_sub(*schema_.find_type("__InputValue"), group)) {
      const std::string_view name = sub.field_name;
      json::value value;
      if (name == "__typename")
        value = "__InputValue";
      else if (name == "name")
        value = v.name;
      else if (name == "type")
        value = type_value(view(v.type), sub);
      else if (name == "defaultValue" && v.default_json) {
        value = default_literal(*v.default_json, view(v.type));
      } else if (name == "isDeprecated")
        value = false;
      out[sub.response_name] = std::move(value);
    }
    return out;
  }

  json::value enum_value(const std::string& v, const FieldGroup& group) {
    charge();
    json::object out;
    for (const FieldGroup& sub : scope_.collect_sub(*schema_.find_type("__EnumValue"), group)) {
      const std::string_view name = sub.field_name;
      json::value value;
      if (name == "__typename")
        value = "__EnumValue";
      else if (name == "name")
        value = v;
      else if (name == "isDeprecated")
        value = false;
      out[sub.response_name] = std::move(value);
    }
    return out;
  }

  json::value directive_value(const DirectiveDef& d, const FieldGroup& group) {
    charge();
    json::object out;
    for (const FieldGroup& sub : scope_.collect_sub(*schema_.find_type("__Directive"), group)) {
      const std::string_view name = sub.field_name;
      json::value value;
      if (name == "__typename") {
        value = "__Directive";
      } else if (name == "name") {
        value = d.name;
      } else if (name == "locations") {
        json::array locations;
        for (DirectiveLocation l : d.locations) locations.emplace_back(directive_location_name(l));
        value = std::move(locations);
      } else if (name == "args") {
        value = input_values(d.arguments, sub);
      } else if (name == "isRepeatable") {
        value = d.repeatable;
      }
      out[sub.response_name] = std::move(value);
    }
    return out;
  }

  void charge() {
    if (++values_ > kMaxIntrospectionValues) {
      throw FieldFailure(ErrorCode::kLimitExceeded,
                         "The introspection answer would hold more than " +
                             std::to_string(kMaxIntrospectionValues) + " objects.");
    }
  }

  const ExecutionScope& scope_;
  const Schema& schema_;
  std::size_t values_ = 0;
};

}  // namespace

std::string default_literal(const std::string& json_text, TypeView type) {
  std::string out;
  literal_of(json::parse(json_text), type, out);
  return out;
}

json::value introspect_schema(const ExecutionScope& scope, const FieldGroup& group) {
  return Introspector(scope).schema_value(group);
}

json::value introspect_type(const ExecutionScope& scope, const FieldGroup& group) {
  const json::object arguments = scope.arguments(group);
  const json::value* name = arguments.if_contains("name");
  if (name == nullptr || !name->is_string()) return nullptr;
  const TypeDef* type = scope.schema().find_type(name->get_string());
  if (type == nullptr) return nullptr;
  return Introspector(scope).type_value(TypeView{"", type}, group);
}

}  // namespace basalt::graphql
