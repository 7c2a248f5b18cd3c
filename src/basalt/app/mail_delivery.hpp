// The outbox's view of the live settings (mail/outbox.hpp): settings.smtp and the sender of
// settings.meta, read from the settings service's current snapshot at each send, so a PATCH
// /api/settings applies to the next mail without a restart.
#pragma once

#include "basalt/mail/outbox.hpp"
#include "basalt/settings/app_settings.hpp"

namespace basalt::app {

mail::DeliverySettings delivery_settings(const settings::AppSettings& settings);

}  // namespace basalt::app
