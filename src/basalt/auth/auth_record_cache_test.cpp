// AuthRecordCache: the per-thread LRU bound, invalidation published from another thread, the
// catalog diff that drops a changed collection's entries, and inserts that raced a change.
#include "basalt/auth/auth_record_cache.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "basalt/schema/collection_defaults.hpp"

namespace basalt::auth {
namespace {

namespace json = boost::json;

CachedAuthRecord entry_for(std::string_view id) {
  return {std::make_shared<const json::object>(json::object{{"id", id}}), nullptr, true};
}

std::shared_ptr<const collections::Catalog> catalog_of(std::vector<schema::Collection> list,
                                                       std::uint64_t version) {
  return std::make_shared<const collections::Catalog>(std::move(list), version);
}

class AuthRecordCacheTest : public ::testing::Test {
 protected:
  schema::Collection users_ = schema::new_collection(schema::CollectionType::kAuth, "users");
  schema::Collection admins_ = schema::new_collection(schema::CollectionType::kAuth, "admins");
  std::shared_ptr<const collections::Catalog> catalog_ = catalog_of({users_, admins_}, 1);

  // Looks `id` up in users, filling it on a miss as the Authenticator does.
  static bool hit_or_fill(AuthRecordCache::Shard& shard, const std::string& collection,
                          const std::string& id) {
    if (shard.find(collection, id)) return true;
    shard.insert(shard.ticket(), collection, id, entry_for(id));
    return false;
  }
};

TEST_F(AuthRecordCacheTest, KeepsAtMostCapacityEntriesDroppingTheLeastRecentlyUsed) {
  AuthRecordCache cache(3);
  auto& shard = cache.for_this_thread();
  shard.sync(catalog_);
  for (const char* id : {"a", "b", "c"}) EXPECT_FALSE(hit_or_fill(shard, users_.id, id));
  EXPECT_TRUE(hit_or_fill(shard, users_.id, "a"));   // a is now the most recent
  EXPECT_FALSE(hit_or_fill(shard, users_.id, "d"));  // evicts b
  EXPECT_EQ(shard.size(), 3u);
  EXPECT_TRUE(hit_or_fill(shard, users_.id, "a"));
  EXPECT_TRUE(hit_or_fill(shard, users_.id, "c"));
  EXPECT_TRUE(hit_or_fill(shard, users_.id, "d"));
  EXPECT_EQ(shard.find(users_.id, "b"), nullptr);
}

TEST_F(AuthRecordCacheTest, CapacityZeroCachesNothing) {
  AuthRecordCache cache(0);
  auto& shard = cache.for_this_thread();
  shard.sync(catalog_);
  EXPECT_FALSE(hit_or_fill(shard, users_.id, "a"));
  EXPECT_FALSE(hit_or_fill(shard, users_.id, "a"));
  EXPECT_EQ(shard.size(), 0u);
}

TEST_F(AuthRecordCacheTest, KeysAreCollectionAndRecord) {
  AuthRecordCache cache(8);
  auto& shard = cache.for_this_thread();
  shard.sync(catalog_);
  hit_or_fill(shard, users_.id, "same");
  EXPECT_EQ(shard.find(admins_.id, "same"), nullptr);
}

TEST_F(AuthRecordCacheTest, AnInvalidationFromAnotherThreadDropsTheEntryOnEveryThread) {
  AuthRecordCache cache(8);
  auto& shard = cache.for_this_thread();
  shard.sync(catalog_);
  hit_or_fill(shard, users_.id, "a");
  hit_or_fill(shard, users_.id, "b");

  // A second worker thread with its own shard holding the same record.
  bool other_dropped = false;
  std::thread other([&] {
    auto& mine = cache.for_this_thread();
    EXPECT_NE(&mine, &shard);
    mine.sync(catalog_);
    hit_or_fill(mine, users_.id, "a");
    // The writer's thread publishes (here: a third thread), then this one looks again.
    std::thread([&] { cache.invalidate(users_.id, "a"); }).join();
    mine.sync(catalog_);
    other_dropped = mine.find(users_.id, "a") == nullptr;
  });
  other.join();
  EXPECT_TRUE(other_dropped);

  shard.sync(catalog_);
  EXPECT_EQ(shard.find(users_.id, "a"), nullptr);
  EXPECT_NE(shard.find(users_.id, "b"), nullptr);
}

TEST_F(AuthRecordCacheTest, AnInsertThatRacedAnInvalidationIsNotKept) {
  AuthRecordCache cache(8);
  auto& shard = cache.for_this_thread();
  shard.sync(catalog_);
  const AuthRecordCache::Ticket ticket = shard.ticket();  // the read begins
  std::thread([&] { cache.invalidate(users_.id, "a"); }).join();
  shard.insert(ticket, users_.id, "a", entry_for("a"));  // with what it read before
  EXPECT_EQ(shard.find(users_.id, "a"), nullptr);
  EXPECT_EQ(shard.size(), 0u);
}

TEST_F(AuthRecordCacheTest, ShardsThatFellBehindTheLogDropEverything) {
  AuthRecordCache cache(8, /*log_capacity=*/2);
  auto& shard = cache.for_this_thread();
  shard.sync(catalog_);
  hit_or_fill(shard, users_.id, "keep-me-not");
  for (const char* id : {"x", "y", "z"}) cache.invalidate(users_.id, id);
  shard.sync(catalog_);
  EXPECT_EQ(shard.size(), 0u);
  // Caught up: later invalidations are applied one by one again.
  hit_or_fill(shard, users_.id, "a");
  hit_or_fill(shard, users_.id, "b");
  cache.invalidate(users_.id, "a");
  shard.sync(catalog_);
  EXPECT_EQ(shard.find(users_.id, "a"), nullptr);
  EXPECT_NE(shard.find(users_.id, "b"), nullptr);
}

TEST_F(AuthRecordCacheTest, InvalidateAllEmptiesEveryShardThenSingleInvalidationsApplyAgain) {
  AuthRecordCache cache(8);
  auto& shard = cache.for_this_thread();
  shard.sync(catalog_);
  hit_or_fill(shard, users_.id, "a");
  hit_or_fill(shard, admins_.id, "b");
  cache.invalidate_all();  // the cluster bus was down (docs/scaling.md)
  shard.sync(catalog_);
  EXPECT_EQ(shard.size(), 0u);
  hit_or_fill(shard, users_.id, "c");
  hit_or_fill(shard, users_.id, "d");
  cache.invalidate(users_.id, "c");
  shard.sync(catalog_);
  EXPECT_EQ(shard.find(users_.id, "c"), nullptr);
  EXPECT_NE(shard.find(users_.id, "d"), nullptr);
}

TEST_F(AuthRecordCacheTest, ANewCatalogDropsOnlyTheEntriesOfCollectionsThatChanged) {
  AuthRecordCache cache(8);
  auto& shard = cache.for_this_thread();
  shard.sync(catalog_);
  hit_or_fill(shard, users_.id, "u");
  hit_or_fill(shard, admins_.id, "a");

  schema::Collection stricter = users_;
  stricter.auth.auth_rule = "verified = true";
  shard.sync(catalog_of({stricter, admins_}, 2));
  EXPECT_EQ(shard.find(users_.id, "u"), nullptr);
  EXPECT_NE(shard.find(admins_.id, "a"), nullptr);

  // A new secret, and a deleted collection, drop theirs too.
  hit_or_fill(shard, users_.id, "u");
  schema::Collection resecret = stricter;
  resecret.auth.auth_token.secret = std::string(50, 's');
  shard.sync(catalog_of({resecret, admins_}, 3));
  EXPECT_EQ(shard.find(users_.id, "u"), nullptr);
  shard.sync(catalog_of({resecret}, 4));
  EXPECT_EQ(shard.find(admins_.id, "a"), nullptr);
}

TEST_F(AuthRecordCacheTest, AnInsertReadUnderAnOlderCatalogIsNotKept) {
  AuthRecordCache cache(8);
  auto& shard = cache.for_this_thread();
  shard.sync(catalog_);
  const AuthRecordCache::Ticket ticket = shard.ticket();
  shard.sync(catalog_of({users_, admins_}, 2));  // another request saw a schema change
  shard.insert(ticket, users_.id, "a", entry_for("a"));
  EXPECT_EQ(shard.size(), 0u);
}

TEST_F(AuthRecordCacheTest, EachCacheHasItsOwnShardPerThread) {
  AuthRecordCache first(8);
  AuthRecordCache second(8);
  EXPECT_NE(&first.for_this_thread(), &second.for_this_thread());
  EXPECT_EQ(&first.for_this_thread(), &first.for_this_thread());
}

}  // namespace
}  // namespace basalt::auth
