src/core/diff.o: src/core/diff.cpp src/core/diff.hpp src/core/json.hpp \
 src/core/ledger.hpp src/core/source_data.hpp src/core/parse_types.hpp
src/core/diff.hpp:
src/core/json.hpp:
src/core/ledger.hpp:
src/core/source_data.hpp:
src/core/parse_types.hpp:
