#include "basalt/app/install_link.hpp"

#include <boost/json/object.hpp>
#include <sstream>
#include <stdexcept>

#include "basalt/app/run_blocking.hpp"
#include "basalt/auth/static_token.hpp"
#include "basalt/schema/field.hpp"
#include "basalt/schema/ids.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::app {
namespace {

std::string superusers_where_email(const db::Dialect& dialect, std::string_view columns,
                                   bool equal) {
  const std::string test = dialect.equals_ignoring_case(
      dialect.quote_identifier(schema::kFieldEmail), dialect.placeholder(1));
  return "SELECT " + std::string(columns) + " FROM " +
         dialect.quote_identifier(schema::kSuperusersCollection) + " WHERE " +
         (equal ? test : "NOT (" + test + ")");
}

}  // namespace

std::int64_t count_real_superusers(db::Database& database) {
  const std::string sql = superusers_where_email(database.dialect(), "COUNT(*)", false);
  const std::string email(kInstallerEmail);
  db::ResultSet rows = run_blocking(database.query(sql, email));
  return rows[0].as_int(0);
}

std::optional<std::string> issue_install_token(db::Database& database,
                                               collections::CollectionService& collections,
                                               AdminCommands& commands, const core::Clock& clock) {
  const std::string email(kInstallerEmail);
  std::ostringstream out, err;
  if (count_real_superusers(database) != 0) {
    // Installed another way (the CLI, or a page closed before its last step): the placeholder
    // has no use left and goes, with every token it had.
    const std::string find = superusers_where_email(
        database.dialect(), database.dialect().quote_identifier(schema::kFieldId), true);
    if (!run_blocking(database.query(find, email)).empty() &&
        commands.run({kSuperuserDelete, {email}}, out, err) != 0) {
      throw std::runtime_error("removing the install placeholder superuser: " + err.str());
    }
    return std::nullopt;
  }
  // A new password each start: rotates the tokenKey, so older links die.
  const int code = commands.run({kSuperuserUpsert, {email, schema::random_string(40)}}, out, err);
  if (code != 0) throw std::runtime_error("the install placeholder superuser: " + err.str());

  const db::Dialect& dialect = database.dialect();
  const std::string sql =
      superusers_where_email(dialect,
                             dialect.quote_identifier(schema::kFieldId) + ", " +
                                 dialect.quote_identifier(schema::kFieldTokenKey),
                             true);
  db::ResultSet rows = run_blocking(database.query(sql, email));
  if (rows.empty()) throw std::runtime_error("the install placeholder superuser is missing");
  const auto catalog = collections.catalog();
  const schema::Collection* superusers = catalog->find(schema::kSuperusersCollection);
  if (!superusers) throw std::runtime_error("the _superusers collection is missing");
  boost::json::object record{{schema::kFieldId, rows[0].as_text(0)},
                             {schema::kFieldTokenKey, rows[0].as_text(1)}};
  return auth::issue_static_auth_token(*superusers, record, clock.now(), kInstallLinkSeconds);
}

std::string install_link(std::string_view host, unsigned port, std::string_view token) {
  std::string shown(host);
  if (shown.empty() || shown == "0.0.0.0") shown = "127.0.0.1";
  if (shown == "::") shown = "::1";
  if (shown.find(':') != std::string::npos) shown = "[" + shown + "]";
  return "http://" + shown + ":" + std::to_string(port) +
         "/_/#/install?token=" + std::string(token);
}

}  // namespace basalt::app
