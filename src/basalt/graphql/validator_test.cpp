// The examples of the specification's section 5, rule by rule, valid and invalid, against its
// example schema (testing/pet_schema.cpp).
#include "basalt/graphql/validator.hpp"

#include <gtest/gtest.h>

#include <string>

#include "basalt/graphql/parser.hpp"
#include "basalt/graphql/testing/pet_schema.hpp"

namespace basalt::graphql {
namespace {

const Schema& vt_schema() {
  static const std::unique_ptr<Schema> schema = testing::make_pet_schema();
  return *schema;
}

std::vector<Error> vt_errors(std::string_view source, const Limits& limits = {}) {
  Error error;
  std::optional<Document> document = parse_document(source, limits, error);
  if (!document) {
    ADD_FAILURE() << "did not parse: " << source << "\n" << error.message;
    return {error};
  }
  return validate(*document, vt_schema(), limits);
}

std::string vt_messages(const std::vector<Error>& errors) {
  std::string out;
  for (const Error& error : errors) out += error.message + "\n";
  return out;
}

void vt_valid(std::string_view source) {
  std::vector<Error> errors = vt_errors(source);
  EXPECT_TRUE(errors.empty()) << source << "\n" << vt_messages(errors);
}

// Invalid, with an error whose message contains `expected`.
void vt_invalid(std::string_view source, std::string_view expected) {
  std::vector<Error> errors = vt_errors(source);
  ASSERT_FALSE(errors.empty()) << "valid: " << source;
  bool found = false;
  for (const Error& error : errors) {
    EXPECT_EQ(error.code, ErrorCode::kValidationFailed) << error.message;
    if (error.message.find(expected) != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << source << "\nexpected: " << expected << "\ngot: " << vt_messages(errors);
}

// 5.2.1.1
TEST(GraphqlValidation, OperationNamesAreUnique) {
  vt_valid("query getDogName { dog { name } } query getOwnerName { dog { owner { name } } }");
  vt_invalid("query getName { dog { name } } query getName { dog { owner { name } } }",
             "only one operation named \"getName\"");
  vt_invalid(
      "query dogOperation { dog { name } } mutation dogOperation { addDog(name: \"x\") { "
      "name } }",
      "only one operation named");
}

// 5.2.2.1
TEST(GraphqlValidation, AnAnonymousOperationStandsAlone) {
  vt_valid("{ dog { name } }");
  vt_invalid("{ dog { name } } query getName { dog { owner { name } } }",
             "anonymous operation must be the only");
}

// 5.2.3.1
TEST(GraphqlValidation, SubscriptionsSelectOneRootField) {
  vt_valid("subscription sub { newMessage { body sender } }");
  vt_valid(
      "subscription sub { ...newMessageFields } fragment newMessageFields on Subscription { "
      "newMessage { body sender } }");
  vt_valid("subscription sub { newMessage { body } newMessage { sender } }");
  vt_invalid("subscription sub { newMessage { body sender } disallowedSecondRootField }",
             "must select only one top level field");
  vt_invalid(
      "subscription sub { ...multipleSubscriptions } fragment multipleSubscriptions on "
      "Subscription { newMessage { body sender } disallowedSecondRootField }",
      "must select only one top level field");
  vt_invalid("subscription sub { newMessage { body sender } __typename }",
             "only one top level field");
  vt_invalid("subscription sub { __typename }", "must not select an introspection");
  vt_invalid("subscription { newMessage { body } disallowedSecondRootField }",
             "Anonymous Subscription");
}

// 5.3.1
TEST(GraphqlValidation, FieldsExistOnTheirType) {
  vt_valid(
      "{ dog { ...interfaceFieldSelection } } fragment interfaceFieldSelection on Pet { name }");
  vt_valid("{ catOrDog { __typename ... on Pet { name } ... on Dog { barkVolume } } }");
  vt_invalid("{ dog { meowVolume } }", "Cannot query field \"meowVolume\" on type \"Dog\"");
  vt_invalid("{ dog { barkVolume: kawVolume } }", "Cannot query field \"kawVolume\"");
  vt_invalid("{ pet { nickname } }", "Cannot query field \"nickname\" on type \"Pet\"");
  vt_invalid("{ catOrDog { name } }", "Cannot query field \"name\" on type \"CatOrDog\"");
  vt_invalid("{ dog { __schema { types { name } } } }", "Cannot query field \"__schema\"");
}

TEST(GraphqlValidation, IntrospectionFieldsAreKnown) {
  vt_valid(
      "{ __schema { queryType { name } types { kind name fields(includeDeprecated: true) { "
      "name args { name type { kind ofType { name } } defaultValue } } } } __type(name: "
      "\"Dog\") { name } __typename }");
  vt_invalid("{ __type { name } }", "argument \"name\" of type \"String!\" is required");
}

// 5.3.3
TEST(GraphqlValidation, LeafFieldsHaveNoSelectionsAndOthersNeedOne) {
  vt_valid("{ dog { barkVolume } }");
  vt_invalid("{ dog { barkVolume { sinceWhen } } }", "must not have a selection");
  vt_invalid("{ human }", "must have a selection of subfields");
  vt_invalid("{ pet }", "must have a selection of subfields");
  vt_invalid("{ catOrDog }", "must have a selection of subfields");
  vt_invalid("{ __typename { a } }", "must not have a selection");
}

// 5.4.1
TEST(GraphqlValidation, ArgumentNamesAreKnown) {
  vt_valid("{ dog { doesKnowCommand(dogCommand: SIT) } }");
  vt_valid("{ dog { isHouseTrained(atOtherHomes: true) @include(if: true) } }");
  vt_invalid("{ dog { doesKnowCommand(command: CLEAN_UP_HOUSE) } }",
             "Unknown argument \"command\" on Field \"Dog.doesKnowCommand\"");
  vt_invalid("{ dog { isHouseTrained(atOtherHomes: true) @include(unless: false) } }",
             "Unknown argument \"unless\" on Directive \"@include\"");
}

// 5.4.2
TEST(GraphqlValidation, ArgumentsAreUnique) {
  vt_valid("{ arguments { multipleRequirements(x: 1, y: 2) } }");
  vt_invalid("{ arguments { multipleRequirements(x: 1, x: 2, y: 3) } }",
             "only one argument named \"x\"");
  vt_invalid("{ dog { name @skip(if: true, if: false) } }", "only one argument named \"if\"");
}

// 5.4.2.1
TEST(GraphqlValidation, RequiredArgumentsAreGiven) {
  vt_valid("{ arguments { booleanArgField } }");
  vt_valid("{ arguments { optionalNonNullBooleanArgField } }");
  vt_valid("{ arguments { multipleRequirements(y: 2, x: 1) } }");
  vt_invalid("{ arguments { nonNullBooleanArgField } }",
             "argument \"nonNullBooleanArg\" of type \"Boolean!\" is required");
  vt_invalid("{ arguments { nonNullBooleanArgField(nonNullBooleanArg: null) } }",
             "Expected value of type \"Boolean!\", found null");
  vt_invalid("{ dog { name @include } }", "argument \"if\" of type \"Boolean!\" is required");
}

// 5.5.1.1
TEST(GraphqlValidation, FragmentNamesAreUnique) {
  vt_valid(
      "{ dog { ...fragmentOne ...fragmentTwo } } fragment fragmentOne on Dog { name } "
      "fragment fragmentTwo on Dog { owner { name } }");
  vt_invalid(
      "{ dog { ...fragmentOne } } fragment fragmentOne on Dog { name } fragment "
      "fragmentOne on Dog { owner { name } }",
      "only one fragment named \"fragmentOne\"");
}

// 5.5.1.2
TEST(GraphqlValidation, SpreadTargetTypesExist) {
  vt_valid(
      "{ dog { ...correctType ... @include(if: true) { name } ... on Dog { name } } } "
      "fragment correctType on Dog { name }");
  vt_invalid("{ dog { ...notOnExistingType } } fragment notOnExistingType on NotInSchema { name }",
             "Unknown type \"NotInSchema\"");
  vt_invalid("{ dog { ... on NotInSchema { name } } }", "Unknown type \"NotInSchema\"");
}

// 5.5.1.3
TEST(GraphqlValidation, FragmentsAreOnCompositeTypes) {
  vt_valid(
      "{ dog { ...fragOnObject ...fragOnInterface } catOrDog { ...fragOnUnion } } "
      "fragment fragOnObject on Dog { name } fragment fragOnInterface on Pet { name } "
      "fragment fragOnUnion on CatOrDog { ... on Dog { name } }");
  vt_invalid("{ dog { ...fragOnScalar } } fragment fragOnScalar on Int { something }",
             "cannot condition on non composite type \"Int\"");
  vt_invalid("{ dog { ... on Boolean { somethingElse } } }",
             "cannot condition on non composite type \"Boolean\"");
  vt_invalid("{ dog { ... on DogCommand { x } } }", "non composite type \"DogCommand\"");
}

// 5.5.1.4
TEST(GraphqlValidation, FragmentsAreUsed) {
  vt_invalid("fragment nameFragment on Dog { name } { dog { name } }",
             "Fragment \"nameFragment\" is never used");
  // Used only by another unused fragment: both unused.
  std::vector<Error> errors =
      vt_errors("fragment A on Dog { ...B } fragment B on Dog { name } { dog { name } }");
  EXPECT_EQ(errors.size(), 2u) << vt_messages(errors);
}

// 5.5.2.1
TEST(GraphqlValidation, SpreadFragmentsAreDefined) {
  vt_invalid("{ dog { ...undefinedFragment } }", "Unknown fragment \"undefinedFragment\"");
}

// 5.5.2.2
TEST(GraphqlValidation, FragmentSpreadsDoNotFormCycles) {
  vt_invalid(
      "{ dog { ...nameFragment } } fragment nameFragment on Dog { name ...barkVolumeFragment "
      "} fragment barkVolumeFragment on Dog { barkVolume ...nameFragment }",
      "Cannot spread fragment \"nameFragment\" within itself via \"barkVolumeFragment\"");
  vt_invalid(
      "{ dog { ...ownerFragment } } fragment dogFragment on Dog { name owner { "
      "...ownerFragment } } fragment ownerFragment on Human { name pets { ...dogFragment } "
      "}",
      "within itself");
  vt_invalid("{ dog { ...self } } fragment self on Dog { ...self }",
             "Cannot spread fragment \"self\" within itself.");
  // A long chain (no cycle) does not recurse.
  std::string chain = "{ dog { ...f0 } }";
  for (int i = 0; i < 3000; ++i) {
    chain += " fragment f" + std::to_string(i) + " on Dog { n" + std::to_string(i) + ": name";
    if (i + 1 < 3000) chain += " ...f" + std::to_string(i + 1);
    chain += " }";
  }
  Limits limits;
  limits.max_document_bytes = 1 << 20;
  limits.max_tokens = 1 << 20;
  limits.max_fragment_spreads = 10'000;
  limits.max_fields = 10'000;
  limits.max_aliases = 10'000;
  std::vector<Error> errors = vt_errors(chain, limits);
  EXPECT_TRUE(errors.empty()) << vt_messages(errors);
}

// 5.5.2.3
TEST(GraphqlValidation, SpreadsArePossible) {
  // Object in object, abstract in object, object in abstract, abstract in abstract.
  vt_valid("{ dog { ...dogFragment } } fragment dogFragment on Dog { ... on Dog { barkVolume } }");
  vt_valid(
      "{ dog { ...petNameFragment ...catOrDogNameFragment } } fragment petNameFragment on Pet "
      "{ name } fragment catOrDogNameFragment on CatOrDog { ... on Cat { meowVolume } }");
  vt_valid(
      "{ pet { ...petFragment } catOrDog { ...catOrDogFragment } } fragment petFragment on "
      "Pet { name ... on Dog { barkVolume } } fragment catOrDogFragment on CatOrDog { ... on "
      "Cat { meowVolume } }");
  vt_valid(
      "{ pet { ...unionWithInterface } dogOrHuman { ...interfaceWithinUnion } } fragment "
      "unionWithInterface on Pet { ...dogOrHumanFragment } fragment dogOrHumanFragment on "
      "DogOrHuman { ... on Dog { barkVolume } } fragment interfaceWithinUnion on DogOrHuman { "
      "... on Pet { name } }");
  vt_invalid(
      "{ dog { ...catInDogFragmentInvalid } } fragment catInDogFragmentInvalid on Dog { "
      "... on Cat { meowVolume } }",
      "objects of type \"Dog\" can never be of type \"Cat\"");
  vt_invalid("{ dog { ...sentientFragment } } fragment sentientFragment on Sentient { name }",
             "Fragment \"sentientFragment\" cannot be spread here");
  vt_invalid("{ pet { ...sentientFragment } } fragment sentientFragment on Sentient { name }",
             "can never be of type \"Sentient\"");
  vt_invalid("{ pet { ... on HumanOrAlien { __typename } } }",
             "objects of type \"Pet\" can never be of type \"HumanOrAlien\"");
}

// 5.6.1
TEST(GraphqlValidation, ValuesHaveTheRightType) {
  vt_valid("{ arguments { intArgField(intArg: -2147483648) floatArgField(floatArg: 1) } }");
  vt_valid("{ arguments { idArgField(idArg: 123) booleanListArgField(booleanListArg: true) } }");
  vt_valid("{ arguments { floatArgField(floatArg: 1.5e300) idArgField(idArg: \"x\") } }");
  vt_valid("{ findDog(complex: { name: \"Fido\" }) { name } json(value: {a: [1, B, \"c\"]}) }");
  vt_valid("{ arguments { booleanListArgField(booleanListArg: [true, null]) } }");
  vt_invalid("{ arguments { intArgField(intArg: 2147483648) } }",
             "Expected value of type \"Int\", found 2147483648");
  vt_invalid("{ arguments { floatArgField(floatArg: \"1\") } }", "\"Float\", found \"1\"");
  vt_invalid("{ arguments { floatArgField(floatArg: 1e400) } }", "\"Float\", found 1e400");
  vt_invalid("{ arguments { intArgField(intArg: 1.0) } }", "\"Int\", found 1.0");
  vt_invalid("{ arguments { booleanArgField(booleanArg: \"true\") } }", "\"Boolean\"");
  vt_invalid("{ arguments { idArgField(idArg: 1.5) } }", "\"ID\", found 1.5");
  vt_invalid("{ dog { doesKnowCommand(dogCommand: \"SIT\") } }", "\"DogCommand\", found \"SIT\"");
  vt_invalid("{ dog { doesKnowCommand(dogCommand: JUMP) } }", "\"DogCommand\", found JUMP");
  vt_invalid("{ arguments { nonNullListArgField(nonNullListArg: [true, null]) } }",
             "\"Boolean!\", found null");
  vt_invalid("{ findDog(complex: \"Fido\") { name } }", "\"ComplexInput\", found \"Fido\"");
}

// 5.6.2
TEST(GraphqlValidation, InputObjectFieldsAreKnown) {
  vt_valid("{ findDog(complex: { name: \"Fido\" }) { name } }");
  vt_invalid("{ findDog(complex: { favoriteCookieFlavor: \"Bacon\" }) { name } }",
             "Field \"favoriteCookieFlavor\" is not defined by type \"ComplexInput\"");
}

// 5.6.3
TEST(GraphqlValidation, InputObjectFieldsAreUnique) {
  vt_invalid("{ findDog(complex: { name: \"Fido\", name: \"Fido\" }) { name } }",
             "only one input field named \"name\"");
}

// 5.6.4
TEST(GraphqlValidation, RequiredInputObjectFieldsAreGiven) {
  vt_valid("{ findDog(searchBy: { command: SIT }) { name } }");
  vt_invalid("{ findDog(searchBy: { name: \"x\" }) { name } }",
             "Field \"FindDogInput.command\" of required type \"DogCommand!\" was not provided");
  vt_invalid("{ findDog(searchBy: { command: null }) { name } }", "\"DogCommand!\", found null");
  // A field with a default value may be left out but not be null.
  vt_invalid("{ findDog(searchBy: { command: SIT, limit: null }) { name } }",
             "\"Int!\", found null");
}

// 5.7.1
TEST(GraphqlValidation, DirectivesAreDefined) {
  vt_valid("{ dog { name @skip(if: false) @include(if: true) } }");
  vt_invalid("{ dog { name @unknown } }", "Unknown directive \"@unknown\"");
}

// 5.7.2
TEST(GraphqlValidation, DirectivesAreInValidLocations) {
  vt_invalid("query @skip(if: true) { dog { name } }", "may not be used on QUERY");
  vt_invalid("mutation @include(if: true) { addDog(name: \"x\") { name } }",
             "may not be used on MUTATION");
  vt_invalid("query ($x: Boolean @skip(if: true)) { dog { name @include(if: $x) } }",
             "may not be used on VARIABLE_DEFINITION");
  vt_invalid("{ dog { ...F } } fragment F on Dog @skip(if: true) { name }",
             "may not be used on FRAGMENT_DEFINITION");
}

// 5.7.3
TEST(GraphqlValidation, DirectivesAreUniquePerLocation) {
  vt_valid(
      "query ($foo: Boolean = true, $bar: Boolean = false) { dog { name @skip(if: $foo) "
      "name @skip(if: $bar) } }");
  vt_invalid(
      "query ($foo: Boolean = true, $bar: Boolean = false) { dog { name @skip(if: $foo) "
      "@skip(if: $bar) } }",
      "\"@skip\" can only be used once at this location");
}

// 5.8.1
TEST(GraphqlValidation, VariablesAreUnique) {
  vt_invalid(
      "query houseTrainedQuery($atOtherHomes: Boolean, $atOtherHomes: Boolean) { dog { "
      "isHouseTrained(atOtherHomes: $atOtherHomes) } }",
      "only one variable named \"$atOtherHomes\"");
  vt_valid(
      "query A($atOtherHomes: Boolean) { ...HouseTrainedFragment } query B($atOtherHomes: "
      "Boolean) { ...HouseTrainedFragment } fragment HouseTrainedFragment on Query { dog { "
      "isHouseTrained(atOtherHomes: $atOtherHomes) } }");
}

// 5.8.2
TEST(GraphqlValidation, VariablesAreInputTypes) {
  vt_valid(
      "query takesBoolean($atOtherHomes: Boolean) { dog { isHouseTrained(atOtherHomes: "
      "$atOtherHomes) } } query takesComplexInput($complexInput: ComplexInput) { "
      "findDog(complex: $complexInput) { name } } query TakesListOfBooleanBang($booleans: "
      "[Boolean!]) { booleanList(booleanListArg: $booleans) }");
  vt_invalid("query takesCat($cat: Cat) { __typename }", "cannot be non-input type \"Cat\"");
  vt_invalid("query takesDogBang($dog: Dog!) { __typename }", "cannot be non-input type \"Dog!\"");
  vt_invalid("query takesListOfPet($pets: [Pet]) { __typename }",
             "cannot be non-input type \"[Pet]\"");
  vt_invalid("query takesCatOrDog($catOrDog: CatOrDog) { __typename }", "non-input type");
  vt_invalid("query ($x: Unknown) { __typename }", "Unknown type \"Unknown\"");
}

// 5.8.3
TEST(GraphqlValidation, AllVariableUsesAreDefined) {
  vt_valid(
      "query variableIsDefinedUsedInSingleFragment($atOtherHomes: Boolean) { dog { "
      "...isHouseTrainedFragment } } fragment isHouseTrainedFragment on Dog { "
      "isHouseTrained(atOtherHomes: $atOtherHomes) }");
  vt_invalid("query variableIsNotDefined { dog { isHouseTrained(atOtherHomes: $atOtherHomes) } }",
             "Variable \"$atOtherHomes\" is not defined by operation \"variableIsNotDefined\"");
  vt_invalid(
      "query variableIsNotDefinedUsedInSingleFragment { dog { ...isHouseTrainedFragment } "
      "} fragment isHouseTrainedFragment on Dog { isHouseTrained(atOtherHomes: "
      "$atOtherHomes) }",
      "\"$atOtherHomes\" is not defined");
  vt_invalid(
      "query variableIsNotDefinedUsedInNestedFragment { dog { ...outerHouseTrainedFragment "
      "} } fragment outerHouseTrainedFragment on Dog { ...isHouseTrainedFragment } fragment "
      "isHouseTrainedFragment on Dog { isHouseTrained(atOtherHomes: $atOtherHomes) }",
      "is not defined");
  vt_invalid(
      "query housetrainedQueryOne($atOtherHomes: Boolean) { dog { ...isHouseTrainedFragment "
      "} } query housetrainedQueryTwoNotDefined { dog { ...isHouseTrainedFragment } } "
      "fragment isHouseTrainedFragment on Dog { isHouseTrained(atOtherHomes: $atOtherHomes) "
      "}",
      "not defined by operation \"housetrainedQueryTwoNotDefined\"");
  // Under an unknown argument or directive the variable still counts as used and undefined.
  vt_invalid("{ dog { name(x: $undefinedHere) } }", "\"$undefinedHere\" is not defined");
}

// 5.8.4
TEST(GraphqlValidation, AllVariablesAreUsed) {
  vt_invalid("query variableUnused($atOtherHomes: Boolean) { dog { isHouseTrained } }",
             "Variable \"$atOtherHomes\" is never used in operation \"variableUnused\"");
  vt_invalid(
      "query variableNotUsedWithinFragment($atOtherHomes: Boolean) { dog { "
      "...isHouseTrainedWithoutVariableFragment } } fragment "
      "isHouseTrainedWithoutVariableFragment on Dog { isHouseTrained }",
      "never used");
  vt_invalid(
      "query queryWithUsedVar($atOtherHomes: Boolean) { dog { ...isHouseTrainedFragment } "
      "} query queryWithExtraVar($atOtherHomes: Boolean, $extra: Int) { dog { "
      "...isHouseTrainedFragment } } fragment isHouseTrainedFragment on Dog { "
      "isHouseTrained(atOtherHomes: $atOtherHomes) }",
      "\"$extra\" is never used in operation \"queryWithExtraVar\"");
  vt_valid("query ($x: Boolean!) { dog { name @include(if: $x) } }");
}

// 5.8.5
TEST(GraphqlValidation, AllVariableUsagesAreAllowed) {
  vt_invalid(
      "query intCannotGoIntoBoolean($intArg: Int) { arguments { "
      "booleanArgField(booleanArg: $intArg) } }",
      "Variable \"$intArg\" of type \"Int\" used in position expecting type \"Boolean\"");
  vt_invalid(
      "query booleanListCannotGoIntoBoolean($booleanListArg: [Boolean]) { arguments { "
      "booleanArgField(booleanArg: $booleanListArg) } }",
      "of type \"[Boolean]\" used in position expecting type \"Boolean\"");
  vt_invalid(
      "query booleanArgQuery($booleanArg: Boolean) { arguments { "
      "nonNullBooleanArgField(nonNullBooleanArg: $booleanArg) } }",
      "expecting type \"Boolean!\"");
  vt_valid(
      "query nonNullListToList($nonNullBooleanList: [Boolean]!) { arguments { "
      "booleanListArgField(booleanListArg: $nonNullBooleanList) } }");
  vt_invalid(
      "query listToNonNullList($booleanList: [Boolean]) { arguments { "
      "nonNullListArgField(nonNullListArg: $booleanList) } }",
      "expecting type \"[Boolean!]!\"");
  vt_valid(
      "query booleanArgQueryWithDefault($booleanArg: Boolean) { arguments { "
      "optionalNonNullBooleanArgField(optionalBooleanArg: $booleanArg) } }");
  vt_valid(
      "query booleanArgQueryWithDefault($booleanArg: Boolean = true) { arguments { "
      "nonNullBooleanArgField(nonNullBooleanArg: $booleanArg) } }");
  vt_invalid(
      "query ($booleanArg: Boolean = null) { arguments { "
      "nonNullBooleanArgField(nonNullBooleanArg: $booleanArg) } }",
      "expecting type \"Boolean!\"");
  // Inside list and object literals the place's type is the item's or the field's.
  vt_valid(
      "query ($b: Boolean!, $name: String) { booleanList(booleanListArg: [$b, true]) "
      "findDog(complex: {name: $name}) { name } }");
  vt_invalid("query ($b: Boolean) { booleanList(booleanListArg: [$b]) }",
             "expecting type \"Boolean!\"");
  vt_invalid("query ($n: Int) { findDog(searchBy: {command: SIT, name: $n}) { name } }",
             "of type \"Int\" used in position expecting type \"String\"");
  // A field default allows a nullable variable in a non-null input field.
  vt_valid("query ($l: Int) { findDog(searchBy: {command: SIT, limit: $l}) { name } }");
  // Default values are checked like any literal.
  vt_invalid("query ($x: Int = \"one\") { arguments { intArgField(intArg: $x) } }",
             "\"Int\", found \"one\"");
}

// 5.3.2
TEST(GraphqlValidation, SameResponseNamesMerge) {
  vt_valid("{ dog { name name } }");
  vt_valid("{ dog { otherName: name otherName: name } }");
  vt_valid("{ dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: SIT) } }");
  vt_valid(
      "query ($dogCommand: DogCommand!) { dog { doesKnowCommand(dogCommand: $dogCommand) "
      "doesKnowCommand(dogCommand: $dogCommand) } }");
  vt_invalid("{ dog { name: nickname name } }",
             "Fields \"name\" conflict because \"nickname\" and \"name\" are different fields");
  vt_invalid("{ dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: HEEL) } }",
             "they have differing arguments");
  vt_invalid(
      "query ($dogCommand: DogCommand!) { dog { doesKnowCommand(dogCommand: SIT) "
      "doesKnowCommand(dogCommand: $dogCommand) } }",
      "differing arguments");
  vt_invalid("{ dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand } }", "differing arguments");
  // Different object parents: different fields may share a name, shapes must still agree.
  vt_valid("{ pet { ... on Dog { volume: barkVolume } ... on Cat { volume: meowVolume } } }");
  vt_valid(
      "{ pet { ... on Dog { doesKnowCommand(dogCommand: SIT) } ... on Cat { "
      "doesKnowCommand(catCommand: JUMP) } } }");
  vt_invalid(
      "{ pet { ... on Dog { someValue: nickname } ... on Cat { someValue: meowVolume } } "
      "}",
      "they return conflicting types \"String\" and \"Int\"");
  vt_invalid("{ dogOrHuman { ... on Dog { name } ... on Human { name: iq } } }",
             "conflicting types \"String!\" and \"Int\"");
  // Through fragments, and in merged subselections.
  vt_invalid(
      "{ dog { ...A ...B } } fragment A on Dog { x: name } fragment B on Dog { x: "
      "nickname }",
      "different fields");
  vt_invalid("{ dog { owner { name } owner { name: iq } } }", "conflict");
  // Below exclusive parents only the shape counts.
  vt_valid(
      "{ catOrDog { ... on Dog { owner { x: name } } ... on Cat { owner { x: __typename } } "
      "} }");
  vt_valid(
      "{ catOrDog { ... on Dog { owner { v: name } } } dogOrHuman { ... on Human { pets { "
      "name } } } }");
  vt_invalid(
      "{ dog { owner { pets { name } } ...F } } fragment F on Dog { owner { pets { name: "
      "__typename } } }",
      "conflict");
}

TEST(GraphqlValidation, MergingBelowMutuallyExclusiveParentsSkipsNamesNotShapes) {
  // The two `owner` fields have different object parents, so their subfields may differ...
  vt_valid(
      "{ catOrDog { ... on Dog { owner { x: name } } ... on Cat { owner { x: __typename } } "
      "} }");
  // ...but a leaf shape mismatch deeper down still conflicts,
  vt_invalid("{ catOrDog { ... on Dog { owner { x: name } } ... on Cat { owner { x: iq } } } }",
             "conflicting types \"String!\" and \"Int\"");
  // and under one parent the names must agree.
  vt_invalid("{ dog { owner { x: name } owner { x: __typename } } }", "different fields");
  // A nullable and a non-null result differ in shape.
  vt_invalid("{ catOrDog { ... on Dog { v: nickname } ... on Cat { v: name } } }",
             "conflicting types \"String\" and \"String!\"");
}

TEST(GraphqlValidation, ValidatesOperationsAgainstTheirRootTypes) {
  vt_valid("mutation { addDog(name: \"Rex\", tags: [\"a\"]) { name } }");
  vt_invalid("mutation { dog { name } }", "Cannot query field \"dog\" on type \"Mutation\"");
  vt_invalid("mutation { addDog { name } }", "argument \"name\" of type \"String!\" is required");
}

TEST(GraphqlValidation, ReportsLocationsOfBothParts) {
  std::string source = "{ dog { name: nickname\n name } }";
  std::vector<Error> errors = vt_errors(source);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(
      errors_json(errors, source),
      R"([{"message":"Fields \"name\" conflict because \"nickname\" and \"name\" are different fields. Use different aliases on the fields to fetch both if this was intentional.","locations":[{"line":1,"column":9},{"line":2,"column":2}],"extensions":{"code":"validation-failed"}}])");
}

TEST(GraphqlValidation, QuotesLongValuesWithoutSplittingCharacters) {
  // A wrong value of 300 two-byte characters: the message quotes its start, cut between
  // characters, so the error is still valid UTF-8 JSON.
  std::string value;
  for (int i = 0; i < 300; ++i) value += "\xC3\xA9";
  std::string source = "{ arguments { intArgField(intArg: \"" + value + "\") } }";
  std::vector<Error> errors = vt_errors(source);
  ASSERT_EQ(errors.size(), 1u);
  const std::string& message = errors[0].message;
  EXPECT_LT(message.size(), 300u);
  EXPECT_NE(message.find("\xC3\xA9\xE2\x80\xA6"), std::string::npos);  // "é…"
  EXPECT_EQ(shorten_for_message("\xC3\xA9\xC3\xA9", 3), "\xC3\xA9\xE2\x80\xA6");
}

TEST(GraphqlValidation, StopsAtTheErrorCap) {
  std::string source = "{ dog {";
  for (int i = 0; i < 500; ++i) source += " unknown" + std::to_string(i);
  source += " } }";
  Limits limits;
  limits.max_errors = 7;
  EXPECT_EQ(vt_errors(source, limits).size(), 7u);
}

// The example of docs/graphql.md, "The schema model".
TEST(GraphqlSchema, BuildsTheDocumentedExample) {
  Schema schema;
  TypeDef posts{.name = "posts", .kind = TypeKind::kObject};
  posts.fields.push_back({"id", TypeRef::parse("String!"), {}});
  posts.fields.push_back({"title", TypeRef::parse("String"), {}});
  schema.add_type(std::move(posts));
  TypeDef query{.name = "Query", .kind = TypeKind::kObject};
  query.fields.push_back(
      {"posts", TypeRef::parse("[posts!]!"), {{"limit", TypeRef::parse("Int"), "30"}}});
  schema.add_type(std::move(query));
  schema.set_root(OperationType::kQuery, "Query");
  schema.finish();
  EXPECT_EQ(schema.root(OperationType::kMutation), nullptr);

  auto check = [&](std::string_view source) {
    Error error;
    std::optional<Document> document = parse_document(source, Limits{}, error);
    EXPECT_TRUE(document.has_value()) << error.message;
    return document ? validate(*document, schema, Limits{}) : std::vector<Error>{error};
  };
  EXPECT_TRUE(check("{ posts(limit: 5) { id title __typename } }").empty());
  EXPECT_EQ(check("{ posts(limit: \"5\") { id } }").size(), 1u);
  std::vector<Error> errors = check("mutation { posts { id } }");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("no mutation root type"), std::string::npos);
}

TEST(GraphqlSchema, RefusesInconsistentSchemas) {
  {
    Schema schema;
    EXPECT_THROW(schema.finish(), std::invalid_argument);  // no query root
  }
  {
    Schema schema;
    TypeDef query;
    query.name = "Query";
    query.kind = TypeKind::kObject;
    query.fields.push_back({"a", TypeRef::parse("Missing"), {}});
    schema.add_type(query);
    schema.set_root(OperationType::kQuery, "Query");
    EXPECT_THROW(schema.finish(), std::invalid_argument);
  }
  {
    Schema schema;
    TypeDef query;
    query.name = "String";
    EXPECT_THROW(schema.add_type(query), std::invalid_argument);  // taken by the built-in
    query.name = "__Mine";
    EXPECT_THROW(schema.add_type(query), std::invalid_argument);  // reserved
    query.name = "not a name";
    EXPECT_THROW(schema.add_type(query), std::invalid_argument);
  }
  {
    Schema schema;
    TypeDef query{.name = "Query", .kind = TypeKind::kObject};
    query.fields.push_back({"a", TypeRef::parse("Int"), {{"x", TypeRef::parse("Int"), "{oops"}}});
    schema.add_type(std::move(query));
    schema.set_root(OperationType::kQuery, "Query");
    EXPECT_THROW(schema.finish(), std::invalid_argument);  // a default value that is not JSON
  }
  EXPECT_THROW(TypeRef::parse("[Int"), std::invalid_argument);
  EXPECT_THROW(TypeRef::parse("Int!!"), std::invalid_argument);
  EXPECT_EQ(TypeRef::parse("[[Int!]]!").wrappers, "NLLN");
  EXPECT_EQ(TypeRef::parse("[[Int!]]!").to_string(), "[[Int!]]!");
}

}  // namespace
}  // namespace basalt::graphql
