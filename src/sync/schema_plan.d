src/sync/schema_plan.o: src/sync/schema_plan.cpp src/sync/schema_plan.hpp \
 src/core/json.hpp src/core/source_data.hpp src/core/parse_types.hpp
src/sync/schema_plan.hpp:
src/core/json.hpp:
src/core/source_data.hpp:
src/core/parse_types.hpp:
