// Existence checks for record validation without blocking: schema::validate_record asks a
// synchronous schema::RecordLookup whether related records (and a client-chosen id) exist,
// but the database is awaitable. So validation runs twice:
//
//   1. with a fresh PrefetchedLookup, which notes every question and answers "all exist"
//      (and "no such id");
//   2. answer() asks the database in a few queries through the write job's transaction, and
//      validation runs again with the same lookup, now answering from what it fetched.
//
// Validation is a pure function of its inputs, so pass 2 asks exactly the questions of pass 1.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "basalt/collections/catalog.hpp"
#include "basalt/db/dialect.hpp"
#include "basalt/db/transaction.hpp"
#include "basalt/schema/lookups.hpp"

namespace basalt::records {

class PrefetchedLookup : public schema::RecordLookup {
 public:
  std::optional<std::size_t> count_existing(std::string_view collection_id,
                                            std::span<const std::string> ids) override;
  bool id_exists(const schema::Collection& collection, std::string_view id,
                 bool ignore_case) override;

  // The questions (pass 1) and, once answered, the answers (pass 2).
  struct IdQuestion {
    std::string table;
    std::string id;
    bool ignore_case = false;
    auto operator<=>(const IdQuestion&) const = default;
  };
  bool recording() const noexcept { return recording_; }
  bool asked_anything() const noexcept { return !ids_asked_.empty() || !existing_.empty(); }

  // Answers every recorded question through `tx` and switches to answering mode.
  boost::asio::awaitable<void> answer(db::Transaction& tx, const db::Dialect& dialect,
                                      const collections::Catalog& catalog);

  // Once answered: whether the database answered every question as recording did (every
  // related id exists, no asked-about id exists). Then validation with this lookup returns
  // what validation while recording returned, so a caller holding that result may keep it.
  bool answered_as_recorded() const noexcept { return !recording_ && as_recorded_; }

  // While recording, once every question is asked: builds the statements that confirm the
  // recorded assumptions (one COUNT per related collection, one lookup per asked id), so that
  // a write job only runs them (done on the caller's thread, not the writer's).
  void prepare_confirmation(const db::Dialect& dialect, const collections::Catalog& catalog);
  // Runs those statements through `tx`: true when the database answers every question as
  // recording assumed. Changes nothing; when false, answer() a copy for the details.
  boost::asio::awaitable<bool> confirms_recording(db::Transaction& tx) const;

 private:
  bool recording_ = true;
  bool as_recorded_ = true;
  // collection id -> ids asked about (pass 1), then -> ids that exist (pass 2).
  std::map<std::string, std::set<std::string>, std::less<>> existing_;
  std::map<std::string, bool, std::less<>> unknown_collections_;
  std::map<IdQuestion, bool> ids_asked_;
  struct Confirmation {
    std::string sql;
    db::Params params;
    std::int64_t expected = 0;  // the COUNT it must give (0 for an id that must be free)
  };
  std::vector<Confirmation> confirmations_;
  bool unconfirmable_ = false;  // a related collection is gone: only answer() can tell
};

}  // namespace basalt::records
