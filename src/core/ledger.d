src/core/ledger.o: src/core/ledger.cpp src/core/ledger.hpp \
 src/core/json.hpp
src/core/ledger.hpp:
src/core/json.hpp:
