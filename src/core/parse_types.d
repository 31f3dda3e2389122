src/core/parse_types.o: src/core/parse_types.cpp src/core/parse_types.hpp
src/core/parse_types.hpp:
