src/core/settings.o: src/core/settings.cpp src/core/settings.hpp \
 src/core/parse_types.hpp
src/core/settings.hpp:
src/core/parse_types.hpp:
