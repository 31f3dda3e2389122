#include <gtest/gtest.h>

#include <functional>
#include <iterator>
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

// Settings starts from the table the GUCs are declared with (their boot
// values: test 01_settings shows them), so a run driven by these tests
// sees what a server with nothing configured sees.
TEST(SettingDefaults, SettingsStartFromTheGucDefaults) {
    const Settings s;
    EXPECT_EQ(s.class_name, defaults::class_name);
    EXPECT_EQ(s.source, defaults::source);
    EXPECT_EQ(s.source_search_path, defaults::source_search_path);
    EXPECT_EQ(s.key_column, defaults::key_column);
    EXPECT_EQ(s.query_timeout_ms, defaults::query_timeout_ms.value);
    EXPECT_EQ(s.connect_timeout_ms, defaults::connect_timeout_ms.value);
    EXPECT_EQ(s.request_timeout_ms, defaults::request_timeout_ms.value);
    EXPECT_EQ(s.batch_size, defaults::batch_size.value);
    EXPECT_EQ(s.max_request_bytes, defaults::max_request_bytes.value);
    EXPECT_EQ(s.max_response_bytes, defaults::max_response_bytes.value);
    EXPECT_EQ(s.parallel_requests, defaults::parallel_requests.value);
    EXPECT_EQ(s.max_retries, defaults::max_retries.value);
    EXPECT_EQ(s.mode, defaults::mode);
    EXPECT_EQ(s.on_missing, defaults::on_missing);
    EXPECT_TRUE(s.parse_url.empty() && s.application_id.empty() && s.master_key.empty() &&
                s.ca_file.empty());
}

TEST(SettingDefaults, EveryDefaultIsWithinItsBounds) {
    for (const IntDefault &d :
         {defaults::query_timeout_ms, defaults::connect_timeout_ms, defaults::request_timeout_ms,
          defaults::batch_size, defaults::max_request_bytes, defaults::max_response_bytes,
          defaults::parallel_requests, defaults::max_retries, defaults::history_retention_min}) {
        EXPECT_LE(d.min, d.value);
        EXPECT_LE(d.value, d.max);
    }
}

TEST(SettingNames, TheWordsTheGucsAccept) {
    EXPECT_STREQ(name_of(SyncMode::Incremental), "incremental");
    EXPECT_STREQ(name_of(SyncMode::Full), "full");
    EXPECT_STREQ(name_of(OnMissing::Keep), "keep");
    EXPECT_STREQ(name_of(OnMissing::Delete), "delete");
    // One name per value: the enum GUC maps each word to its value.
    EXPECT_EQ(std::size(kSyncModeNames), 2u);
    EXPECT_EQ(std::size(kOnMissingNames), 2u);
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
