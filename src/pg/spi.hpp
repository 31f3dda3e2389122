// The one place that calls SPI_connect and SPI_finish.
#pragma once

namespace impayes::pg {

// Connected by the constructor (throws PgError), finished when the scope
// ends normally. When an exception leaves the scope, the connection is not
// finished here but by the rollback of the enclosing subtransaction
// (in_subtransaction): a PL function that failed inside may have left its
// own connection above ours, which SPI_finish would take for ours.
class SpiConnection {
public:
    SpiConnection();
    // May throw PgError (never while unwinding).
    ~SpiConnection() noexcept(false);
    SpiConnection(const SpiConnection &) = delete;
    SpiConnection &operator=(const SpiConnection &) = delete;

private:
    int unwinding_at_start_;  // std::uncaught_exceptions() when connected
};

}  // namespace impayes::pg
