#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "sync/schema_plan.hpp"
#include "test_util.hpp"

using namespace impayes;
using impayes_test::parse_into;

namespace {

std::vector<SourceColumn> columns() {
    return {{"numero_facture", "text", ParseType::String},
            {"montant", "numeric(12,2)", ParseType::Number},
            {"echeance", "date", ParseType::Date},
            {"paye", "boolean", ParseType::Boolean}};
}

}  // namespace

TEST(PlanSchema, AllMissingForEmptyClass) {
    JsonDoc fields;
    parse_into(fields, R"({"objectId":{"type":"String"},"createdAt":{"type":"Date"}})");
    SchemaPlan p = plan_schema(columns(), fields, "Impayes");
    std::vector<std::pair<std::string, ParseType>> expected = {
        {"numero_facture", ParseType::String},
        {"montant", ParseType::Number},
        {"echeance", ParseType::Date},
        {"paye", ParseType::Boolean}};
    EXPECT_EQ(p.missing, expected);
    EXPECT_TRUE(p.conflicts.empty());
}

TEST(PlanSchema, MatchingFieldsNeedNothing) {
    JsonDoc fields;
    parse_into(fields, R"({"numero_facture":{"type":"String"},"montant":{"type":"Number"},
                           "echeance":{"type":"Date"},"paye":{"type":"Boolean"},
                           "extra":{"type":"Pointer","targetClass":"X"}})");
    SchemaPlan p = plan_schema(columns(), fields, "Impayes");
    EXPECT_TRUE(p.missing.empty());
    EXPECT_TRUE(p.conflicts.empty());
}

TEST(PlanSchema, SomeMissing) {
    JsonDoc fields;
    parse_into(fields, R"({"numero_facture":{"type":"String"},"paye":{"type":"Boolean"}})");
    SchemaPlan p = plan_schema(columns(), fields, "Impayes");
    std::vector<std::pair<std::string, ParseType>> expected = {{"montant", ParseType::Number},
                                                               {"echeance", ParseType::Date}};
    EXPECT_EQ(p.missing, expected);
    EXPECT_TRUE(p.conflicts.empty());
}

TEST(PlanSchema, ConflictMessageNamesColumnTypesAndField) {
    JsonDoc fields;
    parse_into(fields, R"({"numero_facture":{"type":"String"},"montant":{"type":"String"},
                           "echeance":{"type":"Date"},"paye":{"type":"Number"}})");
    SchemaPlan p = plan_schema(columns(), fields, "Impayes");
    EXPECT_TRUE(p.missing.empty());
    ASSERT_EQ(p.conflicts.size(), 2u);
    EXPECT_EQ(p.conflicts[0],
              "column \"montant\" (numeric(12,2)) maps to Parse Number but field Impayes.montant "
              "is already a String");
    EXPECT_EQ(p.conflicts[1],
              "column \"paye\" (boolean) maps to Parse Boolean but field Impayes.paye is already "
              "a Number");
}

TEST(PlanSchema, FieldWithoutTypeIsMissing) {
    JsonDoc fields;
    parse_into(fields, R"({"numero_facture":{},"montant":{"type":7},"echeance":"Date",
                           "paye":{"type":"Boolean"}})");
    SchemaPlan p = plan_schema(columns(), fields, "C");
    ASSERT_EQ(p.missing.size(), 3u);
    EXPECT_EQ(p.missing[0].first, "numero_facture");
    EXPECT_EQ(p.missing[1].first, "montant");
    EXPECT_EQ(p.missing[2].first, "echeance");
    EXPECT_TRUE(p.conflicts.empty());
}

TEST(ColumnNameProblems, OneMessagePerBadColumn) {
    std::vector<SourceColumn> cols = {{"ok", "text", ParseType::String},
                                      {"échéance", "date", ParseType::Date},
                                      {"objectId", "text", ParseType::String},
                                      {"also_ok1", "int", ParseType::Number},
                                      {"a-b", "text", ParseType::String}};
    auto problems = column_name_problems(cols);
    ASSERT_EQ(problems.size(), 3u);
    EXPECT_EQ(problems[0].rfind("column \"échéance\": ", 0), 0u) << problems[0];
    EXPECT_EQ(problems[1].rfind("column \"objectId\": ", 0), 0u) << problems[1];
    EXPECT_EQ(problems[2].rfind("column \"a-b\": ", 0), 0u) << problems[2];
}

TEST(ColumnNameProblems, NoneForGoodColumns) {
    EXPECT_TRUE(column_name_problems(columns()).empty());
    EXPECT_TRUE(column_name_problems({}).empty());
}

TEST(ColumnNameProblems, DuplicateColumnNameReported) {
    std::vector<SourceColumn> cols = {{"numero_facture", "text", ParseType::String},
                                      {"montant", "numeric", ParseType::Number},
                                      {"montant", "numeric", ParseType::Number}};
    auto problems = column_name_problems(cols);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("montant"), std::string::npos) << problems[0];
}
