// Adapter pieces that need no server: the Redis key layout and URL parsing.
#include <gtest/gtest.h>

#include "builders.hpp"
#include "flashsale/mysql/mysql_options.hpp"
#include "flashsale/redis/keys.hpp"
#include "flashsale/redis/redis_options.hpp"

namespace flashsale::testing {
namespace {

using domain::Outcome;

TEST(RedisKeysTest, EverySaleKeySharesTheSaleHashTag) {
  auto sale = MakeId<domain::SaleId>("s-1");
  for (const std::string& key :
       {redis::Keys::Meta(sale), redis::Keys::Stock(sale, MakeId<domain::ItemId>("i:1")),
        redis::Keys::Bought(sale),
        redis::Keys::Answer(sale, MakeId<domain::UserId>("u:1"), MakeId<domain::RequestId>("r")),
        redis::Keys::Orders(sale), redis::Keys::OrderStatus(sale), redis::Keys::Dead(sale)}) {
    EXPECT_EQ(redis::Keys::HashTag(key), "s-1") << key;
    EXPECT_TRUE(key.starts_with("fs:{s-1}:")) << key;
  }
  EXPECT_EQ(
      redis::Keys::Answer(sale, MakeId<domain::UserId>("a:b"), MakeId<domain::RequestId>("c")),
      "fs:{s-1}:idem:a:b/c");
  EXPECT_NE(
      redis::Keys::Answer(sale, MakeId<domain::UserId>("a:b"), MakeId<domain::RequestId>("c")),
      redis::Keys::Answer(sale, MakeId<domain::UserId>("a"), MakeId<domain::RequestId>("b:c")));
  EXPECT_EQ(redis::Keys::HashTag("no-tag"), "no-tag");
  EXPECT_EQ(redis::Keys::HashTag("x{}y"), "x{}y");  // empty tag: Redis hashes the whole key
}

TEST(RedisUrlTest, ParsesHostPortPasswordAndDb) {
  auto plain = redis::ParseRedisUrl("redis://10.0.0.5:6380");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->host, "10.0.0.5");
  EXPECT_EQ(plain->port, 6380);
  EXPECT_EQ(plain->password, "");
  auto full = redis::ParseRedisUrl("redis://:s3cr:et@cache/3");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->host, "cache");
  EXPECT_EQ(full->port, 6379);
  EXPECT_EQ(full->password, "s3cr:et");
  EXPECT_EQ(full->db, 3);
  for (const char* bad : {"http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h:x",
                          "redis://h/16", "redis://h/abc"}) {
    auto r = redis::ParseRedisUrl(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().outcome, Outcome::kInvalidRequest);
  }
}

TEST(RedisUrlTest, SeveralAddressesAreTheSeedsOfACluster) {
  auto seeds = redis::ParseRedisUrl("redis://:pw@10.0.0.1:7001,10.0.0.2,10.0.0.3:7003");
  ASSERT_TRUE(seeds.ok());
  EXPECT_EQ(seeds->password, "pw");
  EXPECT_EQ(redis::Seeds(*seeds), (std::vector<redis::RedisNode>{
                                      {"10.0.0.1", 7001}, {"10.0.0.2", 6379}, {"10.0.0.3", 7003}}));
  const redis::RedisOptions second = redis::AtNode(*seeds, seeds->more_seeds[0]);
  EXPECT_EQ(second.host, "10.0.0.2");
  EXPECT_EQ(second.password, "pw");
  EXPECT_TRUE(second.more_seeds.empty());
  EXPECT_TRUE(redis::ParseRedisUrl("redis://a:1,b:2/0").ok());
  for (const char* bad : {"redis://a:1,", "redis://,a:1", "redis://a:1,,b:2", "redis://a:1,b:0",
                          "redis://a:1,b:x", "redis://a,b/3"}) {
    auto r = redis::ParseRedisUrl(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().outcome, Outcome::kInvalidRequest) << bad;
  }
}

TEST(RedisKeysTest, SlotsAreCrc16OfTheHashTag) {
  // The values of the Redis Cluster specification and of CLUSTER KEYSLOT.
  EXPECT_EQ(redis::Keys::Slot("123456789"), 0x31C3 % 16384);
  EXPECT_EQ(redis::Keys::Slot("foo"), 12182);
  EXPECT_EQ(redis::Keys::Slot("{user1000}.following"), redis::Keys::Slot("{user1000}.followers"));
  EXPECT_EQ(redis::Keys::Slot("fs:{s-1}:meta"), redis::Keys::Slot("s-1"));
  EXPECT_EQ(redis::Keys::Slot("fs:{~rl}:u:a"), redis::Keys::Slot("fs:{~rl}:a:1.2.3.4"));
}

TEST(MySqlUrlTest, ParsesAndNeverEchoesThePassword) {
  auto ok = mysql::ParseMySqlUrl("mysql://app:p@ss@db.local:3307/shop");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->user, "app");
  EXPECT_EQ(ok->password, "p@ss");
  EXPECT_EQ(ok->host, "db.local");
  EXPECT_EQ(ok->port, 3307);
  EXPECT_EQ(ok->database, "shop");
  EXPECT_EQ(mysql::Redacted(*ok), "mysql://app:***@db.local:3307/shop");
  for (const char* bad : {"postgres://a@b/c", "mysql://b/c", "mysql://a@b", "mysql://a@b/",
                          "mysql://a:pw@b:0/c", "mysql://a:pw@b/c;drop", "mysql://:pw@b/c"}) {
    auto r = mysql::ParseMySqlUrl(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().detail.find("pw"), std::string::npos) << r.error().detail;
  }
}

}  // namespace
}  // namespace flashsale::testing
