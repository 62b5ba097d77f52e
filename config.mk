# config.mk — build configuration of dumpfmt, included by the Makefile: install directories,
# compiler and flags, and the optional libraries found on this machine.
#
# Everything here can be overridden on the command line, for example
#   make PREFIX=/opt/dumpfmt
#   make CFLAGS='-O0 -g -Wall -Wextra -Werror' WITH_LZ4=no
# Plain `=` assignments on purpose: a stray PREFIX or CFLAGS in the environment does not leak in.

# ---- install directories ------------------------------------------------------------------
PREFIX       = /usr/local
BINDIR       = $(PREFIX)/bin
LIBDIR       = $(PREFIX)/lib
INCLUDEDIR   = $(PREFIX)/include
MANDIR       = $(PREFIX)/share/man
PKGCONFIGDIR = $(LIBDIR)/pkgconfig
# Where the dynamic loader looks by itself (/usr/local/lib after ldconfig, which `make install`
# runs as root); for any other LIBDIR, libdumpfmt.pc adds an rpath to LIBDIR.
SYSTEM_LIBDIRS = /lib /lib64 /usr/lib /usr/lib64 /usr/local/lib \
                 $(foreach d,/lib /usr/lib /usr/local/lib,$(addprefix $(d)/,$(MULTIARCH)))
MULTIARCH      = $(shell $(CC) -print-multiarch 2>/dev/null)

# ---- compiler -----------------------------------------------------------------------------
CC         = gcc
AR         = ar
PKG_CONFIG = pkg-config
# The house warnings are part of CFLAGS; flags the code cannot build without are in the Makefile.
CFLAGS     = -O2 -g -Wall -Wextra -Werror
LDFLAGS    =

# The test build: the same code under AddressSanitizer and UndefinedBehaviorSanitizer.
SANITIZE   = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# `make fuzz` only: libFuzzer needs clang.
FUZZ_CC     = clang
FUZZ_CFLAGS = -O1 -g -Wall -Wextra -Werror

# ---- optional libraries -------------------------------------------------------------------
# Each codec is used when pkg-config finds it (WITH_x = auto) or left out (WITH_x = no).
# A codec left out keeps its place in the library and fails with "not built with ... support".
WITH_ZLIB  = auto
WITH_LZ4   = auto
WITH_ZSTD  = auto
# ISA-L's igzip inflates gzip data faster than zlib; zlib remains the fallback.
WITH_ISAL  = auto
# libpq is used by the tools only (dumproles -d CONNINFO), never by the library.
WITH_LIBPQ = auto

pc_exists = $(shell $(PKG_CONFIG) --exists $(1) 2>/dev/null && echo yes)

CODEC_PCS  :=
CODEC_DEFS :=
ifneq ($(WITH_ZLIB),no)
ifeq ($(call pc_exists,zlib),yes)
CODEC_PCS  += zlib
CODEC_DEFS += -DDF_HAVE_ZLIB
endif
endif
ifneq ($(WITH_LZ4),no)
ifeq ($(call pc_exists,liblz4),yes)
CODEC_PCS  += liblz4
CODEC_DEFS += -DDF_HAVE_LZ4
endif
endif
ifneq ($(WITH_ZSTD),no)
ifeq ($(call pc_exists,libzstd),yes)
CODEC_PCS  += libzstd
CODEC_DEFS += -DDF_HAVE_ZSTD
endif
endif

ISAL_DEFS :=
ISAL_LIBS :=
ifneq ($(WITH_ISAL),no)
ifneq ($(wildcard /usr/include/isa-l.h /usr/include/isa-l/igzip_lib.h),)
ISAL_DEFS := -DDF_HAVE_ISAL
ISAL_LIBS := -lisal
endif
endif

LIBPQ_DEFS   :=
LIBPQ_CFLAGS :=
LIBPQ_LIBS   :=
ifneq ($(WITH_LIBPQ),no)
ifeq ($(call pc_exists,libpq),yes)
LIBPQ_DEFS   := -DDF_HAVE_LIBPQ
LIBPQ_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpq)
LIBPQ_LIBS   := $(shell $(PKG_CONFIG) --libs libpq)
endif
endif

CODEC_CFLAGS := $(if $(strip $(CODEC_PCS)),$(shell $(PKG_CONFIG) --cflags $(CODEC_PCS)))
CODEC_LIBS   := $(if $(strip $(CODEC_PCS)),$(shell $(PKG_CONFIG) --libs $(CODEC_PCS)))

# Check (the unit-test framework) is only needed by the test build.
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
