src/parse/batch_writer.o: src/parse/batch_writer.cpp \
 src/parse/batch_writer.hpp src/core/diff.hpp src/core/json.hpp \
 src/core/ledger.hpp src/core/source_data.hpp src/core/parse_types.hpp \
 src/core/logger.hpp src/core/settings.hpp src/parse/parse_client.hpp \
 src/core/errors.hpp src/http/http_client.hpp src/http/curl_handles.hpp
src/parse/batch_writer.hpp:
src/core/diff.hpp:
src/core/json.hpp:
src/core/ledger.hpp:
src/core/source_data.hpp:
src/core/parse_types.hpp:
src/core/logger.hpp:
src/core/settings.hpp:
src/parse/parse_client.hpp:
src/core/errors.hpp:
src/http/http_client.hpp:
src/http/curl_handles.hpp:
