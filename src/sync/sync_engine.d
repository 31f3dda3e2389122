src/sync/sync_engine.o: src/sync/sync_engine.cpp src/sync/sync_engine.hpp \
 src/core/ledger.hpp src/core/json.hpp src/core/logger.hpp \
 src/core/result.hpp src/core/settings.hpp src/core/source_data.hpp \
 src/core/parse_types.hpp src/http/http_client.hpp \
 src/http/curl_handles.hpp src/core/diff.hpp src/core/errors.hpp \
 src/parse/batch_writer.hpp src/parse/parse_client.hpp \
 src/sync/incremental.hpp src/sync/schema_plan.hpp
src/sync/sync_engine.hpp:
src/core/ledger.hpp:
src/core/json.hpp:
src/core/logger.hpp:
src/core/result.hpp:
src/core/settings.hpp:
src/core/source_data.hpp:
src/core/parse_types.hpp:
src/http/http_client.hpp:
src/http/curl_handles.hpp:
src/core/diff.hpp:
src/core/errors.hpp:
src/parse/batch_writer.hpp:
src/parse/parse_client.hpp:
src/sync/incremental.hpp:
src/sync/schema_plan.hpp:
