#include "basalt/app/superusers.hpp"

#include <boost/json/object.hpp>
#include <chrono>
#include <ostream>

#include "basalt/app/run_blocking.hpp"
#include "basalt/app/storage.hpp"
#include "basalt/auth/password_hasher.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/core/json_pretty.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/record_validator.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::app {
namespace {

namespace json = boost::json;

const schema::Collection& superusers_collection(Storage& storage) {
  const auto* collection = storage.collections().catalog()->find(schema::kSuperusersCollection);
  if (!collection) throw std::runtime_error("the _superusers collection is missing");
  return *collection;
}

std::string where_email(const db::Dialect& dialect) {
  return " WHERE " + dialect.quote_identifier(schema::kFieldEmail) + " = " +
         dialect.placeholder(1) + " COLLATE NOCASE";
}

int report(const std::exception_ptr& failure, std::ostream& err) {
  try {
    std::rethrow_exception(failure);
  } catch (const core::ApiError& error) {
    err << "basalt: " << error.message() << '\n';
    if (!error.data().empty()) err << core::json_pretty(error.data()) << '\n';
  } catch (const std::exception& error) {
    err << "basalt: " << error.what() << '\n';
  }
  return 1;
}

}  // namespace

int upsert_superuser(const core::Config& config, const std::string& email,
                     const std::string& password, std::ostream& out, std::ostream& err) {
  try {
    Storage storage(config);
    const schema::Collection superusers = superusers_collection(storage);
    db::Database& database = storage.database();
    // Hashed before the write job: the writer thread must not spend ~35 ms on argon2id.
    auth::PasswordHasher hasher;
    const std::string hash =
        password.size() <= auth::kMaxPasswordBytes ? hasher.hash(password) : "";
    bool created = false;
    run_blocking(database.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      const auto& dialect = database.dialect();
      db::ResultSet rows =
          co_await tx.query(records::select_sql(superusers, dialect) + where_email(dialect), email);
      std::optional<json::object> old;
      if (!rows.empty()) old = records::decode_row(superusers, rows[0]);
      json::object body = {{"password", password}, {"passwordConfirm", password}};
      if (!old) {
        body["email"] = email;
        body["verified"] = true;
      }
      const std::string now = schema::format_datetime(std::chrono::system_clock::now());
      schema::RecordValidation result = schema::validate_record(
          {superusers, body, old ? &*old : nullptr, schema::AccessLevel::kSuperuser, now});
      if (!result.ok()) {
        throw result.errors.to_api_error(old ? "Failed to update record."
                                             : "Failed to create record.");
      }
      json::object values = std::move(result.record.values);
      for (const auto& fresh : result.record.new_passwords) values[fresh.field] = hash;
      if (old) {
        co_await tx.execute(
            records::update_sql(superusers, dialect),
            records::update_params(superusers, values, values.at("id").as_string()));
      } else {
        co_await tx.execute(records::insert_sql(superusers, dialect),
                            records::insert_params(superusers, values));
      }
      created = !old;
    }));
    out << (created ? "Created superuser " : "Updated the password of superuser ") << email << '\n';
    return 0;
  } catch (...) {
    return report(std::current_exception(), err);
  }
}

int delete_superuser(const core::Config& config, const std::string& email, std::ostream& out,
                     std::ostream& err) {
  try {
    Storage storage(config);
    const schema::Collection superusers = superusers_collection(storage);
    db::Database& database = storage.database();
    std::int64_t deleted = 0;
    run_blocking(database.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      const auto& dialect = database.dialect();
      auto result = co_await tx.execute(
          "DELETE FROM " + dialect.quote_identifier(superusers.name) + where_email(dialect), email);
      deleted = result.changes;
    }));
    if (deleted == 0) {
      err << "basalt: no superuser with email " << email << '\n';
      return 1;
    }
    out << "Deleted superuser " << email << '\n';
    return 0;
  } catch (...) {
    return report(std::current_exception(), err);
  }
}

std::int64_t count_superusers(db::Database& database) {
  auto rows =
      run_blocking(database.query("SELECT COUNT(*) FROM " + database.dialect().quote_identifier(
                                                                schema::kSuperusersCollection)));
  return rows[0].as_int(0);
}

}  // namespace basalt::app
