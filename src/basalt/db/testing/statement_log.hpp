// StatementLog (tests only): the real database, seeing the write jobs submitted to it. It
// counts them (what never reaches the single writer shows as a count that did not move) and
// keeps the text and parameters of every statement the last job ran, queries and executes
// alike, in order. Reads pass straight through.
//
// A job the writer reruns (after another job of its round failed) appends its statements
// again: tests that compare statements run their jobs alone.
#pragma once

#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/database.hpp"

namespace basalt::db::testing {

class StatementLog final : public Database {
 public:
  explicit StatementLog(Database& inner) : inner_(inner) {}

  const Dialect& dialect() const noexcept override { return inner_.dialect(); }
  using Database::query;
  boost::asio::awaitable<ResultSet> query(std::string_view sql, const Params& params,
                                          ReadOptions options) override {
    reads.emplace_back(sql);
    pooled_reads += options.pooled ? 1 : 0;
    return inner_.query(sql, params, options);
  }
  boost::asio::awaitable<void> write(WriteJob job) override {
    ++writes;
    statements.clear();
    params.clear();
    return inner_.write(
        [this, job = std::move(job)](Transaction& tx) -> boost::asio::awaitable<void> {
          Recording recording(tx, *this);
          co_await job(recording);
        });
  }
  ReadSet read_set(std::string_view sql) override { return inner_.read_set(sql); }
  std::vector<ColumnOrigin> describe(std::string_view sql) override { return inner_.describe(sql); }
  const DataVersions& versions() const noexcept override { return inner_.versions(); }
  void copy_snapshot(const std::string& target, const std::function<bool()>& cancelled) override {
    inner_.copy_snapshot(target, cancelled);
  }

  // How many statements of the last job start with `prefix`.
  std::size_t count(std::string_view prefix) const {
    return static_cast<std::size_t>(std::count_if(
        statements.begin(), statements.end(),
        [&](const std::string& sql) { return std::string_view(sql).starts_with(prefix); }));
  }

  int writes = 0;                       // write jobs submitted so far
  std::vector<std::string> statements;  // the last job's statement texts, in order
  std::vector<Params> params;           // and their parameters
  std::vector<std::string> reads;       // every read outside a job, in order (never cleared)
  int pooled_reads = 0;                 // those of them that ran on the read pool

 private:
  class Recording final : public Transaction {
   public:
    Recording(Transaction& inner, StatementLog& log) : inner_(inner), log_(log) {}
    boost::asio::awaitable<ResultSet> query(std::string_view sql, const Params& params) override {
      note(sql, params);
      return inner_.query(sql, params);
    }
    boost::asio::awaitable<ExecResult> execute(std::string_view sql,
                                               const Params& params) override {
      note(sql, params);
      return inner_.execute(sql, params);
    }
    boost::asio::awaitable<std::vector<ColumnOrigin>> describe(std::string_view sql) override {
      return inner_.describe(sql);
    }

   private:
    void note(std::string_view sql, const Params& params) {
      log_.statements.emplace_back(sql);
      log_.params.push_back(params);
    }
    Transaction& inner_;
    StatementLog& log_;
  };

  Database& inner_;
};

}  // namespace basalt::db::testing
