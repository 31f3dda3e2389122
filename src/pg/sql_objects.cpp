#include "pg/sql_objects.hpp"

#include "pg/pg_call.hpp"

namespace impayes::pg {

SqlObjects installed_sql_objects() {
    bool at_1_1 = false;
    pg::run([&]() noexcept {
        const Oid ns = get_namespace_oid("impayes_sync", true);
        at_1_1 = OidIsValid(ns) && OidIsValid(get_relname_relid("install_secret", ns));
    });
    return at_1_1 ? SqlObjects::V1_1 : SqlObjects::V1_0;
}

const char *sql_objects_warning() {
    if (installed_sql_objects() == SqlObjects::V1_1) return nullptr;
    return "impayes_sync: this database's extension objects are at version 1.0 while the library "
           "is 1.1: run ALTER EXTENSION impayes_sync UPDATE (until then ledger hashes are not "
           "keyed and a ledger copied from another database is not detected)";
}

}  // namespace impayes::pg
