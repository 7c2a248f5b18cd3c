// The schema of the specification's validation examples (Dog, Cat, Pet, Human, Alien, …), built
// by hand through the Schema model, for the graphql module's tests and its fuzzer.
#pragma once

#include <memory>

#include "basalt/graphql/schema.hpp"

namespace basalt::graphql::testing {

// A finished schema; the same shape on every call.
std::unique_ptr<Schema> make_pet_schema();

}  // namespace basalt::graphql::testing
