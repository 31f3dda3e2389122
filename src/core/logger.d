src/core/logger.o: src/core/logger.cpp src/core/logger.hpp
src/core/logger.hpp:
