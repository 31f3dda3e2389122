src/http/http_client.o: src/http/http_client.cpp src/http/http_client.hpp \
 src/http/curl_handles.hpp src/core/errors.hpp src/core/json.hpp
src/http/http_client.hpp:
src/http/curl_handles.hpp:
src/core/errors.hpp:
src/core/json.hpp:
