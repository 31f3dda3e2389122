// Which version of the extension's SQL objects this database has. The
// library of a new package also serves databases whose extension has not
// been updated yet (ALTER EXTENSION impayes_sync UPDATE): it then works
// with the 1.0 objects and says so once per run.
#pragma once

namespace impayes::pg {

enum class SqlObjects { V1_0, V1_1 };

// From the catalogs (no SQL): the 1.1 objects are there when
// impayes_sync.install_secret exists.
SqlObjects installed_sql_objects();

// The warning a run gives when the objects are older than the library,
// or nullptr.
const char *sql_objects_warning();

}  // namespace impayes::pg
