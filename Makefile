# PGXS build of the impayes_sync extension (C++17, libcurl, RapidJSON).
EXTENSION = impayes_sync
MODULE_big = impayes_sync
DATA = $(wildcard sql/impayes_sync--*.sql)
PGFILEDESC = "impayes_sync - sync unpaid invoices into a Parse Server class"

# Layers: core/http/parse/sync hold no PostgreSQL headers (unit-tested
# without a server); pg/ is the only glue that includes postgres.h.
CORE_SRCS = $(wildcard src/core/*.cpp src/http/*.cpp src/parse/*.cpp src/sync/*.cpp)
PG_SRCS = $(wildcard src/pg/*.cpp)
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

# Regression tests: sql/NN_*.sql against expected/NN_*.out. They need the
# harness in test/ (a real Parse Server); run them with test/run.sh.
REGRESS = $(patsubst sql/%.sql,%,$(sort $(filter-out sql/impayes_sync--%,$(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=$(EXTENSION)

# RapidJSON's configuration (a failed check throws, never assert()) comes
# before any RapidJSON header in every file.
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-unused-parameter -Isrc -MMD -MP \
	-include core/rapidjson_config.hpp
EXTRA_CLEAN = $(OBJS:.o=.d) results regression.diffs regression.out
SHLIB_LINK += -lcurl -lstdc++

# PG 15 on Debian is built with LLVM; our C++17 does not need bitcode.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

-include $(OBJS:.o=.d)

# The PostgreSQL-free layers, for the GoogleTest unit tests.
.PHONY: unit
unit:
	$(MAKE) -C test/unit

# The Debian package, built with dpkg-buildpackage in a copy of the tree:
# dist/postgresql-15-impayes-sync_<version>_amd64.deb (see debian/).
.PHONY: deb
deb:
	scripts/build-deb.sh
