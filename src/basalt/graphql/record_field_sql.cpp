// A record's JSON object in SQL (record_compiler.hpp): its selected fields, the email as
// records::Visibility shows it, geo points, file URLs.
#include "basalt/graphql/record_compiler.hpp"

#include "basalt/graphql/record_fields.hpp"

namespace basalt::graphql::detail {

namespace json = boost::json;

namespace {

// Percent-encoding of a query parameter value (RFC 3986 unreserved characters kept).
std::string percent_encode_query_value(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

// The JSON object of the selection over the record read as `a`, in selection order.
std::string StatementCompiler::record_json(const Collection& c, const std::string& a,
                                           const FieldGroup& group) {
  const TypeDef* type = generated_.schema.find_type(c.name);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const FieldGroup& sub : scope_.collect_sub(*type, group)) {
    std::string value = value_expr(c, a, sub);
    pairs.emplace_back(std::string(sub.response_name), std::move(value));
  }
  return object_sql(pairs);
}

std::string StatementCompiler::value_expr(const Collection& c, const std::string& a,
                                          const FieldGroup& sub) {
  const std::string_view name = sub.field_name;
  if (name == "__typename") return param(c.name);
  if (name == "id") return col(a, "id");
  if (name == "collectionId") return param(c.id);
  if (name == "collectionName") return param(c.name);
  if (const schema::Field* field = c.field_by_name(name)) return field_expr(c, a, *field, sub);
  if (name.ends_with("_url")) {
    const schema::Field* file = c.field_by_name(name.substr(0, name.size() - 4));
    if (file != nullptr && file->type() == schema::FieldType::kFile) {
      return file_url(c, a, *file, sub);
    }
  }
  if (name.ends_with("_aggregate")) {
    const std::string_view base = name.substr(0, name.size() - 10);
    if (const schema::Field* field = c.field_by_name(base);
        field != nullptr && field->type() == schema::FieldType::kRelation && field->is_multiple()) {
      const Collection* target = catalog_.find(field->as<schema::RelationOptions>()->collection_id);
      if (target != nullptr) {
        return list_aggregate(*target, multiple_relation_source(a, *field, *target, sub), sub);
      }
    }
    if (const auto via = base.find("_via_"); via != std::string_view::npos) {
      const Collection* other = catalog_.find(base.substr(0, via));
      const schema::Field* field =
          other != nullptr ? other->field_by_name(base.substr(via + 5)) : nullptr;
      if (field != nullptr) {
        return list_aggregate(*other, back_relation_source(a, *other, *field, sub), sub);
      }
    }
  }
  if (const auto via = name.find("_via_"); via != std::string_view::npos) {
    const Collection* other = catalog_.find(name.substr(0, via));
    const schema::Field* field =
        other != nullptr ? other->field_by_name(name.substr(via + 5)) : nullptr;
    if (field != nullptr) return back_relation(a, *other, *field, sub);
  }
  throw FieldFailure(ErrorCode::kInternal, "Internal error.");
}

std::string StatementCompiler::field_expr(const Collection& c, const std::string& a,
                                          const schema::Field& field, const FieldGroup& sub) {
  const std::string column = col(a, field.name);
  const FieldShape shape = field_shape(field);
  switch (shape.kind) {
    case FieldShape::kText:
      if (c.is_auth() && field.name == schema::kFieldEmail && !superuser_) {
        return "CASE WHEN " + email_visible(c, a) + " THEN " + column + " END";
      }
      return column;
    case FieldShape::kNumber:
      return shape.integer ? dialect_.integer_cast(column) : column;
    case FieldShape::kBool:
      return json_.boolean(json_.is_true(column));
    case FieldShape::kJson:
      return json_.parse(column);
    case FieldShape::kGeoPoint:
      return geo_point(column, sub);
    case FieldShape::kMultiText:
      return json_.parse_array(column);
    case FieldShape::kFile:
      return field.is_multiple() ? json_.parse_array(column) : column;
    case FieldShape::kRelation:
      return relation(a, field, sub);
  }
  return column;
}

// records::Visibility in SQL: emailVisibility on, the caller's own record, or (for auth
// records that may sign in) a record the caller manages by the manageRule.
std::string StatementCompiler::email_visible(const Collection& c, const std::string& a) {
  std::string out = "(" + json_.is_true(col(a, schema::kFieldEmailVisibility));
  const records::Caller& caller = access_.caller();
  if (!caller.is_guest() && caller.collection->id == c.id) {
    out += " OR " + col(a, "id") + " = " + param(std::string(caller.id()));
  }
  const auto& manage = c.auth.manage_rule;
  if (!caller.is_guest() && manage && !manage->empty()) {
    out += " OR " + visible_condition(a, {access_.rule(c, *manage)}, nullptr);
  }
  return out + ")";
}

std::string StatementCompiler::geo_point(const std::string& column, const FieldGroup& group) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const FieldGroup& sub :
       scope_.collect_sub(*generated_.schema.find_type("GeoPoint"), group)) {
    std::string value = sub.field_name == "__typename"
                            ? param(std::string("GeoPoint"))
                            : json_.number_member(column, sub.field_name, *this);
    pairs.emplace_back(std::string(sub.response_name), std::move(value));
  }
  return "CASE WHEN " + column + " IS NULL THEN NULL ELSE " + object_sql(pairs) + " END";
}

std::string StatementCompiler::file_url(const Collection& c, const std::string& a,
                                        const schema::Field& file, const FieldGroup& sub) {
  const json::object args = arguments(sub);
  std::string suffix;
  if (const json::value* thumb = args.if_contains("thumb"); thumb && thumb->is_string()) {
    if (!thumb->get_string().empty())
      suffix = "?thumb=" + percent_encode_query_value(thumb->get_string());
  }
  const std::string prefix = "/api/files/" + c.id + "/";
  const std::string column = col(a, file.name);
  if (file.is_multiple()) {
    const std::string je = alias();
    const std::string url = param(prefix) + " || " + col(a, "id") + " || '/' || " + je + "." +
                            std::string(json_.each_value()) + " || " + param(suffix);
    return "(SELECT " + json_.array_of_values(url) + " FROM " + json_.each(column) + " AS " + je +
           ")";
  }
  return "CASE WHEN " + column + " IS NULL OR " + column + " = '' THEN NULL ELSE " + param(prefix) +
         " || " + col(a, "id") + " || '/' || " + column + " || " + param(suffix) + " END";
}

}  // namespace basalt::graphql::detail
