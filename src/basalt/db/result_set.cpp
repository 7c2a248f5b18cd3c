#include "basalt/db/result_set.hpp"

#include <fmt/format.h>

#include "basalt/db/database_error.hpp"

namespace basalt::db {

ResultSet::ResultSet(std::vector<std::string> columns, std::vector<Value> cells)
    : columns_(std::move(columns)), cells_(std::move(cells)) {
  const bool shaped = columns_.empty() ? cells_.empty() : cells_.size() % columns_.size() == 0;
  if (!shaped) {
    throw DatabaseError(fmt::format("result set of {} cells does not fit {} columns", cells_.size(),
                                    columns_.size()));
  }
}

std::optional<std::size_t> ResultSet::column_index(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == name) return i;
  }
  return std::nullopt;
}

ResultSet::Row ResultSet::at(std::size_t row) const {
  if (row >= size()) {
    throw DatabaseError(fmt::format("row {} is out of range ({} rows)", row, size()));
  }
  return Row(*this, row);
}

const Value& ResultSet::Row::at(std::size_t column) const {
  if (column >= size()) {
    throw DatabaseError(fmt::format("column {} is out of range ({} columns)", column, size()));
  }
  return (*this)[column];
}

bool ResultSet::Row::is_null(std::size_t column) const {
  return std::holds_alternative<std::nullptr_t>(at(column));
}

std::int64_t ResultSet::Row::as_int(std::size_t column) const {
  const Value& value = at(column);
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return *integer;
  throw_kind_mismatch(column, "an integer");
}

double ResultSet::Row::as_double(std::size_t column) const {
  const Value& value = at(column);
  if (const auto* real = std::get_if<double>(&value)) return *real;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    return static_cast<double>(*integer);
  }
  throw_kind_mismatch(column, "a number");
}

std::string_view ResultSet::Row::as_text(std::size_t column) const {
  const Value& value = at(column);
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  throw_kind_mismatch(column, "text");
}

std::string_view ResultSet::Row::as_blob(std::size_t column) const {
  const Value& value = at(column);
  if (const auto* blob = std::get_if<Blob>(&value)) return blob->bytes;
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  throw_kind_mismatch(column, "a blob");
}

void ResultSet::Row::throw_kind_mismatch(std::size_t column, std::string_view wanted) const {
  throw DatabaseError(fmt::format("column {} ({}) of row {} holds {}, not {}", column,
                                  set_->columns_[column], index_, value_kind((*this)[column]),
                                  wanted));
}

}  // namespace basalt::db
