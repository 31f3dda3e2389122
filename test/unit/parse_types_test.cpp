#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "core/parse_types.hpp"

using namespace impayes;

namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000;
// Days from 2000-01-01 (PostgreSQL's epoch) to some dates.
constexpr int64_t kDays_0001_01_01 = -730119;
constexpr int64_t kDays_9999_12_31 = 2921939;
constexpr int64_t kDays_2024_02_29 = 8825;

}  // namespace

TEST(ParseTypes, NamesRoundTrip) {
    for (ParseType t : {ParseType::String, ParseType::Number, ParseType::Boolean, ParseType::Date,
                        ParseType::Object, ParseType::Array}) {
        auto back = parse_type_from_name(parse_type_name(t));
        ASSERT_TRUE(back.has_value()) << parse_type_name(t);
        EXPECT_EQ(*back, t);
    }
    EXPECT_STREQ(parse_type_name(ParseType::Date), "Date");
    EXPECT_FALSE(parse_type_from_name("Pointer").has_value());
    EXPECT_FALSE(parse_type_from_name("string").has_value());
    EXPECT_FALSE(parse_type_from_name("").has_value());
}

TEST(FieldNameProblem, Accepts) {
    for (const char *name : {"a", "numero_facture", "A1_b", "Z", "montantTTC", "x_"})
        EXPECT_FALSE(field_name_problem(name).has_value())
            << name << ": " << *field_name_problem(name);
}

TEST(FieldNameProblem, Refuses) {
    for (const char *name : {"_x", "a-b", "échéance", "1col", "objectId", "createdAt", "updatedAt",
                             "ACL", "", "a b", "a.b", "a$"}) {
        auto p = field_name_problem(name);
        ASSERT_TRUE(p.has_value()) << "'" << name << "' should be refused";
        EXPECT_FALSE(p->empty()) << name;
    }
}

TEST(FieldNameProblem, EmbeddedNulRefused) {
    EXPECT_TRUE(field_name_problem(std::string("ab\0c", 4)).has_value());
}

TEST(FieldNameProblem, ReservedNamesAreNamedInMessage) {
    auto p = field_name_problem("objectId");
    ASSERT_TRUE(p.has_value());
    EXPECT_NE(p->find("objectId"), std::string::npos) << *p;
    // Only the exact reserved names: a longer name is fine.
    EXPECT_FALSE(field_name_problem("objectIdSource").has_value());
    EXPECT_FALSE(field_name_problem("acl").has_value());
}

TEST(ClassNameProblem, AcceptsAndRefuses) {
    for (const char *name : {"Impayes", "impayes_2024", "A"})
        EXPECT_FALSE(class_name_problem(name).has_value()) << name;
    for (const char *name : {"_User", "_Session", "_Role", "a b", "", "1abc", "a-b", "Impayés"})
        EXPECT_TRUE(class_name_problem(name).has_value()) << "'" << name << "' should be refused";
}

TEST(IsoFromPgMicros, Epoch) {
    EXPECT_EQ(iso_from_pg_micros(0), std::optional<std::string>("2000-01-01T00:00:00.000Z"));
}

TEST(IsoFromPgMicros, Negative) {
    EXPECT_EQ(iso_from_pg_micros(-1), std::optional<std::string>("1999-12-31T23:59:59.999Z"));
    EXPECT_EQ(iso_from_pg_micros(-1000), std::optional<std::string>("1999-12-31T23:59:59.999Z"));
    EXPECT_EQ(iso_from_pg_micros(-1001), std::optional<std::string>("1999-12-31T23:59:59.998Z"));
    EXPECT_EQ(iso_from_pg_micros(-kMicrosPerDay),
              std::optional<std::string>("1999-12-31T00:00:00.000Z"));
}

TEST(IsoFromPgMicros, TruncatesTowardMinusInfinity) {
    EXPECT_EQ(iso_from_pg_micros(999), std::optional<std::string>("2000-01-01T00:00:00.000Z"));
    EXPECT_EQ(iso_from_pg_micros(1000), std::optional<std::string>("2000-01-01T00:00:00.001Z"));
    EXPECT_EQ(iso_from_pg_micros(1999), std::optional<std::string>("2000-01-01T00:00:00.001Z"));
    EXPECT_EQ(iso_from_pg_micros(123456789),
              std::optional<std::string>("2000-01-01T00:02:03.456Z"));
    EXPECT_EQ(iso_from_pg_micros(-999), std::optional<std::string>("1999-12-31T23:59:59.999Z"));
}

TEST(IsoFromPgMicros, LeapDay) {
    const int64_t t =
        kDays_2024_02_29 * kMicrosPerDay + (12LL * 3600 + 34 * 60 + 56) * 1000000 + 789000;
    EXPECT_EQ(iso_from_pg_micros(t), std::optional<std::string>("2024-02-29T12:34:56.789Z"));
    EXPECT_EQ(iso_from_pg_micros((kDays_2024_02_29 + 1) * kMicrosPerDay),
              std::optional<std::string>("2024-03-01T00:00:00.000Z"));
    EXPECT_EQ(iso_from_pg_micros(kDays_2024_02_29 * kMicrosPerDay - 1),
              std::optional<std::string>("2024-02-28T23:59:59.999Z"));
    // 2000 is a leap year (divisible by 400).
    EXPECT_EQ(iso_from_pg_micros(59 * kMicrosPerDay),
              std::optional<std::string>("2000-02-29T00:00:00.000Z"));
}

TEST(IsoFromPgMicros, YearBoundaries) {
    const int64_t year1 = kDays_0001_01_01 * kMicrosPerDay;
    EXPECT_EQ(iso_from_pg_micros(year1), std::optional<std::string>("0001-01-01T00:00:00.000Z"));
    EXPECT_FALSE(iso_from_pg_micros(year1 - 1).has_value()) << *iso_from_pg_micros(year1 - 1);
    EXPECT_FALSE(iso_from_pg_micros(year1 - 1000).has_value());

    const int64_t year10000 = (kDays_9999_12_31 + 1) * kMicrosPerDay;
    EXPECT_EQ(iso_from_pg_micros(year10000 - 1),
              std::optional<std::string>("9999-12-31T23:59:59.999Z"));
    EXPECT_FALSE(iso_from_pg_micros(year10000).has_value()) << *iso_from_pg_micros(year10000);
}

TEST(IsoFromPgMicros, ExtremesDoNotCrash) {
    EXPECT_FALSE(iso_from_pg_micros(INT64_MIN).has_value());
    EXPECT_FALSE(iso_from_pg_micros(INT64_MAX).has_value());
}

TEST(ParseTypes, DaysBeyondMillisecondTimestampsAreRefused) {
    EXPECT_EQ(iso_from_pg_days(0), std::optional<std::string>("2000-01-01T00:00:00.000Z"));
    EXPECT_EQ(iso_from_pg_days(-730119), std::optional<std::string>("0001-01-01T00:00:00.000Z"));
    EXPECT_EQ(iso_from_pg_days(2921939), std::optional<std::string>("9999-12-31T00:00:00.000Z"));
    EXPECT_EQ(iso_from_pg_days(2921940), std::nullopt);
    EXPECT_EQ(iso_from_pg_days(-730120), std::nullopt);
    // 213503983 days is 2^64 microseconds plus a little: multiplied
    // first, it wraps to 2000-01-01.
    EXPECT_EQ(iso_from_pg_days(213503983), std::nullopt);
    EXPECT_EQ(iso_from_pg_days(2147483647), std::nullopt);
    EXPECT_EQ(iso_from_pg_days(-2147483647), std::nullopt);
}
