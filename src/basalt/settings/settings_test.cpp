// The settings JSON forms and the settings service against a real SQLite database: defaults,
// round trips, masking of secrets, merge semantics of PATCH, validation and type errors, and
// persistence across a reload and a reopened database.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/core/testing/source_dir.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/settings/settings_json.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::settings {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

// The instant the tests' ManualClock stands at, and its PocketBase datetime text.
constexpr std::chrono::system_clock::time_point kStart{
    std::chrono::sys_days{std::chrono::year{2024} / 5 / 6} + std::chrono::hours(7) +
    std::chrono::minutes(8) + std::chrono::seconds(9) + std::chrono::milliseconds(123)};
constexpr std::string_view kStartText = "2024-05-06 07:08:09.123Z";

// What PocketBase v0.39 answers to GET /api/settings on a fresh install (struct order, secrets
// omitted, nil lists as []).
constexpr std::string_view kDefaultPublicJson =
    R"({"superuserIPs":[],)"
    R"("smtp":{"enabled":false,"port":587,"host":"smtp.example.com","username":"",)"
    R"("authMethod":"","tls":false,"localName":""},)"
    R"("backups":{"cron":"","cronMaxKeep":3,"s3":{"enabled":false,"bucket":"","region":"",)"
    R"("endpoint":"","accessKey":"","forcePathStyle":false}},)"
    R"("s3":{"enabled":false,"bucket":"","region":"","endpoint":"","accessKey":"",)"
    R"("forcePathStyle":false},)"
    R"("meta":{"accentColor":"#1055c9","appName":"Acme","appURL":"http://localhost:8090",)"
    R"("senderName":"Support","senderAddress":"support@example.com","hideControls":false},)"
    R"("rateLimits":{"rules":[{"label":"*:auth","audience":"","duration":3,"maxRequests":2},)"
    R"({"label":"*:create","audience":"","duration":5,"maxRequests":20},)"
    R"({"label":"/api/batch","audience":"","duration":1,"maxRequests":3},)"
    R"({"label":"/api/","audience":"","duration":10,"maxRequests":300}],)"
    R"("excludedIPs":[],"enabled":false},)"
    R"("trustedProxy":{"headers":[],"useLeftmostIP":false},)"
    R"("batch":{"enabled":false,"maxRequests":50,"timeout":3,"maxBodySize":0},)"
    R"("logs":{"maxDays":5,"minLevel":0,"logIP":true,"logAuthId":false},)"
    R"("graphql":{"maxDocumentBytes":65536,"maxDepth":12,"maxFields":1000,"maxAliases":100,)"
    R"("maxLimit":1000,"superuserOnlyIntrospection":false}})";

TEST(SettingsJsonTest, DefaultsSerializeAsPocketBase) {
  EXPECT_EQ(serialize_settings(AppSettings{}, SettingsForm::kPublic), kDefaultPublicJson);
}

TEST(SettingsJsonTest, StorageFormRoundTripsEveryValue) {
  AppSettings original;
  original.superuser_ips = {"127.0.0.1"};
  original.smtp.enabled = true;
  original.smtp.password = "p<&>";
  original.smtp.auth_method = "LOGIN";
  original.s3.secret = "s3-secret";
  original.backups.s3.secret = "backup-secret";
  original.backups.cron = "@daily";
  original.meta.app_name = "Basalt";
  original.meta.hide_controls = true;
  original.rate_limits.rules = {{"users:auth", "@guest", 60, 5}};
  original.rate_limits.excluded_ips = {"10.0.0.0/8"};
  original.trusted_proxy.headers = {"X-Forwarded-For"};
  original.trusted_proxy.use_leftmost_ip = true;
  original.batch.max_body_size = 1 << 20;
  original.logs.min_level = -4;

  const std::string stored = serialize_settings(original, SettingsForm::kStorage);
  AppSettings read;
  schema::ValidationErrors errors;
  read_settings(json::parse(stored).as_object(), read, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(serialize_settings(read, SettingsForm::kStorage), stored);
  EXPECT_EQ(read.smtp.password, "p<&>");
  EXPECT_EQ(read.backups.s3.secret, "backup-secret");
  EXPECT_EQ(read.rate_limits.rules, original.rate_limits.rules);
  EXPECT_NE(stored.find(R"("password":"p\u003c\u0026\u003e")"), std::string::npos) << stored;
}

TEST(SettingsJsonTest, PublicFormLeavesSecretsOut) {
  AppSettings s;
  s.smtp.password = "smtp-secret";
  s.s3.secret = "s3-secret";
  s.backups.s3.secret = "backup-secret";
  const std::string public_json = serialize_settings(s, SettingsForm::kPublic);
  EXPECT_EQ(public_json.find("secret"), std::string::npos) << public_json;
  EXPECT_EQ(public_json.find("password"), std::string::npos) << public_json;
}

TEST(SettingsJsonTest, ReadingMergesLikeGoUnmarshal) {
  AppSettings s;
  s.trusted_proxy.headers = {"X-Real-IP"};
  schema::ValidationErrors errors;
  read_settings(json::parse(R"({
      "meta": {"appName": "New", "unknown": 1},
      "smtp": null,
      "trustedProxy": {"headers": null},
      "rateLimits": {"rules": [{"label": "/api/", "maxRequests": 1}, null]},
      "nonsense": {"x": 1}
    })")
                    .as_object(),
                s, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(s.meta.app_name, "New");
  EXPECT_EQ(s.meta.app_url, "http://localhost:8090");  // untouched sibling
  EXPECT_EQ(s.smtp.port, 587);                         // null section: unchanged
  EXPECT_TRUE(s.trusted_proxy.headers.empty());        // null list: reset
  ASSERT_EQ(s.rate_limits.rules.size(), 2u);           // an array replaces the list
  EXPECT_EQ(s.rate_limits.rules[0], (RateLimitRule{"/api/", "", 0, 1}));
  EXPECT_EQ(s.rate_limits.rules[1], RateLimitRule{});
}

TEST(SettingsJsonTest, WrongTypesAreReportedPerKey) {
  AppSettings s;
  schema::ValidationErrors errors;
  read_settings(json::parse(R"({
      "meta": {"appName": 5, "appURL": "http://ok.example"},
      "batch": "yes",
      "smtp": {"port": "587", "enabled": 1},
      "superuserIPs": "127.0.0.1",
      "rateLimits": {"rules": [{"label": "/a/", "duration": 1.5}, 7]}
    })")
                    .as_object(),
                s, errors);
  EXPECT_EQ(json::serialize(errors.to_json()),
            R"({"batch":{"code":"validation_unsupported_value_type",)"
            R"("message":"Invalid or unsupported value type."},)"
            R"("meta":{"appName":{"code":"validation_unsupported_value_type",)"
            R"("message":"Invalid or unsupported value type."}},)"
            R"("rateLimits":{"rules":{"0":{"duration":{"code":"validation_unsupported_value_type",)"
            R"("message":"Invalid or unsupported value type."}},)"
            R"("1":{"code":"validation_unsupported_value_type",)"
            R"("message":"Invalid or unsupported value type."}}},)"
            R"("smtp":{"enabled":{"code":"validation_unsupported_value_type",)"
            R"("message":"Invalid or unsupported value type."},)"
            R"("port":{"code":"validation_unsupported_value_type",)"
            R"("message":"Invalid or unsupported value type."}},)"
            R"("superuserIPs":{"code":"validation_unsupported_value_type",)"
            R"("message":"Invalid or unsupported value type."}})");
  EXPECT_EQ(s.meta.app_url, "http://ok.example");  // well-typed keys are still read
}

// Every key, secrets included, is named in docs/settings.md as `key` or `section.key`.
void expect_documented(const json::object& object, const std::string& doc) {
  for (const auto& [key, value] : object) {
    const std::string name(key);
    EXPECT_TRUE(doc.find("`" + name + "`") != std::string::npos ||
                doc.find("." + name + "`") != std::string::npos)
        << "docs/settings.md does not describe " << name;
    if (value.is_object()) expect_documented(value.get_object(), doc);
    if (value.is_array() && !value.get_array().empty() && value.get_array()[0].is_object()) {
      expect_documented(value.get_array()[0].get_object(), doc);
    }
  }
}

TEST(SettingsJsonTest, TheDocsDescribeEveryKey) {
  std::ifstream file(core::testing::source_dir() / "docs/settings.md");
  ASSERT_TRUE(file) << "docs/settings.md is missing";
  std::stringstream text;
  text << file.rdbuf();
  AppSettings all;
  all.smtp.password = all.s3.secret = all.backups.s3.secret = "x";
  expect_documented(settings_to_json(all, SettingsForm::kStorage), text.str());
}

class SettingsServiceTest : public ::testing::Test {
 protected:
  SettingsServiceTest() {
    open();
    const auto migrations = collections::system_migrations(database_->dialect(), clock_);
    sync_wait(db::apply_migrations(*database_, migrations));
    service_ = std::make_unique<SettingsService>(*database_, clock_);
    sync_wait(service_->load());
  }

  void open() {
    db::SqliteOptions options;
    options.data_dir = dir_.path();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_sqlite(options);
  }

  std::shared_ptr<const AppSettings> patch(std::string_view body) {
    const json::object object = json::parse(body).as_object();
    try {
      return sync_wait(service_->patch(object));
    } catch (const core::ApiError& error) {
      ADD_FAILURE() << error.message() << " " << json::serialize(error.data());
      throw;
    }
  }

  // The ApiError a PATCH throws (fails the test when it throws none).
  core::ApiError patch_error(std::string_view body) {
    const json::object object = json::parse(body).as_object();
    try {
      sync_wait(service_->patch(object));
    } catch (const core::ApiError& error) {
      return error;
    }
    ADD_FAILURE() << "expected an ApiError for " << body;
    return core::ApiError(0);
  }

  // The stored row's value, or "" without a row.
  std::string stored_value() {
    auto rows = sync_wait(database_->query("SELECT value FROM _params WHERE id = 'settings'"));
    return rows.empty() ? "" : std::string(rows[0].as_text(0));
  }

  core::ManualClock clock_{kStart};  // outlives the service
  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<SettingsService> service_;
};

TEST_F(SettingsServiceTest, AFreshDatabaseServesTheDefaultsWithoutWritingThem) {
  EXPECT_EQ(serialize_settings(*service_->current(), SettingsForm::kPublic), kDefaultPublicJson);
  EXPECT_EQ(stored_value(), "");
}

TEST_F(SettingsServiceTest, PatchMergesValidatesStoresAndPublishes) {
  auto before = service_->current();
  auto after = patch(R"({"meta":{"appName":"Basalt"},"batch":{"enabled":true},"nope":1})");
  EXPECT_EQ(after->meta.app_name, "Basalt");
  EXPECT_EQ(after->meta.sender_name, "Support");
  EXPECT_TRUE(after->batch.enabled);
  EXPECT_EQ(after->batch.max_requests, 50);
  EXPECT_EQ(service_->current(), after);
  EXPECT_EQ(before->meta.app_name, "Acme");  // an old snapshot never changes
  EXPECT_EQ(stored_value(), serialize_settings(*after, SettingsForm::kStorage));
}

TEST_F(SettingsServiceTest, ThePatchIsStampedByTheServiceClock) {
  clock_.advance(std::chrono::seconds(30));
  patch(R"({"meta":{"appName":"Clocked"}})");
  auto rows = sync_wait(database_->query("SELECT updated FROM _params WHERE id = 'settings'"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].as_text(0), "2024-05-06 07:08:39.123Z");
}

TEST_F(SettingsServiceTest, SettingsSurviveAReloadAndAReopenedDatabase) {
  patch(R"({"meta":{"appURL":"https://api.example.com"},"smtp":{"password":"hunter2"},
            "rateLimits":{"enabled":true,"rules":[{"label":"/api/","duration":10,"maxRequests":9}]}})");
  const std::string expected = serialize_settings(*service_->current(), SettingsForm::kStorage);

  SettingsService reloaded(*database_, clock_);
  sync_wait(reloaded.load());
  EXPECT_EQ(serialize_settings(*reloaded.current(), SettingsForm::kStorage), expected);

  service_.reset();
  database_.reset();
  open();
  SettingsService reopened(*database_, clock_);
  sync_wait(reopened.load());
  EXPECT_EQ(serialize_settings(*reopened.current(), SettingsForm::kStorage), expected);
  EXPECT_EQ(reopened.current()->smtp.password, "hunter2");
  EXPECT_EQ(reopened.current()->rate_limits.rules.size(), 1u);
}

TEST_F(SettingsServiceTest, SecretsAreKeptWhenAbsentAndClearedWhenEmpty) {
  patch(R"({"smtp":{"password":"hunter2"},"s3":{"secret":"s3key"}})");
  // The client echoes the public form back, which has no secrets: they stay.
  const std::string echoed = serialize_settings(*service_->current(), SettingsForm::kPublic);
  EXPECT_EQ(echoed.find("hunter2"), std::string::npos);
  auto kept = patch(echoed);
  EXPECT_EQ(kept->smtp.password, "hunter2");
  EXPECT_EQ(kept->s3.secret, "s3key");
  // An explicit "" clears it, as PocketBase's UI does to remove a password.
  auto cleared = patch(R"({"smtp":{"password":""}})");
  EXPECT_EQ(cleared->smtp.password, "");
  EXPECT_EQ(cleared->s3.secret, "s3key");
}

TEST_F(SettingsServiceTest, ValidationFailuresChangeNothing) {
  auto before = service_->current();
  core::ApiError error = patch_error(R"({"meta":{"appName":"","appURL":"nope nope"},
                                         "batch":{"enabled":true,"maxRequests":0}})");
  EXPECT_EQ(error.status(), 400);
  EXPECT_EQ(error.message(), "An error occurred while saving the new settings.");
  EXPECT_EQ(
      json::serialize(error.data()),
      R"({"batch":{"maxRequests":{"code":"validation_required","message":"Cannot be blank."}},)"
      R"("meta":{"appName":{"code":"validation_required","message":"Cannot be blank."},)"
      R"("appURL":{"code":"validation_is_url","message":"Must be a valid URL."}}})");
  EXPECT_EQ(service_->current(), before);
  EXPECT_EQ(stored_value(), "");
}

TEST_F(SettingsServiceTest, WrongTypesAreA400BeforeAnyRuleRuns) {
  core::ApiError error = patch_error(R"({"meta":{"appName":""},"logs":{"maxDays":"5"}})");
  EXPECT_EQ(error.status(), 400);
  EXPECT_EQ(error.message(), "An error occurred while loading the submitted data.");
  EXPECT_EQ(json::serialize(error.data()),
            R"({"logs":{"maxDays":{"code":"validation_unsupported_value_type",)"
            R"("message":"Invalid or unsupported value type."}}})");
  EXPECT_EQ(stored_value(), "");
}

TEST_F(SettingsServiceTest, ConcurrentPatchesKeepEachOthersKeys) {
  const json::object first = json::parse(R"({"meta":{"appName":"First"}})").as_object();
  const json::object second = json::parse(R"({"batch":{"enabled":true}})").as_object();
  boost::asio::io_context context;
  boost::asio::co_spawn(context, service_->patch(first), boost::asio::detached);
  boost::asio::co_spawn(context, service_->patch(second), boost::asio::detached);
  context.run();
  EXPECT_EQ(service_->current()->meta.app_name, "First");
  EXPECT_TRUE(service_->current()->batch.enabled);
  SettingsService reloaded(*database_, clock_);
  sync_wait(reloaded.load());
  EXPECT_EQ(reloaded.current()->meta.app_name, "First");
  EXPECT_TRUE(reloaded.current()->batch.enabled);
}

TEST_F(SettingsServiceTest, StoredKeysOfTheWrongTypeKeepTheirDefaults) {
  sync_wait(database_->write([](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(
        "INSERT INTO _params (id, value) VALUES ('settings', ?1)",
        std::string(R"({"meta":{"appName":"Stored","appURL":7},"logs":{"maxDays":9}})"));
  }));
  sync_wait(service_->load());
  EXPECT_EQ(service_->current()->meta.app_name, "Stored");
  EXPECT_EQ(service_->current()->meta.app_url, "http://localhost:8090");
  EXPECT_EQ(service_->current()->logs.max_days, 9);
}

TEST_F(SettingsServiceTest, AStoredValueThatIsNotAnObjectFailsTheLoad) {
  sync_wait(database_->write([](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute("INSERT INTO _params (id, value) VALUES ('settings', 'encrypted...')");
  }));
  EXPECT_THROW(sync_wait(service_->load()), std::runtime_error);
}

TEST_F(SettingsServiceTest, PublishListenersSeeEachNewSnapshotInOrder) {
  std::vector<std::string> buckets;
  service_->on_publish([&](const AppSettings& s) { buckets.push_back(s.s3.bucket); });
  service_->on_publish([](const AppSettings&) { throw std::runtime_error("a broken listener"); });
  patch(R"({"s3":{"bucket":"one"}})");
  patch_error(R"({"meta":{"appName":""}})");  // refused: nothing published
  patch(R"({"s3":{"bucket":"two"}})");
  sync_wait(service_->load());
  EXPECT_EQ(buckets, (std::vector<std::string>{"one", "two", "two"}));
  EXPECT_EQ(service_->current()->s3.bucket, "two");  // the throwing listener changed nothing
}

}  // namespace
}  // namespace basalt::settings
