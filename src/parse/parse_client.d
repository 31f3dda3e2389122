src/parse/parse_client.o: src/parse/parse_client.cpp \
 src/parse/parse_client.hpp src/core/errors.hpp src/core/json.hpp \
 src/core/logger.hpp src/core/settings.hpp src/core/source_data.hpp \
 src/core/parse_types.hpp src/http/http_client.hpp \
 src/http/curl_handles.hpp
src/parse/parse_client.hpp:
src/core/errors.hpp:
src/core/json.hpp:
src/core/logger.hpp:
src/core/settings.hpp:
src/core/source_data.hpp:
src/core/parse_types.hpp:
src/http/http_client.hpp:
src/http/curl_handles.hpp:
