#include "pg/spi.hpp"

#include <exception>

#include "pg/pg_call.hpp"

namespace impayes::pg {

SpiConnection::SpiConnection() : unwinding_at_start_(std::uncaught_exceptions()) {
    pg::run([]() noexcept {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
}

SpiConnection::~SpiConnection() noexcept(false) {
    if (std::uncaught_exceptions() > unwinding_at_start_) return;  // see the header
    pg::run([]() noexcept { SPI_finish(); });
}

}  // namespace impayes::pg
