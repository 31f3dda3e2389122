src/core/result.o: src/core/result.cpp src/core/result.hpp \
 src/core/json.hpp
src/core/result.hpp:
src/core/json.hpp:
