// The rules a complete AppSettings must satisfy before it is stored, as PocketBase's
// Settings.PostValidate and the sections' Validate methods state them (core/settings_model.go):
//
//   superuserIPs.N        required, an IP or CIDR subnet
//   meta                  accentColor 7 chars and a hex colour (when set); appName and
//                         senderName required, 1-255 characters; appURL required, a URL;
//                         senderAddress required, an email
//   logs                  maxDays >= 0
//   smtp                  host required when enabled, an IP or DNS name; port required when
//                         enabled, >= 0; authMethod "", PLAIN or LOGIN; localName a host
//   s3, backups.s3        endpoint a URL; endpoint, bucket, region, accessKey, secret required
//                         when enabled
//   backups               cron a valid expression (cron_expression.hpp); cronMaxKeep required
//                         when cron is set, >= 1
//   batch                 maxRequests and timeout required when enabled; those and
//                         maxBodySize >= 0
//   rateLimits            rules required when enabled; no two rules whose "label@@audience"
//                         keys are prefixes of each other (error at rules.N.label); each rule:
//                         label required and of the label grammar, maxRequests and duration
//                         required and >= 1, audience "", @guest or @auth;
//                         excludedIPs.N required, an IP or CIDR subnet
//
// Every key reports the first rule it fails, with ozzo-validation's code and message (e.g.
// {"meta":{"appURL":{"code":"validation_is_url","message":"Must be a valid URL."}}}); every
// key is checked. Pure; thread-safe.
#pragma once

#include <string_view>

#include "basalt/schema/validation_errors.hpp"
#include "basalt/settings/app_settings.hpp"

namespace basalt::settings {

schema::ValidationErrors validate_settings(const AppSettings& settings);

// PocketBase's rateLimitRuleLabelRegex: `name`, `name:action`, `*:action`, `/path/prefix` or
// `METHOD /path` (word characters, '/', '-').
bool is_rate_limit_label(std::string_view label);

}  // namespace basalt::settings
