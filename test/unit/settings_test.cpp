#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/settings.hpp"

using namespace impayes;

namespace {

Settings good() {
    Settings s;
    s.parse_url = "http://127.0.0.1:1337/parse";
    s.application_id = "app";
    s.master_key = "secret";
    return s;
}

// The GUC validate_settings blames once `change` is applied, "" if none.
std::string blamed(const std::function<void(Settings &)> &change) {
    Settings s = good();
    change(s);
    auto p = validate_settings(s);
    if (!p) return "";
    EXPECT_FALSE(p->message.empty()) << p->setting;
    return p->setting;
}

}  // namespace

TEST(ValidateSettings, DefaultsWithRequiredOnesAreValid) {
    auto p = validate_settings(good());
    EXPECT_FALSE(p.has_value()) << p->setting << ": " << p->message;
    EXPECT_EQ(blamed([](Settings &s) { s.parse_url = "https://parse.example.com/parse/"; }), "");
    EXPECT_EQ(blamed([](Settings &s) { s.parse_url = "http://localhost:1337"; }), "");
}

TEST(ValidateSettings, ParseUrl) {
    const char *g = "impayes_sync.parse_url";
    EXPECT_EQ(blamed([](Settings &s) { s.parse_url.clear(); }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.parse_url = "ftp://h/parse"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.parse_url = "127.0.0.1:1337/parse"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.parse_url = "http://h/parse?x=1"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.parse_url = "http://h/parse#frag"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.parse_url = "http://h/pa rse"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.parse_url = "http://h/parse\n"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.parse_url = "http://user:pw@h/parse"; }), g);
}

TEST(ValidateSettings, ApplicationId) {
    const char *g = "impayes_sync.application_id";
    EXPECT_EQ(blamed([](Settings &s) { s.application_id.clear(); }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.application_id = "app\r\nX-Evil: 1"; }), g);
}

TEST(ValidateSettings, MasterKey) {
    const char *g = "impayes_sync.master_key";
    EXPECT_EQ(blamed([](Settings &s) { s.master_key.clear(); }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.master_key = "a\nb"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.master_key = "a\rb"; }), g);
}

TEST(ValidateSettings, MessagesNeverCarryTheMasterKey) {
    Settings s = good();
    s.master_key = "topsecret\nline2";
    auto p = validate_settings(s);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->message.find("topsecret"), std::string::npos) << p->message;
}

TEST(ValidateSettings, ClassName) {
    const char *g = "impayes_sync.class_name";
    EXPECT_EQ(blamed([](Settings &s) { s.class_name.clear(); }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.class_name = "_User"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.class_name = "a b"; }), g);
}

TEST(ValidateSettings, Source) {
    const char *g = "impayes_sync.source";
    EXPECT_EQ(blamed([](Settings &s) { s.source.clear(); }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.source = " \t\n"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.source = "SELECT 1"; }), "");
}

TEST(ValidateSettings, KeyColumn) {
    const char *g = "impayes_sync.key_column";
    EXPECT_EQ(blamed([](Settings &s) { s.key_column.clear(); }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.key_column = "objectId"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.key_column = "numéro"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.key_column = "_id"; }), g);
}

TEST(MountPath, Variants) {
    EXPECT_EQ(mount_path("http://127.0.0.1:1337/parse"), "/parse");
    EXPECT_EQ(mount_path("http://127.0.0.1:1337/parse/"), "/parse");
    EXPECT_EQ(mount_path("http://127.0.0.1:1337/parse//"), "/parse");
    EXPECT_EQ(mount_path("https://h/api/parse"), "/api/parse");
    EXPECT_EQ(mount_path("http://h:8080"), "");
    EXPECT_EQ(mount_path("http://h:8080/"), "");
    EXPECT_EQ(mount_path("http://h"), "");
}

TEST(BaseUrl, Variants) {
    EXPECT_EQ(base_url("http://127.0.0.1:1337/parse"), "http://127.0.0.1:1337/parse");
    EXPECT_EQ(base_url("http://127.0.0.1:1337/parse/"), "http://127.0.0.1:1337/parse");
    EXPECT_EQ(base_url("http://127.0.0.1:1337/parse///"), "http://127.0.0.1:1337/parse");
    EXPECT_EQ(base_url("http://h:8080/"), "http://h:8080");
    EXPECT_EQ(base_url("http://h"), "http://h");
}

TEST(TimeoutMessage, ExactText) {
    EXPECT_EQ(
        timeout_message(10000),
        "Timeout: La requête PostgreSQL a dépassé le temps d'exécution maximum de 10 secondes.");
    EXPECT_EQ(
        timeout_message(1000),
        "Timeout: La requête PostgreSQL a dépassé le temps d'exécution maximum de 1 seconde.");
    EXPECT_EQ(
        timeout_message(2000),
        "Timeout: La requête PostgreSQL a dépassé le temps d'exécution maximum de 2 secondes.");
    EXPECT_EQ(
        timeout_message(60000),
        "Timeout: La requête PostgreSQL a dépassé le temps d'exécution maximum de 60 secondes.");
}

TEST(ValidateSettings, OnMissing) {
    const char *g = "impayes_sync.on_missing";
    EXPECT_EQ(blamed([](Settings &s) { s.on_missing = "keep"; }), "");
    EXPECT_EQ(blamed([](Settings &s) { s.on_missing = "delete"; }), "");
    EXPECT_EQ(blamed([](Settings &s) { s.on_missing = "remove"; }), g);
    EXPECT_EQ(blamed([](Settings &s) { s.on_missing = ""; }), g);
}

TEST(SourceSearchPath, PgCatalogFirstPgTempLast) {
    EXPECT_EQ(pinned_search_path("public").value, "pg_catalog, \"public\", pg_temp");
    EXPECT_EQ(pinned_search_path(" Compta , \"Mixed Case\" ").value,
              "pg_catalog, \"compta\", \"Mixed Case\", pg_temp");
    EXPECT_EQ(pinned_search_path("pg_catalog, a").value, "pg_catalog, \"a\", pg_temp");
    EXPECT_EQ(pinned_search_path("").value, "pg_catalog, pg_temp");
    EXPECT_EQ(pinned_search_path("\"a\"\"b\"").value, "pg_catalog, \"a\"\"b\", pg_temp");
    EXPECT_EQ(pinned_search_path("\"a,b\"").value, "pg_catalog, \"a,b\", pg_temp");
}

TEST(SourceSearchPath, CallerChosenSchemasAreRefused) {
    for (const char *bad : {"$user", "\"$user\", public", "public, pg_temp", "PG_TEMP", "pg_temp_3",
                            "a,,b", "a b", "\"unterminated", ","}) {
        const PinnedSearchPath p = pinned_search_path(bad);
        EXPECT_FALSE(p.ok) << bad;
        EXPECT_FALSE(p.problem.empty()) << bad;
    }
    EXPECT_EQ(blamed([](Settings &s) { s.source_search_path = "$user, public"; }),
              "impayes_sync.source_search_path");
    EXPECT_EQ(blamed([](Settings &s) { s.source_search_path = "compta, public"; }), "");
}

TEST(KeyInClear, OnlyHttpToAHostThatIsNotLoopback) {
    EXPECT_TRUE(key_travels_in_clear("http://parse.example.com/parse"));
    EXPECT_TRUE(key_travels_in_clear("HTTP://10.1.2.3:1337/parse"));
    EXPECT_TRUE(key_travels_in_clear("http://128.0.0.1/parse"));
    EXPECT_TRUE(key_travels_in_clear("http://127.0.0.1.example.com/parse"));
    EXPECT_TRUE(key_travels_in_clear("http://[2001:db8::1]:1337/parse"));
    EXPECT_FALSE(key_travels_in_clear("https://parse.example.com/parse"));
    EXPECT_FALSE(key_travels_in_clear("http://127.0.0.1:1337/parse"));
    EXPECT_FALSE(key_travels_in_clear("http://127.45.6.7/parse"));
    EXPECT_FALSE(key_travels_in_clear("http://LocalHost:1337/parse"));
    EXPECT_FALSE(key_travels_in_clear("http://localhost./parse"));
    EXPECT_FALSE(key_travels_in_clear("http://[::1]:1337/parse"));
}
