// The "geoPoint" field type (core/field_geo_point.go): {"lon": x, "lat": y}; {0, 0} is empty.

#include <boost/json/parse.hpp>

#include "basalt/schema/builtin_field_types.hpp"

namespace basalt::schema::detail {
namespace {

constexpr double kMaxLatitude = 90;
constexpr double kMaxLongitude = 180;

double coordinate(const boost::json::object& point, std::string_view key) {
  auto it = point.find(key);
  if (it == point.end()) return 0;
  const boost::json::value& v = it->value();
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return 0;  // a non-number does not unmarshal into the coordinate
}

boost::json::value point(double lon, double lat) {
  boost::json::object out;
  out["lon"] = lon;
  out["lat"] = lat;
  return out;
}

void read_options(JsonReader&, FieldOptions&) {}
void write_options(const FieldOptions&, boost::json::object&) {}
void check_options(const Field&, const DefinitionContext&, const ErrorScope&) {}

ColumnSpec column(const Field&) {
  return ColumnSpec{{}, ColumnKind::kJson, ColumnDefault::kZeroGeoPoint, false, true};
}

boost::json::value prepare(const Field&, const boost::json::value& raw) {
  boost::json::value parsed;
  const boost::json::value* source = &raw;
  if (const auto* text = raw.if_string(); text && !text->empty()) {
    boost::system::error_code ec;
    parsed = boost::json::parse(*text, ec);
    if (ec) parsed = nullptr;
    source = &parsed;
  }
  if (const auto* obj = source->if_object()) {
    return point(coordinate(*obj, "lon"), coordinate(*obj, "lat"));
  }
  return point(0, 0);
}

boost::json::value apply(const Field& field, Modifier m, const boost::json::value& raw,
                         const boost::json::value& current) {
  return m == Modifier::kSet ? prepare(field, raw) : current;
}

std::optional<FieldError> validate(const ValueContext& ctx, const boost::json::value& value) {
  double lon = 0;
  double lat = 0;
  if (const auto* obj = value.if_object()) {
    lon = coordinate(*obj, "lon");
    lat = coordinate(*obj, "lat");
  }
  if (lat == 0 && lon == 0) {
    if (ctx.field.required) return error_required();
    return std::nullopt;
  }
  if (lat < -kMaxLatitude || lat > kMaxLatitude) {
    return make_error("validation_invalid_latitude",
                      "Latitude must be between -90 and 90 degrees.");
  }
  if (lon < -kMaxLongitude || lon > kMaxLongitude) {
    return make_error("validation_invalid_longitude",
                      "Longitude must be between -180 and 180 degrees.");
  }
  return std::nullopt;
}

}  // namespace

FieldTypeInfo geo_point_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kGeoPoint;
  info.name = field_type_name(FieldType::kGeoPoint);
  info.read_options = read_options;
  info.write_options = write_options;
  info.check_options = check_options;
  info.column = column;
  info.prepare = prepare;
  info.apply = apply;
  info.finalize = nullptr;
  info.validate = validate;
  return info;
}

}  // namespace basalt::schema::detail
