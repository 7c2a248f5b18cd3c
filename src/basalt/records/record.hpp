// Record: one record as the record service hands it to a transport - its collection, its
// stored values, the relations expanded for this request and what this caller may see of it.
// record_response_json.hpp turns it into the client's JSON.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "basalt/collections/catalog.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::records {

struct Record;

// One `expand` entry: a relation (or back-relation) key and the records it resolved to that
// the caller may view. `many` decides between an array and a single object in the JSON. A
// record reached from several parents is one shared object (never copied per parent).
struct Expansion {
  std::string key;
  bool many = false;
  std::vector<std::shared_ptr<const Record>> records;
};

struct Record {
  const schema::Collection* collection = nullptr;  // lives in the result's catalog snapshot
  boost::json::object values;                      // every field, stored form, field order
  std::vector<Expansion> expand;                   // only the keys that resolved to something
  bool email_visible = false;  // the caller sees `email` whatever emailVisibility says
  // What writing this record costs, its expansions included, each counted as often as it is
  // written: records, and an estimate of the JSON bytes. Expand keeps these to bound a
  // response before it is written (expand.hpp).
  std::uint64_t written_records = 1;
  std::uint64_t written_bytes = 0;
  // What an after-list/view hook changed in the answer (hook_port.hpp): keys added or
  // replaced (a field's name replaces that field's value) and fields left out. Empty unless a
  // hook ran; the stored values above stay as read.
  boost::json::object hook_fields;
  std::vector<std::string> hook_hidden;
};

// A single record and the catalog snapshot its collection pointers live in.
struct RecordResult {
  std::shared_ptr<const collections::Catalog> catalog;
  Record record;
};

// One page of a list (docs/records.md, "Lists"). total_items/total_pages are -1 when skipTotal was
// asked.
struct RecordPage {
  std::shared_ptr<const collections::Catalog> catalog;
  std::vector<Record> items;
  std::int64_t page = 1;
  std::int64_t per_page = 30;
  std::int64_t total_items = -1;
  std::int64_t total_pages = -1;
};

}  // namespace basalt::records
