#include "pg/column_converter.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/errors.hpp"
#include "core/json_keys.hpp"
#include "pg/pg_call.hpp"
#include "pg/text_encoding.hpp"

namespace impayes::pg {

namespace {

// Scalar kinds by base type; string-like and enum types print as text.
bool scalar_kind(Oid t, ValueKind &k) {
    switch (t) {
        case TEXTOID:
        case VARCHAROID:
        case BPCHAROID:
            k = ValueKind::Text;
            return true;
        case NAMEOID:
        case UUIDOID:
        case CHAROID:
            k = ValueKind::Output;
            return true;
        case INT2OID:
            k = ValueKind::Int2;
            return true;
        case INT4OID:
            k = ValueKind::Int4;
            return true;
        case INT8OID:
            k = ValueKind::Int8;
            return true;
        case FLOAT4OID:
            k = ValueKind::Float4;
            return true;
        case FLOAT8OID:
            k = ValueKind::Float8;
            return true;
        case NUMERICOID:
            k = ValueKind::Numeric;
            return true;
        case BOOLOID:
            k = ValueKind::Bool;
            return true;
        case DATEOID:
            k = ValueKind::Date;
            return true;
        case TIMESTAMPOID:
        case TIMESTAMPTZOID:
            k = ValueKind::Timestamp;
            return true;
        case JSONOID:
        case JSONBOID:
            k = ValueKind::Json;
            return true;
        default:
            break;
    }
    char category = 0;
    bool preferred = false;
    pg::run([&]() noexcept { get_type_category_preferred(t, &category, &preferred); });
    if (category == TYPCATEGORY_STRING || category == TYPCATEGORY_ENUM) {
        k = ValueKind::Output;
        return true;
    }
    return false;
}

ParseType parse_type_of(ValueKind k) {
    switch (k) {
        case ValueKind::Int2:
        case ValueKind::Int4:
        case ValueKind::Int8:
        case ValueKind::Float4:
        case ValueKind::Float8:
        case ValueKind::Numeric:
            return ParseType::Number;
        case ValueKind::Bool:
            return ParseType::Boolean;
        case ValueKind::Date:
        case ValueKind::Timestamp:
            return ParseType::Date;
        case ValueKind::Json:
            return ParseType::Object;
        case ValueKind::Array:
            return ParseType::Array;
        default:
            return ParseType::String;
    }
}

Oid base_type(Oid t) {
    Oid out = InvalidOid;
    pg::run([&]() noexcept { out = getBaseType(t); });
    return out;
}

std::string type_name(Oid t) {
    char *s = nullptr;
    pg::run([&]() noexcept { s = format_type_be(t); });
    return s;
}

Oid output_fn_of(Oid t) {
    Oid fn = InvalidOid;
    bool varlena = false;
    pg::run([&]() noexcept { getTypeOutputInfo(t, &fn, &varlena); });
    return fn;
}

std::string set_number(double v, JsonValue &out) {
    if (std::isnan(v)) return "NaN cannot be stored in a Parse Number";
    if (std::isinf(v)) return "infinity cannot be stored in a Parse Number";
    out.SetDouble(v);
    return "";
}

std::string set_date(std::optional<std::string> iso, JsonValue &out, JsonAlloc &a) {
    if (!iso) return "date outside years 1 to 9999 cannot be stored in a Parse Date";
    JsonValue::Member m[2];
    m[0].name.SetString(rapidjson::StringRef("__type"));
    m[0].value.SetString(rapidjson::StringRef("Date"));
    m[1].name.SetString(rapidjson::StringRef("iso"));
    m[1].value.SetString(iso->c_str(), rapidjson::SizeType(iso->size()), a);
    set_object_exact(out, m, 2, a);
    return "";
}

std::string set_text(const char *s, size_t len, JsonValue &out, JsonAlloc &a) {
    const char *utf8 = nullptr;
    size_t utf8_len = 0;
    std::string err = value_to_utf8(s, len, utf8, utf8_len);
    if (!err.empty()) return err;
    out.SetString(utf8, rapidjson::SizeType(utf8_len), a);
    if (utf8 != s) pfree(const_cast<char *>(utf8));
    return "";
}

// A json/jsonb value as a Parse Object or Array, or why it cannot be one.
std::string set_json(const char *s, JsonValue &out, JsonAlloc &a) {
    const char *utf8 = nullptr;
    size_t len = 0;
    std::string err = value_to_utf8(s, strlen(s), utf8, len);
    if (!err.empty()) return err;
    JsonDoc doc(&a);
    err = parse_json(doc, utf8, len);
    if (utf8 != s) pfree(const_cast<char *>(utf8));
    if (!err.empty()) return "invalid JSON: " + err;
    if (!doc.IsObject() && !doc.IsArray())
        return "a JSON scalar cannot be stored in a Parse Object or Array (wrap it in an "
               "object)";
    if (auto why = json_key_problem(doc)) return *why;
    out.Swap(doc);
    return "";
}

}  // namespace

ColumnConverter ColumnConverter::for_type(const std::string &name, Oid type_oid) {
    ColumnConverter c;
    c.name = utf8_from_server(name);
    c.sql_type = type_name(type_oid);
    const Oid base = base_type(type_oid);
    Oid elem = InvalidOid;
    pg::run([&]() noexcept { elem = get_element_type(base); });
    bool ok;
    if (elem != InvalidOid) {
        c.kind = ValueKind::Array;
        c.elem.oid = base_type(elem);
        ok = scalar_kind(c.elem.oid, c.elem.kind);
        c.elem.output_fn = output_fn_of(c.elem.oid);
        pg::run([&]() noexcept {
            get_typlenbyvalalign(c.elem.oid, &c.elem.len, &c.elem.byval, &c.elem.align);
        });
    } else {
        ok = scalar_kind(base, c.kind);
        c.output_fn = output_fn_of(base);
    }
    if (!ok)
        throw SyncError("column \"" + name + "\" has type " + c.sql_type +
                        ", which has no Parse equivalent (supported: text and other string types, "
                        "enums, uuid, integers, real, double precision, numeric, boolean, date, "
                        "timestamp, timestamptz, json, jsonb, and one-dimensional arrays of these)")
            .with("column", name)
            .with("type", c.sql_type)
            .with("phase", "checking source columns");
    c.parse_type = parse_type_of(c.kind);
    return c;
}

std::string ColumnConverter::convert(Datum d, JsonValue &out, JsonAlloc &a) const {
    if (kind != ValueKind::Array) return scalar(kind, output_fn, d, out, a);
    ArrayType *arr = nullptr;
    pg::run([&]() noexcept { arr = DatumGetArrayTypeP(d); });
    if (ARR_NDIM(arr) > 1) return "multi-dimensional arrays cannot be stored in a Parse Array";
    Datum *elems = nullptr;
    bool *nulls = nullptr;
    int n = 0;
    pg::run([&]() noexcept {
        // The array's own element type: a domain's oid when the array holds a
        // domain (its storage is its base type's, which elem describes).
        deconstruct_array(arr, ARR_ELEMTYPE(arr), elem.len, elem.byval, elem.align, &elems, &nulls,
                          &n);
    });
    out.SetArray();
    out.Reserve(rapidjson::SizeType(n), a);
    for (int i = 0; i < n; ++i) {
        JsonValue v;
        if (!nulls[i]) {
            std::string err = scalar(elem.kind, elem.output_fn, elems[i], v, a);
            if (!err.empty()) return "element " + std::to_string(i + 1) + ": " + err;
        }
        out.PushBack(v, a);
    }
    return "";
}

std::string ColumnConverter::scalar(ValueKind k, Oid fn, Datum d, JsonValue &out,
                                    JsonAlloc &a) const {
    switch (k) {
        case ValueKind::Int2:
            out.SetDouble(DatumGetInt16(d));
            return "";
        case ValueKind::Int4:
            out.SetDouble(DatumGetInt32(d));
            return "";
        case ValueKind::Int8:
            out.SetDouble(double(DatumGetInt64(d)));
            return "";
        case ValueKind::Float4:
            return set_number(DatumGetFloat4(d), out);
        case ValueKind::Float8:
            return set_number(DatumGetFloat8(d), out);
        case ValueKind::Bool:
            out.SetBool(DatumGetBool(d));
            return "";
        case ValueKind::Date: {
            DateADT days = DatumGetDateADT(d);
            if (DATE_NOT_FINITE(days)) return "infinite date cannot be stored in a Parse Date";
            return set_date(iso_from_pg_days(days), out, a);
        }
        case ValueKind::Timestamp: {
            Timestamp ts = DatumGetTimestamp(d);
            if (TIMESTAMP_NOT_FINITE(ts))
                return "infinite timestamp cannot be stored in a Parse Date";
            return set_date(iso_from_pg_micros(ts), out, a);
        }
        case ValueKind::Text: {
            text *t = nullptr;
            pg::run([&]() noexcept { t = DatumGetTextPP(d); });
            return set_text(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), out, a);
        }
        default:
            break;
    }
    char *s = nullptr;
    pg::run([&]() noexcept { s = OidOutputFunctionCall(fn, d); });
    if (k == ValueKind::Numeric) {
        if (strcmp(s, "NaN") == 0) return "NaN cannot be stored in a Parse Number";
        char *end = nullptr;
        double v = strtod(s, &end);
        if (std::isinf(v))
            return "numeric value out of range for a Parse Number (double precision)";
        return set_number(v, out);
    }
    if (k == ValueKind::Json) return set_json(s, out, a);
    return set_text(s, strlen(s), out, a);
}

}  // namespace impayes::pg
