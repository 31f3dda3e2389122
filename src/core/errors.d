src/core/errors.o: src/core/errors.cpp src/core/errors.hpp \
 src/core/json.hpp
src/core/errors.hpp:
src/core/json.hpp:
