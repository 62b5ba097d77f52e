# Makefile — builds libdumpfmt (static and shared), the tools, the sanitizer test build, and runs
# the tests.  GNU make.  Directories, compiler and optional libraries are set in config.mk;
# `make help` lists the targets.
#
# Sources are found by wildcard: libdumpfmt/*.c is the library, every tools/dumpNAME.c is a tool
# built to tools/dumpNAME (the other tools/*.c are modules the tools share, linked from an
# archive so that a tool takes only the modules it calls), every tests/check_NAME.c is a Check
# program built to build/tests/check_NAME.  Adding a file needs no edit here.

include config.mk

MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
.DELETE_ON_ERROR:

# ---- version, read from the public header ---------------------------------------------------
df_version = $(shell awk '$$2 == "DF_VERSION_$(1)" { print $$3 }' libdumpfmt/dumpfmt.h)
MAJOR   := $(call df_version,MAJOR)
MINOR   := $(call df_version,MINOR)
PATCH   := $(call df_version,PATCH)
VERSION := $(MAJOR).$(MINOR).$(PATCH)
ifeq ($(MAJOR),)
$(error could not read DF_VERSION_MAJOR from libdumpfmt/dumpfmt.h)
endif

# ---- sources ---------------------------------------------------------------------------------
LIB_SRCS    := $(sort $(wildcard libdumpfmt/*.c))
TOOL_COMMON := $(filter-out tools/dump%.c,$(sort $(wildcard tools/*.c)))
TOOL_SRCS   := $(filter-out $(TOOL_COMMON),$(sort $(wildcard tools/*.c)))
CHECK_SRCS  := $(sort $(wildcard tests/check_*.c))
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRCS  := $(sort $(wildcard bench/*.c))
MANPAGES    := $(sort $(wildcard man/*.1 man/*.3 man/*.5))

# ---- outputs ---------------------------------------------------------------------------------
STATIC  := libdumpfmt/libdumpfmt.a
SONAME  := libdumpfmt.so.$(MAJOR)
SHARED  := libdumpfmt/$(SONAME)
PCFILE  := libdumpfmt/libdumpfmt.pc
TOOLS   := $(TOOL_SRCS:.c=)

LIB_OBJS  := $(LIB_SRCS:%.c=build/obj/%.o)
PIC_OBJS  := $(LIB_SRCS:%.c=build/pic/%.o)
TOOL_OBJS := $(TOOL_COMMON:%.c=build/obj/%.o)
TOOL_LIB  := build/obj/tools/libtools.a

# The test build: library, tools and tests under ASan/UBSan, all below build/asan.
ASAN_LIB   := build/asan/libdumpfmt.a
ASAN_OBJS  := $(LIB_SRCS:%.c=build/asan/%.o)
ASAN_TOOLS := $(TOOL_SRCS:tools/%.c=build/asan/bin/%)
CHECKS     := $(CHECK_SRCS:tests/%.c=build/tests/%)
REPLAY     := $(if $(wildcard tests/fuzz/fuzz_reader.c),build/tests/fuzz_replay) \
              $(if $(wildcard tests/fuzz/fuzz_convert.c),build/tests/fuzz_convert_replay)
# Every other fuzz target's replayer: tests/fuzz/fuzz_NAME.c -> build/tests/fuzz_replay_NAME
# (dumpconvert's has its own name above: tests/cli/dumpconvert.sh replays through it).
REPLAYS    := $(patsubst tests/fuzz/fuzz_%.c,build/tests/fuzz_replay_%, \
                 $(filter-out tests/fuzz/fuzz_reader.c tests/fuzz/fuzz_convert.c,$(FUZZ_SRCS)))

# `make fuzz`: libFuzzer binaries, built by clang below build/fuzz.
FUZZ_LIB  := build/fuzz/libdumpfmt.a
FUZZ_OBJS := $(LIB_SRCS:%.c=build/fuzz/obj/%.o)
FUZZERS   := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)

BENCHES := $(BENCH_SRCS:bench/%.c=build/bench/%)

# ---- flags -----------------------------------------------------------------------------------
# What the code needs whatever CFLAGS says: the language, symbols hidden unless marked DF_API
# (so the shared library exports only df_*), 64-bit file offsets, the optional-library switches.
BASE_CFLAGS = -std=gnu11 -fvisibility=hidden -D_FILE_OFFSET_BITS=64 -pthread -MMD -MP \
              -Ilibdumpfmt $(CODEC_DEFS) $(ISAL_DEFS) $(CODEC_CFLAGS)
LIB_LIBS    = $(CODEC_LIBS) $(ISAL_LIBS) -pthread
TOOL_CFLAGS = -Itools $(LIBPQ_DEFS) $(LIBPQ_CFLAGS)
# --as-needed: only the tools that call libpq end up depending on it.
TOOL_LIBS   = -Wl,--as-needed $(LIBPQ_LIBS) $(LIB_LIBS)
TEST_CFLAGS = -Itests $(CHECK_CFLAGS)
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Everything that changes what the compiler produces; when it changes, that build is rebuilt
# (for example after scripts/deps.sh installed a codec library that was missing before).  One
# list per build, so that what only the test build uses (Check, found once `make check` has
# installed it) does not rebuild the normal build, nor the fuzz flags the other two.
TRACKED_FLAGS      = $(CC) $(CFLAGS) $(LDFLAGS) $(BASE_CFLAGS) $(TOOL_CFLAGS) $(LIB_LIBS) \
                     $(TOOL_LIBS)
TRACKED_ASAN_FLAGS = $(TRACKED_FLAGS) $(SANITIZE) $(TEST_CFLAGS) $(CHECK_LIBS)
TRACKED_FUZZ_FLAGS = $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SANITIZE) $(BASE_CFLAGS) $(LDFLAGS) \
                     $(LIB_LIBS)

# The sub-makes of `check` build in parallel: with make's own -j when one was given (the
# jobserver), else with one job per CPU.
JOBS      = $(shell nproc 2>/dev/null || echo 2)
SUBMAKE_J = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))

# ---- main targets ----------------------------------------------------------------------------
.PHONY: all lib tools test-build check check-full check-symbols check-man demo deps fuzz \
        bench-build install uninstall clean help FORCE

all: lib tools $(PCFILE)

lib: $(STATIC) $(SHARED)

tools: $(TOOLS)

# Sub-makes run in sequence, so each step sees what the step before installed or built
# (config.mk looks for the codec libraries when make starts); each builds in parallel, the
# normal and the test build together.  tests/run-all.sh runs its parts in parallel too.
check:
	bash scripts/deps.sh test
	$(MAKE) --no-print-directory $(SUBMAKE_J) all test-build
	$(MAKE) --no-print-directory check-symbols check-man
	bash tests/run-all.sh

# The thorough mode: the same, with the truncation sweeps at every cut and dumpconvert's whole
# format x codec matrix (DF_TEST_FULL=1; make check runs a deterministic sample of them, README
# "Testing").  It takes about twice as long, so each part gets 30 minutes.
check-full:
	DF_TEST_FULL=1 DF_TEST_TIMEOUT=$${DF_TEST_TIMEOUT:-1800} $(MAKE) --no-print-directory check

test-build: $(CHECKS) $(REPLAY) $(REPLAYS) $(ASAN_TOOLS)

# The shared library must export df_* names only (design §3.1).
check-symbols: $(SHARED)
	@bad=$$(nm -D --defined-only $(SHARED) | awk 'NF == 3 && $$3 !~ /^df_/ { print $$3 }'); \
	if [ -n "$$bad" ]; then \
	    echo "check-symbols: $(SHARED) exports symbols outside df_*:"; echo "$$bad"; exit 1; \
	fi; \
	echo "check-symbols: ok, $$(nm -D --defined-only $(SHARED) | grep -c ' df_') df_* symbols"

# Any mandoc warning fails.
check-man:
ifneq ($(MANPAGES),)
	@out=$$(mandoc -Tlint -Wwarning $(MANPAGES) 2>&1); rc=$$?; \
	if [ $$rc -ne 0 ] || [ -n "$$out" ]; then \
	    echo "$$out"; echo "check-man: mandoc -Tlint found problems"; exit 1; \
	fi; \
	echo "check-man: ok, $(words $(MANPAGES)) pages"
else
	@echo "check-man: no man pages yet"
endif

# Prints the listing (dumpls), then checks the dump (dumpcheck when built).  Exit status 1 (WARNING) is a normal outcome for the
# sample dump (a sequence is deliberately behind its data), so only 2 and 3 fail the target.
DEMO_DUMP = corpus/pg18/sample.custom.gzip.dump
demo:
	bash scripts/deps.sh build
	$(MAKE) --no-print-directory all
	@echo "+ tools/dumpls $(DEMO_DUMP)"; tools/dumpls $(DEMO_DUMP) || exit 1
	@if [ -x tools/dumpcheck ]; then tool=tools/dumpcheck; else tool=tools/dumpls; fi; \
	if [ ! -x $$tool ]; then echo "demo: no tool has been built yet"; exit 1; fi; \
	echo "+ $$tool $(DEMO_DUMP)"; \
	$$tool $(DEMO_DUMP); rc=$$?; \
	case $$rc in 0) what=OK;; 1) what=WARNING;; 2) what=CRITICAL;; *) what=UNKNOWN;; esac; \
	echo "+ exit status $$rc ($$what)"; \
	[ $$rc -le 1 ]

deps:
	bash scripts/deps.sh build

# libFuzzer targets (clang only; not part of check).  Run one with, for example:
#   mkdir -p build/fuzz/new && ASAN_OPTIONS=quarantine_size_mb=16 build/fuzz/fuzz_reader \
#       -rss_limit_mb=256 -malloc_limit_mb=128 -max_len=65536 build/fuzz/new corpus/pg18 corpus/damaged
# libFuzzer writes new inputs into the FIRST directory, so never name a corpus directory first.
# The flags are for the fuzzer's own memory, which otherwise outgrows a 256 MB limit: libFuzzer
# holds every input in memory (the corpus has 1 MB archives; -max_len caps new ones and cuts the
# seeds), and ASan keeps 256 MB of freed memory in quarantine by default.  -malloc_limit_mb still
# reports any single allocation above 128 MB (the default limits accept strings up to 64 MiB).
fuzz:
	bash scripts/deps.sh fuzz
	$(MAKE) --no-print-directory $(FUZZERS)

bench-build: $(BENCHES)

help:
	@echo "targets: all (lib tools $(PCFILE)), check, check-full, demo, install, uninstall, clean,"
	@echo "         test-build, check-symbols, check-man, fuzz, bench-build, deps"
	@echo "version $(VERSION); codecs: $(or $(strip $(CODEC_PCS)),none)$(if $(ISAL_LIBS), isa-l)"
	@echo "PREFIX=$(PREFIX) BINDIR=$(BINDIR) LIBDIR=$(LIBDIR)"
	@echo "INCLUDEDIR=$(INCLUDEDIR) MANDIR=$(MANDIR) DESTDIR=$(DESTDIR)"

# ---- library ---------------------------------------------------------------------------------
$(STATIC): $(LIB_OBJS) build/sources
	@rm -f $@
	$(AR) rcs $@ $(filter %.o,$^)

$(SHARED): $(PIC_OBJS) build/sources
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,-z,defs -o $@ \
	    $(filter %.o,$^) $(LIB_LIBS)

# Regenerated on every run but rewritten only when its text changes (PREFIX may differ
# between `make` and `make install PREFIX=...`).
$(PCFILE): libdumpfmt/libdumpfmt.pc.in FORCE
	@sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@REQUIRES_PRIVATE@|$(strip $(CODEC_PCS))|g' \
	    -e 's|@LIBS_PRIVATE@|$(strip $(ISAL_LIBS) -pthread)|g' -e 's|@RPATH@|$(PC_RPATH)|g' \
	    $< > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "generated $@"; fi

build/obj/libdumpfmt/%.o: libdumpfmt/%.c build/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BASE_CFLAGS) -c -o $@ $<

build/pic/libdumpfmt/%.o: libdumpfmt/%.c build/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BASE_CFLAGS) -fPIC -c -o $@ $<

# ---- tools -----------------------------------------------------------------------------------
$(TOOL_LIB): $(TOOL_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(TOOLS): tools/%: build/obj/tools/%.o $(TOOL_LIB) $(STATIC)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TOOL_LIBS)

build/obj/tools/%.o: tools/%.c build/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BASE_CFLAGS) $(TOOL_CFLAGS) -c -o $@ $<

# ---- test build (ASan + UBSan) ---------------------------------------------------------------
$(ASAN_LIB): $(ASAN_OBJS) build/sources
	@rm -f $@
	$(AR) rcs $@ $(filter %.o,$^)

build/asan/libdumpfmt/%.o: libdumpfmt/%.c build/asan/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(BASE_CFLAGS) -c -o $@ $<

build/asan/tools/%.o: tools/%.c build/asan/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(BASE_CFLAGS) $(TOOL_CFLAGS) -c -o $@ $<

build/asan/tools/libtools.a: $(TOOL_COMMON:%.c=build/asan/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(ASAN_TOOLS): build/asan/bin/%: build/asan/tools/%.o build/asan/tools/libtools.a $(ASAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(LDFLAGS) -o $@ $^ $(TOOL_LIBS)

build/asan/tests/%.o: tests/%.c build/asan/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(BASE_CFLAGS) $(TEST_CFLAGS) -c -o $@ $<

$(CHECKS): build/tests/%: build/asan/tests/%.o $(ASAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIB_LIBS)

# The fuzz target's own main (DF_REPLAY_MAIN) runs each input named on its command line once.
build/asan/tests/fuzz/%.replay.o: tests/fuzz/%.c build/asan/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(BASE_CFLAGS) -Itests -DDF_REPLAY_MAIN -c -o $@ $<

build/tests/fuzz_replay: build/asan/tests/fuzz/fuzz_reader.replay.o $(ASAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

# dumpconvert's read -> write path (tests/cli/dumpconvert.sh replays the corpus through it).
build/tests/fuzz_convert_replay: build/asan/tests/fuzz/fuzz_convert.replay.o $(ASAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

build/tests/fuzz_replay_%: build/asan/tests/fuzz/fuzz_%.replay.o $(ASAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

# ---- libFuzzer (clang) -----------------------------------------------------------------------
$(FUZZ_LIB): $(FUZZ_OBJS) build/sources
	@rm -f $@
	$(AR) rcs $@ $(filter %.o,$^)

build/fuzz/obj/%.o: %.c build/fuzz/flags
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link $(BASE_CFLAGS) -Itests \
	    -c -o $@ $<

$(FUZZERS): build/fuzz/%: build/fuzz/obj/tests/fuzz/%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SANITIZE) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

# ---- benchmarks helpers (bench/NAME.c -> build/bench/NAME) -----------------------------------
build/obj/bench/%.o: bench/%.c build/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BASE_CFLAGS) -c -o $@ $<

$(BENCHES): build/bench/%: build/obj/bench/%.o $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

# ---- flag and source-list tracking -----------------------------------------------------------
# Each is rewritten only when its text differs from the last build, so it triggers rebuilds only
# then: build/flags rebuilds every object of the normal build (build/asan/flags of the test
# build, build/fuzz/flags of the fuzz build), build/sources relinks the libraries when a library
# source file was added or removed.
build/flags: FORCE
	@mkdir -p build
	@echo '$(strip $(TRACKED_FLAGS))' | cmp -s - $@ || echo '$(strip $(TRACKED_FLAGS))' > $@

build/asan/flags: FORCE
	@mkdir -p build/asan
	@echo '$(strip $(TRACKED_ASAN_FLAGS))' | cmp -s - $@ || echo '$(strip $(TRACKED_ASAN_FLAGS))' > $@

build/fuzz/flags: FORCE
	@mkdir -p build/fuzz
	@echo '$(strip $(TRACKED_FUZZ_FLAGS))' | cmp -s - $@ || echo '$(strip $(TRACKED_FUZZ_FLAGS))' > $@

build/sources: FORCE
	@mkdir -p build
	@echo '$(LIB_SRCS)' | cmp -s - $@ || echo '$(LIB_SRCS)' > $@

FORCE:

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- install ---------------------------------------------------------------------------------
# A program linked with `pkg-config --libs libdumpfmt` finds libdumpfmt.so.0 at run time by
# itself: the .pc file adds an rpath unless LIBDIR is one of the dynamic loader's own
# directories (SYSTEM_LIBDIRS, config.mk).
PC_RPATH = $(if $(filter $(SYSTEM_LIBDIRS),$(patsubst %/,%,$(LIBDIR))),,-Wl$(comma)-rpath$(comma)$${libdir} )
comma := ,

# Every directory install may create, parents before children.  install records those it did
# create in INSTALL_DIRS_LIST, and uninstall removes them again when they are empty (with
# DESTDIR, for packaging, neither happens).
INSTALL_DIRS = "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(LIBDIR)" "$(DESTDIR)$(INCLUDEDIR)" \
               "$(DESTDIR)$(PKGCONFIGDIR)" \
               $(foreach s,$(sort $(subst .,,$(suffix $(MANPAGES)))),"$(DESTDIR)$(MANDIR)/man$(s)")
INSTALL_DIRS_LIST = $(LIBDIR)/libdumpfmt.dirs

install: all
	@if [ -z "$(DESTDIR)" ]; then \
	    for d in $(INSTALL_DIRS); do \
	        while [ ! -d "$$d" ]; do echo "$$d"; d=$$(dirname "$$d"); done; \
	    done > build/install-dirs.new; \
	fi
	install -d $(INSTALL_DIRS)
	@if [ -z "$(DESTDIR)" ]; then \
	    cat build/install-dirs.new "$(INSTALL_DIRS_LIST)" 2>/dev/null | sort -u > build/install-dirs; \
	    install -m 644 build/install-dirs "$(INSTALL_DIRS_LIST)"; rm -f build/install-dirs*; \
	fi
	@set -e; for tool in $(TOOLS); do \
	    echo "install -m 755 $$tool $(DESTDIR)$(BINDIR)/"; \
	    install -m 755 $$tool "$(DESTDIR)$(BINDIR)/"; \
	done
	install -m 644 $(STATIC) "$(DESTDIR)$(LIBDIR)/"
	install -m 755 $(SHARED) "$(DESTDIR)$(LIBDIR)/"
	ln -sf $(SONAME) "$(DESTDIR)$(LIBDIR)/libdumpfmt.so"
	install -m 644 libdumpfmt/dumpfmt.h "$(DESTDIR)$(INCLUDEDIR)/"
	install -m 644 $(PCFILE) "$(DESTDIR)$(PKGCONFIGDIR)/"
	@set -e; for page in $(MANPAGES); do \
	    section=$${page##*.}; \
	    echo "install -m 644 $$page $(DESTDIR)$(MANDIR)/man$$section/"; \
	    install -m 644 $$page "$(DESTDIR)$(MANDIR)/man$$section/"; \
	done
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
	    echo ldconfig; ldconfig; \
	fi

uninstall:
	rm -f $(foreach t,$(notdir $(TOOLS)),"$(DESTDIR)$(BINDIR)/$(t)")
	rm -f "$(DESTDIR)$(LIBDIR)/libdumpfmt.a" "$(DESTDIR)$(LIBDIR)/$(SONAME)" \
	    "$(DESTDIR)$(LIBDIR)/libdumpfmt.so" "$(DESTDIR)$(INCLUDEDIR)/dumpfmt.h" \
	    "$(DESTDIR)$(PKGCONFIGDIR)/libdumpfmt.pc"
	rm -f $(foreach p,$(MANPAGES),"$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p))")
	@if [ -z "$(DESTDIR)" ] && [ -f "$(INSTALL_DIRS_LIST)" ]; then \
	    dirs=$$(sort -r "$(INSTALL_DIRS_LIST)"); rm -f "$(INSTALL_DIRS_LIST)"; \
	    printf '%s\n' "$$dirs" | while IFS= read -r d; do \
	        [ -d "$$d" ] || continue; \
	        if rmdir "$$d" 2>/dev/null; then echo "rmdir $$d"; else echo "kept $$d (not empty)"; fi; \
	    done; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
	    echo ldconfig; ldconfig; \
	fi

clean:
	rm -rf build
	rm -f $(STATIC) libdumpfmt/libdumpfmt.so libdumpfmt/libdumpfmt.so.* $(PCFILE) $(PCFILE).tmp
	rm -f $(TOOLS)
