#include "sync/prepare_class.hpp"

#include "core/errors.hpp"
#include "sync/schema_plan.hpp"

namespace impayes {

// Fails the run when the columns cannot be stored in Parse as they are.
void check_columns(const Settings &s, const SourceData &src) {
    std::vector<std::string> bad = column_name_problems(src.columns);
    if (!bad.empty()) {
        std::string line = "source column names that Parse refuses: " + bad[0];
        for (size_t i = 1; i < bad.size(); ++i) line += "; " + bad[i];
        SyncError e(line);
        e.with("phase", "checking source columns");
        auto &a = e.details().GetAllocator();
        JsonValue list(rapidjson::kArrayType);
        for (const auto &b : bad) list.PushBack(JsonValue(b.c_str(), a), a);
        e.details().AddMember("columns", list, a);
        throw e;
    }
    for (const auto &c : src.columns)
        if (c.name == s.key_column) return;
    throw SyncError("key column \"" + s.key_column +
                    "\" (impayes_sync.key_column) is not a column of the source")
        .with("setting", "impayes_sync.key_column");
}

namespace {

void throw_conflicts(const SchemaPlan &plan) {
    if (plan.conflicts.empty()) return;
    std::string line = plan.conflicts[0];
    for (size_t i = 1; i < plan.conflicts.size(); ++i) line += "; " + plan.conflicts[i];
    throw SyncError(line).with("phase", "checking the Parse schema");
}

// A retry found the class creation or the new fields already applied (the
// first answer was lost): re-read the schema, check the field types and add
// what is still missing.
void recheck_schema(const Settings &s, ParseClient &parse, const SourceData &src) {
    for (int pass = 0; pass < 2; ++pass) {
        JsonDoc fields;
        fields.SetObject();
        if (!parse.fetch_schema(fields))
            throw SyncError("Parse Server answered that class " + s.class_name +
                            " already holds the change, but GET /schemas does not find the class")
                .with("phase", "checking the Parse schema");
        SchemaPlan plan = plan_schema(src.columns, fields, s.class_name);
        throw_conflicts(plan);
        if (plan.missing.empty() || parse.add_fields(plan.missing) == SchemaChange::Applied) return;
    }
    throw SyncError("fields of Parse class " + s.class_name +
                    " are still missing after adding them twice")
        .with("phase", "checking the Parse schema");
}

}  // namespace

void ensure_schema(const Settings &s, ParseClient &parse, const SourceData &src, bool exists,
                   const JsonDoc &fields, Logger &log) {
    JsonValue none(rapidjson::kObjectType);
    SchemaPlan plan = plan_schema(
        src.columns, exists ? static_cast<const JsonValue &>(fields) : none, s.class_name);
    throw_conflicts(plan);
    if (s.dry_run) return;
    if (!exists) {
        if (parse.create_class(plan.missing) == SchemaChange::FoundApplied)
            recheck_schema(s, parse, src);
    } else if (!plan.missing.empty()) {
        if (parse.add_fields(plan.missing) == SchemaChange::FoundApplied)
            return recheck_schema(s, parse, src);  // no "added": the retry found them there
        log.info("added " + std::to_string(plan.missing.size()) + " fields to Parse class " +
                 s.class_name);
    }
}

}  // namespace impayes
