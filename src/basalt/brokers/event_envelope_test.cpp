#include "basalt/brokers/event_envelope.hpp"

#include "basalt/brokers/testing/test_events.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace basalt::brokers {
namespace {

TEST(EventEnvelope, CarriesIdTypeTimeSequenceCollectionAndRecord) {
  auto event = testing::numbered_event(7, "posts", "update");
  const auto envelope = boost::json::parse(build_event_envelope(event)).as_object();
  EXPECT_EQ(envelope.at("id").as_string(), "evt000000000007");
  EXPECT_EQ(envelope.at("type").as_string(), "record.update");
  std::string rfc3339 = event.committed_at;
  rfc3339[10] = 'T';
  EXPECT_EQ(envelope.at("timestamp").as_string(), rfc3339);
  EXPECT_EQ(envelope.at("sequence").as_int64(), 7);
  const auto& data = envelope.at("data").as_object();
  EXPECT_EQ(data.at("collection").at("id").as_string(), "pbc_posts");
  EXPECT_EQ(data.at("collection").at("name").as_string(), "posts");
  EXPECT_EQ(data.at("record"), boost::json::parse(event.record_json));
  EXPECT_EQ(envelope.size(), 5u);
}

TEST(EventEnvelope, IsWrittenInOneOrderWithEveryStringEscaped) {
  // The exact text: consumers that hash or diff deliveries see the same bytes from every build.
  events::OutboxEvent event;
  event.sequence = 9;
  event.event_id = "evt_1";
  event.action = "create";
  event.collection_id = "pbc_1";
  event.collection_name = "po\"sts";
  event.record_json = R"({"id":"r1","n":3E0,"note":"a\u00e9\n"})";
  event.committed_at = "2026-12-06 23:40:00.123Z";
  EXPECT_EQ(build_event_envelope(event),
            R"({"id":"evt_1","type":"record.create","timestamp":"2026-12-06T23:40:00.123Z",)"
            R"("sequence":9,"data":{"collection":{"id":"pbc_1","name":"po\"sts"},)"
            R"("record":{"id":"r1","n":3,"note":"aé\n"}}})");
}

TEST(EventEnvelope, RecordThatIsNotAnObjectBecomesNull) {
  auto event = testing::numbered_event(1);
  event.record_json = "{not json";
  const auto envelope = boost::json::parse(build_event_envelope(event)).as_object();
  EXPECT_TRUE(envelope.at("data").at("record").is_null());
  event.record_json = "[1,2]";
  const auto array_envelope = boost::json::parse(build_event_envelope(event)).as_object();
  EXPECT_TRUE(array_envelope.at("data").at("record").is_null());
}

// Numbers as the REST API writes them: a whole number without a fraction or an exponent (a
// consumer decoding it into an integer refuses 3E0), others in their shortest form.
TEST(EventEnvelope, WritesNumbersAsTheRestApiDoes) {
  auto event = testing::numbered_event(2);
  event.record_json = R"({"views":3E0,"price":12.5,"big":1e21,"small":-7e-7,"count":42})";
  const std::string text = build_event_envelope(event);
  EXPECT_NE(text.find(R"("record":{"views":3,"price":12.5,"big":1e+21,"small":-7e-7,"count":42})"),
            std::string::npos)
      << text;
  event.action = "custom:order.paid";
  event.record_json = R"({"amount":2E0})";
  EXPECT_NE(build_event_envelope(event).find(R"("data":{"amount":2})"), std::string::npos);
}

TEST(EventEnvelope, ACustomEventCarriesItsTypeAndDataAsPublished) {
  auto event = testing::numbered_event(3);
  event.action = "custom:order.paid";
  event.collection_id.clear();
  event.collection_name.clear();
  event.record_json = R"({"order":"o-1","amount":12.5})";
  const auto envelope = boost::json::parse(build_event_envelope(event)).as_object();
  EXPECT_EQ(envelope.at("type").as_string(), "order.paid");
  EXPECT_EQ(envelope.at("data"), boost::json::parse(event.record_json));
  EXPECT_EQ(envelope.at("sequence").as_int64(), 3);
  EXPECT_EQ(envelope.size(), 5u);
  event.record_json = "[1,2]";  // any JSON value, not only objects
  EXPECT_EQ(boost::json::parse(build_event_envelope(event)).at("data"),
            boost::json::parse("[1,2]"));
}

}  // namespace
}  // namespace basalt::brokers
