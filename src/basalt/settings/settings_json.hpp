// The JSON forms of AppSettings, written and read through the members each section declares
// (app_settings.hpp), so key names and order are declared once and match PocketBase's struct
// order (core/settings_model.go).
//
//   kPublic   what GET/PATCH /api/settings return: secrets (smtp.password, s3.secret,
//             backups.s3.secret) are left out entirely, as PocketBase blanks them and omits
//             the blank value (`omitempty`);
//   kStorage  the `_params` row: everything, secrets included when set.
// String lists and rule lists are always arrays ([] when empty), never null.
//
// Reading follows Go's json.Unmarshal onto an existing struct (schema::JsonReader): a
// missing key or a null section keeps the current value, null resets a list to empty, a
// rules array replaces the whole list (each element read onto a zero rule), unknown keys are
// ignored, and a value of the wrong JSON type is reported at its path as
// validation_unsupported_value_type while the rest is still read.
// All functions are pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "basalt/schema/validation_errors.hpp"
#include "basalt/settings/app_settings.hpp"

namespace basalt::settings {

enum class SettingsForm { kPublic, kStorage };

boost::json::object settings_to_json(const AppSettings& settings, SettingsForm form);

// settings_to_json as Go's encoding/json writes it (schema::serialize_go_json).
std::string serialize_settings(const AppSettings& settings, SettingsForm form);

// Reads the members present in `body` onto `settings`; type mismatches go to `errors`
// (paths like {"meta","appURL"} or {"rateLimits","rules","0"}).
void read_settings(const boost::json::object& body, AppSettings& settings,
                   schema::ValidationErrors& errors);

// The settings a stored `_params` value holds: the defaults for nullopt, stored keys read onto
// them (a mistyped key keeps its default). Throws std::runtime_error for a value that is not a
// JSON object (PocketBase's encrypted form is not supported).
AppSettings settings_from_storage(const std::optional<std::string>& stored);

}  // namespace basalt::settings
