// The "relation" field type (core/field_relation.go): ids of records in another collection.
// Whether those records exist is asked of the caller's RecordLookup.

#include <algorithm>

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

void read_options(JsonReader& in, FieldOptions& options) {
  auto& o = std::get<RelationOptions>(options);
  in.read("collectionId", o.collection_id);
  in.read("cascadeDelete", o.cascade_delete);
  in.read("minSelect", o.min_select);
  in.read("maxSelect", o.max_select);
}

void write_options(const FieldOptions& options, boost::json::object& out) {
  const auto& o = std::get<RelationOptions>(options);
  out["cascadeDelete"] = o.cascade_delete;
  out["collectionId"] = o.collection_id;
  out["maxSelect"] = o.max_select;
  out["minSelect"] = o.min_select;
}

void check_collection(const Field& field, const DefinitionContext& ctx, const ErrorScope& out) {
  const auto& o = std::get<RelationOptions>(field.options);
  if (o.collection_id.empty()) {
    out.add("collectionId", error_required());
    return;
  }
  if (ctx.old) {
    const Field* old_field = ctx.old->field_by_id(field.id);
    const auto* old_options = old_field ? old_field->as<RelationOptions>() : nullptr;
    if (old_options && old_options->collection_id != o.collection_id) {
      out.add("collectionId", make_error("validation_field_relation_change",
                                         "The relation collection cannot be changed."));
      return;
    }
  }
  // A collection may relate to itself, also while it is being created.
  const Collection* related =
      o.collection_id == ctx.collection.id ? &ctx.collection : ctx.lookup.find(o.collection_id);
  if (!related || related->id != o.collection_id) {
    out.add("collectionId", make_error("validation_field_relation_missing_collection",
                                       "The relation collection doesn't exist."));
    return;
  }
  if (!ctx.collection.is_view() && related->is_view()) {
    out.add("collectionId",
            make_error("validation_relation_field_non_view_base_collection",
                       "Only view collections are allowed to have relations to other views."));
  }
}

void check_options(const Field& field, const DefinitionContext& ctx, const ErrorScope& out) {
  const auto& o = std::get<RelationOptions>(field.options);
  check_collection(field, ctx, out);
  if (o.min_select < 0) out.add("minSelect", error_min_threshold(0));
  if (o.min_select > 0 && o.max_select == 0) out.add("maxSelect", error_required());
  check_min(out, "maxSelect", o.max_select, o.min_select);
}

ColumnSpec column(const Field& field) {
  if (field.is_multiple()) {
    return ColumnSpec{{}, ColumnKind::kJson, ColumnDefault::kEmptyJsonArray, false, true};
  }
  return ColumnSpec{{}, ColumnKind::kText, ColumnDefault::kEmptyText, false, true};
}

boost::json::value prepare(const Field& field, const boost::json::value& raw) {
  return list_value(field, to_unique_strings(raw));
}

std::optional<FieldError> validate(const ValueContext& ctx, const boost::json::value& value) {
  const auto& o = std::get<RelationOptions>(ctx.field.options);
  std::vector<std::string> ids = list_of(value);
  if (ids.empty()) {
    if (ctx.field.required) return error_required();
    return std::nullopt;
  }
  if (o.min_select > 0 && static_cast<std::int64_t>(ids.size()) < o.min_select) {
    return make_error("validation_not_enough_values", "Select at least {{.minSelect}}",
                      {{"minSelect", o.min_select}});
  }
  auto max = std::max<std::int64_t>(o.max_select, 1);
  if (static_cast<std::int64_t>(ids.size()) > max) {
    return make_error("validation_too_many_values", "Select no more than {{.maxSelect}}",
                      {{"maxSelect", max}});
  }
  if (!ctx.lookup) return std::nullopt;
  std::optional<std::size_t> found = ctx.lookup->count_existing(o.collection_id, ids);
  if (!found) {
    return make_error("validation_missing_rel_collection",
                      "Relation connection is missing or cannot be accessed");
  }
  if (*found != ids.size()) {
    return make_error("validation_missing_rel_records",
                      "Failed to find all relation records with the provided ids");
  }
  return std::nullopt;
}

}  // namespace

FieldTypeInfo relation_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kRelation;
  info.name = field_type_name(FieldType::kRelation);
  info.modifiers = modifier_bit(Modifier::kAppend) | modifier_bit(Modifier::kPrepend) |
                   modifier_bit(Modifier::kSubtract);
  info.read_options = read_options;
  info.write_options = write_options;
  info.check_options = check_options;
  info.column = column;
  info.prepare = prepare;
  info.apply = apply_list;
  info.finalize = nullptr;
  info.validate = validate;
  return info;
}

}  // namespace basalt::schema::detail
