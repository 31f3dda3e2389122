#include "pg/subtransaction.hpp"

namespace impayes::pg {

void in_subtransaction(const std::function<void()> &body,
                       const std::function<void()> &before_rollback) {
    MemoryContext cxt = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    pg::run([&]() noexcept {
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(cxt);
    });
    try {
        body();
        pg::run([&]() noexcept {
            ReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(cxt);
            CurrentResourceOwner = owner;
        });
    } catch (...) {
        if (before_rollback) before_rollback();
        pg::run([&]() noexcept {
            RollbackAndReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(cxt);
            CurrentResourceOwner = owner;
        });
        throw;
    }
}

void as_extension_owner(const std::function<void()> &body) {
    Oid saved_user = InvalidOid;
    int saved_context = 0, nest = 0;
    pg::run([&]() noexcept {
        GetUserIdAndSecContext(&saved_user, &saved_context);
        SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID, saved_context | SECURITY_LOCAL_USERID_CHANGE |
                                                          SECURITY_RESTRICTED_OPERATION);
        nest = NewGUCNestLevel();
        set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
                          GUC_ACTION_SAVE, true, 0, false);
    });
    body();  // on a throw, the enclosing subtransaction's rollback restores both
    pg::run([&]() noexcept {
        AtEOXact_GUC(true, nest);
        SetUserIdAndSecContext(saved_user, saved_context);
    });
}

}  // namespace impayes::pg
