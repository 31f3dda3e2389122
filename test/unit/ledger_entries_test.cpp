#include "core/ledger_entries.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

using namespace impayes;

TEST(ShortText, HoldsShortAndLongTexts) {
    ShortText<16> a("0123456789abcde");  // 15 bytes: inline
    ShortText<16> b(std::string(200, 'x'));
    EXPECT_EQ(a, "0123456789abcde");
    EXPECT_EQ(b.size(), 200u);
    ShortText<16> c = b;
    b = "short";
    EXPECT_EQ(c, std::string(200, 'x'));
    EXPECT_EQ(b, "short");
    c = std::move(a);
    EXPECT_EQ(c, "0123456789abcde");
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
    c.clear();
    EXPECT_TRUE(c.empty());
    EXPECT_EQ(ShortText<16>(std::string("a\0b", 3)).view(), std::string_view("a\0b", 3));
}

TEST(ShortText, InlineUpTo15BytesAndSelfAssignment) {
    for (size_t n : {14, 15, 16, 17}) {
        const std::string text(n, char('a' + n));
        ShortText<16> t(text);
        EXPECT_EQ(t.view(), text) << n;
        t = t.view();  // a view of itself
        EXPECT_EQ(t.view(), text) << n;
        t = t.view().substr(1);
        EXPECT_EQ(t.view(), text.substr(1)) << n;
    }
}

TEST(LedgerEntries, FindsWhatWasInserted) {
    LedgerEntries t;
    EXPECT_EQ(t.find("F1"), nullptr);
    t["F1"].object_id = "obj1";
    t["F2"].hash = 7;
    EXPECT_EQ(t.size(), 2u);
    ASSERT_NE(t.find("F1"), nullptr);
    EXPECT_EQ(t.find("F1")->object_id, "obj1");
    EXPECT_EQ(t.at("F2").hash, 7u);
    EXPECT_THROW(t.at("F3"), std::out_of_range);
    EXPECT_EQ(&t["F1"], t.find("F1"));  // [] on a present key makes nothing
    EXPECT_EQ(t.size(), 2u);
    EXPECT_EQ(t.find(std::string("F1\0", 3)), nullptr);  // keys are bytes
}

TEST(LedgerEntries, EntriesStayWhereTheyAreAsTheTableGrows) {
    LedgerEntries t;
    LedgerEntry *first = &t["first"];
    for (int i = 0; i < 50000; ++i) t["k" + std::to_string(i)].hash = uint64_t(i) + 1;
    EXPECT_EQ(first, t.find("first"));  // the run keeps pointers across a chunk
}

TEST(LedgerEntries, MatchesAMapThroughInsertsAndErases) {
    LedgerEntries t;
    std::map<std::string, uint64_t> m;
    std::mt19937 rng(42);
    for (int step = 0; step < 200000; ++step) {
        const std::string key =
            "FAC-" + std::to_string(rng() % 20000) + (rng() % 50 == 0 ? std::string(40, 'L') : "");
        if (rng() % 3 == 0) {
            EXPECT_EQ(t.erase(key), m.erase(key) == 1) << key;
        } else {
            t[key].hash = uint64_t(step) + 1;
            m[key] = uint64_t(step) + 1;
        }
    }
    ASSERT_EQ(t.size(), m.size());
    for (const auto &[k, h] : m) {
        ASSERT_NE(t.find(k), nullptr) << k;
        EXPECT_EQ(t.find(k)->hash, h) << k;
    }
    size_t visited = 0;
    t.for_each([&](std::string_view k, const LedgerEntry &e) {
        ++visited;
        EXPECT_EQ(m.at(std::string(k)), e.hash);
    });
    EXPECT_EQ(visited, m.size());
}

TEST(LedgerEntries, CopiesAreDeepAndMovesEmptyTheSource) {
    LedgerEntries t;
    t["a"].object_id = std::string(100, 'o');
    LedgerEntries copy = t;
    copy["a"].object_id = "changed";
    EXPECT_EQ(t.at("a").object_id, std::string(100, 'o'));
    LedgerEntries moved = std::move(t);
    EXPECT_EQ(moved.at("a").object_id, std::string(100, 'o'));
    EXPECT_TRUE(t.empty());  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(t.find("a"), nullptr);
    t["b"];  // still usable
    EXPECT_EQ(t.size(), 1u);
}

TEST(LedgerEntries, DrainVisitsEverythingInArrivalOrderAndEmpties) {
    LedgerEntries t;
    for (int i = 0; i < 20000; ++i) t[std::to_string(i)].first_row = uint32_t(i) + 1;
    t.erase("5");
    uint32_t expect = 1, n = 0;
    t.drain([&](std::string_view k, const LedgerEntry &e) {
        if (expect == 6) ++expect;  // erased
        EXPECT_EQ(e.first_row, expect) << k;
        ++expect;
        ++n;
    });
    EXPECT_EQ(n, 19999u);
    EXPECT_TRUE(t.empty());
    EXPECT_EQ(t.memory_bytes(), 0u);
    EXPECT_EQ(t.find("1"), nullptr);
}

TEST(LedgerEntries, ADrainThatThrowsLeavesAnEmptyUsableTable) {
    LedgerEntries t;
    for (int i = 0; i < 20000; ++i) t["k" + std::to_string(i)].object_id = std::string(30, 'o');
    int seen = 0;
    EXPECT_THROW(t.drain([&](std::string_view, const LedgerEntry &) {
        if (++seen == 10000) throw std::runtime_error("stop");
    }),
                 std::runtime_error);
    EXPECT_TRUE(t.empty());
    EXPECT_EQ(t.memory_bytes(), 0u);
    t["again"].hash = 3;  // usable after
    EXPECT_EQ(t.at("again").hash, 3u);
    t.drain([](std::string_view, const LedgerEntry &) {});
    t["and again"];
    EXPECT_EQ(t.size(), 1u);
}

TEST(LedgerEntries, CopiesLeaveErasedEntriesOut) {
    LedgerEntries t;
    for (int i = 0; i < 100; ++i) t[std::to_string(i)].hash = uint64_t(i) + 1;
    for (int i = 0; i < 100; i += 2) t.erase(std::to_string(i));
    LedgerEntries copy = t;
    EXPECT_EQ(copy.size(), 50u);
    EXPECT_EQ(copy.find("0"), nullptr);
    EXPECT_EQ(copy.at("1").hash, 2u);
    size_t n = 0;
    copy.for_each([&](std::string_view, const LedgerEntry &) { ++n; });
    EXPECT_EQ(n, 50u);
}

TEST(LedgerEntries, RefusesMoreKeysThanItCanNumber) {
    LedgerEntries t;
    EXPECT_THROW(t.reserve(LedgerEntries::kMaxKeys + 1), std::length_error);
    EXPECT_TRUE(t.empty());
}

TEST(LedgerEntries, StaysWithinItsBudgetPerKey) {
    // Invoice numbers of 16 bytes with objectIds of 10: issue 9 allows 100
    // bytes a source row for everything a run holds.
    LedgerEntries t;
    const size_t n = 300000;
    t.reserve(n);
    for (size_t k = 0; k < n; ++k) {
        char key[32], id[16];
        snprintf(key, sizeof key, "FAC-2025-%07zu", k);
        snprintf(id, sizeof id, "o%09zu", k);
        t[key].object_id = id;
    }
    EXPECT_EQ(t.size(), n);
    const double per_key = double(t.memory_bytes()) / double(n);
    EXPECT_LT(per_key, 90.0) << per_key;  // 72 a record, the rest the half-empty table
    std::printf("LedgerEntries: %.1f bytes a key\n", per_key);
}
