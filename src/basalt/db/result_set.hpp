// ResultSet: the rows a query returned, fully read, with their column names.
//
// Contract:
// - Cells are stored row-major in one vector; a Row is a cheap view (a pointer and an index)
//   that stays valid as long as its ResultSet is alive and unmoved.
// - Typed accessors check the stored kind and throw DatabaseError on a mismatch (a bug in the
//   SQL or the schema, never a client's fault): as_int wants an integer; as_double takes an
//   integer or a real; as_text wants text; as_blob takes a blob or text (bytes either way).
//   NULL matches none of them — test is_null first where a column may be NULL.
// - Column and row indexes are 0-based. operator[] does not check them; at() does.
// - Not synchronized: a ResultSet is an ordinary value, owned by whoever received it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/value.hpp"

namespace basalt::db {

class ResultSet {
 public:
  class Row {
   public:
    Row(const ResultSet& set, std::size_t index) noexcept : set_(&set), index_(index) {}

    std::size_t size() const noexcept { return set_->columns_.size(); }
    std::size_t index() const noexcept { return index_; }

    const Value& operator[](std::size_t column) const noexcept {
      return set_->cells_[index_ * set_->columns_.size() + column];
    }
    const Value& at(std::size_t column) const;  // throws DatabaseError when out of range

    bool is_null(std::size_t column) const;
    std::int64_t as_int(std::size_t column) const;
    double as_double(std::size_t column) const;
    std::string_view as_text(std::size_t column) const;
    std::string_view as_blob(std::size_t column) const;

   private:
    [[noreturn]] void throw_kind_mismatch(std::size_t column, std::string_view wanted) const;

    const ResultSet* set_;
    std::size_t index_;
  };

  class Iterator {
   public:
    Iterator(const ResultSet& set, std::size_t index) noexcept : set_(&set), index_(index) {}
    Row operator*() const noexcept { return Row(*set_, index_); }
    Iterator& operator++() noexcept {
      ++index_;
      return *this;
    }
    bool operator==(const Iterator& other) const noexcept { return index_ == other.index_; }

   private:
    const ResultSet* set_;
    std::size_t index_;
  };

  ResultSet() = default;
  // `cells` holds rows one after another; its size must be a multiple of columns.size()
  // (DatabaseError otherwise), and with no columns there are no rows.
  ResultSet(std::vector<std::string> columns, std::vector<Value> cells);

  const std::vector<std::string>& columns() const noexcept { return columns_; }
  // The first column called `name` (exact match), if any.
  std::optional<std::size_t> column_index(std::string_view name) const noexcept;

  std::size_t size() const noexcept {
    return columns_.empty() ? 0 : cells_.size() / columns_.size();
  }
  bool empty() const noexcept { return size() == 0; }

  Row operator[](std::size_t row) const noexcept { return Row(*this, row); }
  Row at(std::size_t row) const;  // throws DatabaseError when out of range

  Iterator begin() const noexcept { return Iterator(*this, 0); }
  Iterator end() const noexcept { return Iterator(*this, size()); }

 private:
  std::vector<std::string> columns_;
  std::vector<Value> cells_;
};

}  // namespace basalt::db
