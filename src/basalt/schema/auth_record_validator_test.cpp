#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/collection_json.hpp"
#include "basalt/schema/record_validator.hpp"

// Record validation of auth collections: the upsert form's password, email and verified rules,
// the password hand-off to the auth module, and tokenKey rotation.

namespace basalt::schema {
namespace {

constexpr std::string_view kNow = "2026-08-14 07:16:55.123Z";

Collection make(std::string_view body) {
  ParsedCollection parsed = parse_collection(boost::json::parse(body), ParseMode::kCreate);
  EXPECT_TRUE(parsed.errors.empty()) << boost::json::serialize(parsed.errors.to_json());
  apply_defaults(parsed.collection, {nullptr, parsed.id_generated, {}});
  return parsed.collection;
}

class AuthRecordTest : public ::testing::Test {
 protected:
  AuthRecordTest()
      : users_(make(R"({"name":"members","type":"auth","fields":[
      {"type":"text","name":"name"}]})")) {}

  RecordValidation write(const boost::json::object* old, std::string_view body,
                         AccessLevel access = AccessLevel::kDefault) {
    body_ = boost::json::parse(body).as_object();
    return validate_record({users_, body_, old, access, kNow, nullptr});
  }

  boost::json::object stored() {
    RecordValidation r =
        write(nullptr,
              R"({"email":"ann@example.com","password":"12345678","passwordConfirm":"12345678"})");
    EXPECT_TRUE(r.ok()) << boost::json::serialize(r.errors.to_json());
    boost::json::object values = r.record.values;
    values["password"] = "$2a$10$storedhash";
    return values;
  }

  static std::string code(const RecordValidation& r, std::string_view key) {
    const FieldError* error = r.errors.find({std::string(key)});
    return error ? error->code : "<none> in " + boost::json::serialize(r.errors.to_json());
  }

  Collection users_;
  boost::json::object body_;
};

TEST_F(AuthRecordTest, CreateHandsThePlaintextOver) {
  RecordValidation r = write(
      nullptr, R"({"email":"ann@example.com","password":"12345678","passwordConfirm":"12345678"})");
  ASSERT_TRUE(r.ok()) << boost::json::serialize(r.errors.to_json());
  ASSERT_EQ(r.record.new_passwords.size(), 1u);
  EXPECT_EQ(r.record.new_passwords[0].field, "password");
  EXPECT_EQ(r.record.new_passwords[0].plaintext, "12345678");
  EXPECT_EQ(r.record.values.at("password"), "");  // until the auth module stores the hash
  EXPECT_EQ(r.record.values.at("tokenKey").as_string().size(), 50u);
  EXPECT_FALSE(r.record.values.contains("passwordConfirm"));
}

TEST_F(AuthRecordTest, CreateChecksThePasswordPair) {
  RecordValidation none = write(nullptr, R"({"email":"ann@example.com"})");
  EXPECT_EQ(code(none, "password"), "validation_required");
  EXPECT_EQ(code(none, "passwordConfirm"), "validation_required");
  RecordValidation mismatch = write(
      nullptr, R"({"email":"ann@example.com","password":"12345678","passwordConfirm":"87654321"})");
  EXPECT_EQ(code(mismatch, "passwordConfirm"), "validation_values_mismatch");
  RecordValidation short_one =
      write(nullptr, R"({"email":"ann@example.com","password":"123","passwordConfirm":"123"})");
  EXPECT_EQ(code(short_one, "password"), "validation_min_text_constraint");
  EXPECT_EQ(short_one.errors.find({"password"})->message, "Must be at least 8 character(s).");
  RecordValidation no_email =
      write(nullptr, R"({"password":"12345678","passwordConfirm":"12345678"})");
  EXPECT_EQ(code(no_email, "email"), "validation_required");
}

TEST_F(AuthRecordTest, OnlyManagersSetVerifiedOrChangeEmail) {
  const char* verified =
      R"({"email":"a@example.com","password":"12345678","passwordConfirm":"12345678","verified":true})";
  EXPECT_EQ(code(write(nullptr, verified), "verified"), "validation_values_mismatch");
  EXPECT_TRUE(write(nullptr, verified, AccessLevel::kManager).ok());

  boost::json::object old = stored();
  EXPECT_EQ(code(write(&old, R"({"email":"new@example.com"})"), "email"),
            "validation_values_mismatch");
  RecordValidation managed = write(&old, R"({"email":"new@example.com"})", AccessLevel::kSuperuser);
  ASSERT_TRUE(managed.ok());
  EXPECT_NE(managed.record.values.at("tokenKey"), old.at("tokenKey"));  // tokens die
}

TEST_F(AuthRecordTest, ChangingThePasswordNeedsTheOldOne) {
  boost::json::object old = stored();
  RecordValidation missing = write(&old, R"({"password":"abcdefgh","passwordConfirm":"abcdefgh"})");
  EXPECT_EQ(code(missing, "oldPassword"), "validation_required");

  RecordValidation given = write(
      &old, R"({"password":"abcdefgh","passwordConfirm":"abcdefgh","oldPassword":"12345678"})");
  ASSERT_TRUE(given.ok()) << boost::json::serialize(given.errors.to_json());
  EXPECT_EQ(given.record.old_password_to_verify, "12345678");
  EXPECT_EQ(given.record.new_passwords.at(0).plaintext, "abcdefgh");
  EXPECT_NE(given.record.values.at("tokenKey"), old.at("tokenKey"));

  RecordValidation manager =
      write(&old, R"({"password":"abcdefgh","passwordConfirm":"abcdefgh"})", AccessLevel::kManager);
  ASSERT_TRUE(manager.ok());
  EXPECT_FALSE(manager.record.old_password_to_verify);

  RecordValidation untouched = write(&old, R"({"name":"Ann"})");
  ASSERT_TRUE(untouched.ok()) << boost::json::serialize(untouched.errors.to_json());
  EXPECT_EQ(untouched.record.values.at("password"), "$2a$10$storedhash");
  EXPECT_EQ(untouched.record.values.at("tokenKey"), old.at("tokenKey"));
  EXPECT_TRUE(untouched.record.new_passwords.empty());
}

TEST_F(AuthRecordTest, TokenKeyIsHiddenFromNonSuperusers) {
  boost::json::object old = stored();
  EXPECT_EQ(write(&old, R"({"tokenKey":"x"})").record.values.at("tokenKey"), old.at("tokenKey"));
  RecordValidation superuser = write(&old, R"({"tokenKey":"x"})", AccessLevel::kSuperuser);
  EXPECT_EQ(code(superuser, "tokenKey"), "validation_min_text_constraint");
}

TEST(RecordValidatorViewTest, ViewsAreReadOnly) {
  Collection view = new_collection(CollectionType::kView, "v");
  boost::json::object body;
  EXPECT_THROW(validate_record({view, body, nullptr, AccessLevel::kSuperuser, kNow, nullptr}),
               std::invalid_argument);
}

}  // namespace
}  // namespace basalt::schema
