// Where api::finish_sign_in finds the scripts' sign-in hooks (auth/sign_in_hooks.hpp). Set once
// by the composition root before the server starts, like Dispatcher::set_dynamic_routes; one
// per process (null: none). Kept out of api::Services so that wiring it touches no header the
// whole API includes.
#pragma once

#include "basalt/auth/sign_in_hooks.hpp"

namespace basalt::api {

void set_sign_in_hooks(auth::SignInHooks* hooks) noexcept;
auth::SignInHooks* sign_in_hooks() noexcept;

}  // namespace basalt::api
