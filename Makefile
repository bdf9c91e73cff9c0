# hcr: causal recommendation by front-door adjustment, as a pipeline of filters.
# One non-recursive Makefile.  Filters, library files, unit tests, test
# scripts and man pages are found by their place, so adding one needs no edit here.

SHELL := bash
.SHELLFLAGS := -o pipefail -ec
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

VERSION := 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
PROGRAM_PREFIX ?=

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-sign-compare
# BLAS and msgpack flags are looked up when a recipe runs, after `deps` has installed them.
PKG_CFLAGS = $(shell pkg-config --cflags openblas 2>/dev/null)
MSGPACK_LIBS = $(shell pkg-config --libs msgpack-c 2>/dev/null || pkg-config --libs msgpack 2>/dev/null || echo -lmsgpackc)
BLAS_LIBS = $(shell pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
ALL_CPPFLAGS = -Ilib -DHCR_VERSION='"$(VERSION)"' -D_GNU_SOURCE $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARNINGS) -pthread $(CFLAGS)
LIBS = $(MSGPACK_LIBS) -lcsv -ljansson $(BLAS_LIBS) -lm -lpthread
ALL_LDFLAGS = -pthread -Wl,--as-needed $(LDFLAGS)

B := build
# lib/ is in folders by pipeline stage, methods one level deeper (lib/README).
LIB_SRC := $(sort $(wildcard lib/*/*.c lib/*/*/*.c))
LIB_OBJ := $(LIB_SRC:lib/%.c=$(B)/lib/%.o)
FILTER_SRC := $(sort $(wildcard filters/*.c))
FILTERS := $(FILTER_SRC:filters/%.c=%)
BINS := $(FILTERS:%=$(B)/bin/%)
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNITS := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
MAN1 := $(sort $(wildcard man/man1/*.1))
MAN5 := $(sort $(wildcard man/man5/*.5))
MAN7 := $(sort $(wildcard man/man7/*.7))

# Debian packages the tools and tests need; `deps` installs the missing ones.
DEB_BUILD := gcc make pkg-config libcsv-dev libmsgpack-dev libopenblas-dev libjansson-dev
DEB_CHECK := mandoc jq
DEB_DEMO := r-base-core r-cran-dslabs gnuplot-nox
# make fuzz: libFuzzer and the sanitizers' runtimes come with clang; check-sanitize: valgrind.
DEB_FUZZ := clang libclang-rt-14-dev
DEB_VALGRIND := valgrind
# make check's one-node Slurm (tests/cases/slurm.sh, which skips without it): installed
# with the rest, before anything else may run apt-get, but not needed by the build.
DEB_SLURM := slurm-wlm munge

.PHONY: all deps deps-demo check demo readme check-sanitize check-asan check-valgrind fuzz bench \
	install uninstall clean lint-man sweep readme-figures
all: $(B)/.deps $(BINS)

# Installs the Debian packages given that are missing (apt-get as root, else sudo);
# on a system without dpkg it only warns, so other systems can bring their own.  It
# waits for another apt or dpkg to finish (APT_LOCK_WAIT=seconds, default 600).
ensure_packages = pipelines/ensure-packages $(1)

$(B)/.deps: Makefile
	@mkdir -p $(B)
	@$(call ensure_packages,$(DEB_BUILD) $(DEB_CHECK))
	@$(call ensure_packages,$(DEB_SLURM)) || echo "deps: no $(DEB_SLURM): the Slurm test will skip" >&2
	@touch $@
deps: $(B)/.deps
deps-demo: $(B)/.deps
	@$(call ensure_packages,$(DEB_DEMO))

$(B)/lib/%.o: lib/%.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libhcr.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/filters/%.o: filters/%.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/bin/%: $(B)/filters/%.o $(B)/libhcr.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(B)/libhcr.a $(LIBS)

$(B)/tests/%.o: tests/unit/%.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Itests/unit $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/%: $(B)/tests/%.o $(B)/libhcr.a
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(B)/libhcr.a $(LIBS)

# The gradient checks run the same library code in double precision, so that
# finite differences can be compared at a tight tolerance.
$(B)/lib64/%.o: lib/%.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -DHCR_REAL_DOUBLE $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
$(B)/libhcr64.a: $(LIB_SRC:lib/%.c=$(B)/lib64/%.o)
	rm -f $@
	ar rcs $@ $^
$(B)/tests64/%.o: tests/unit64/%.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -DHCR_REAL_DOUBLE -Itests/unit $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
$(B)/tests64/%: $(B)/tests64/%.o $(B)/libhcr64.a
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(B)/libhcr64.a $(LIBS)
UNIT64_SRC := $(sort $(wildcard tests/unit64/*.c))
UNITS64 := $(UNIT64_SRC:tests/unit64/%.c=$(B)/tests64/%)

# Small programs the shell tests use to make inputs (tests/tools/*.c).
TESTTOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TESTTOOLS := $(TESTTOOL_SRC:tests/tools/%.c=$(B)/testtools/%)
$(B)/testtools/%.o: tests/tools/%.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
$(B)/testtools/%: $(B)/testtools/%.o $(B)/libhcr.a
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(B)/libhcr.a $(LIBS)

# Fuzzing harnesses (tests/fuzz/README): each tests/fuzz/fuzz_NAME.c is built twice.
# $(B)/tests/fuzz-NAME, by the normal compiler, replays the committed corpus
# tests/fuzz/corpus/NAME in make check; $(B)/fuzz/fuzz_NAME, by clang with libFuzzer,
# ASan and UBSan, is what make fuzz runs.  The library's malloc family is wrapped at
# link time, so that a harness can free what a die() leaves behind.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_SUPPORT := fuzz roundtrip
FUZZ_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
REPLAYS := $(FUZZ_NAMES:%=$(B)/tests/fuzz-%)

$(B)/fuzzobj/%.o: tests/fuzz/%.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Itests/fuzz $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
$(B)/fuzzobj/replay-%.o: tests/fuzz/replay.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Itests/fuzz -DFUZZ_NAME='"$*"' $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
$(B)/tests/fuzz-%: $(B)/fuzzobj/fuzz_%.o $(B)/fuzzobj/replay-%.o \
    $(FUZZ_SUPPORT:%=$(B)/fuzzobj/%.o) $(B)/libhcr.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(FUZZ_WRAP) -o $@ $^ $(LIBS)

check: all $(UNITS) $(UNITS64) $(TESTTOOLS) $(REPLAYS)
	@OPENBLAS_NUM_THREADS=1 tests/run $(B)

# libFuzzer builds: the library again, instrumented for coverage, in $(FZ).
FZ = $(B)/fuzz
FUZZ_CC := clang
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_SECONDS ?= 60
FUZZ ?= $(FUZZ_NAMES)
$(FZ)/.deps: Makefile | $(B)/.deps
	@mkdir -p $(@D)
	@$(call ensure_packages,$(DEB_FUZZ))
	@touch $@
$(FZ)/lib/%.o: lib/%.c | $(FZ)/.deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CPPFLAGS) -std=c11 $(WARNINGS) -pthread $(FUZZ_CFLAGS) \
	    -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
$(FZ)/libhcr.a: $(LIB_SRC:lib/%.c=$(FZ)/lib/%.o)
	rm -f $@
	ar rcs $@ $^
$(FZ)/obj/%.o: tests/fuzz/%.c | $(FZ)/.deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CPPFLAGS) -Itests/fuzz -std=c11 $(WARNINGS) -pthread $(FUZZ_CFLAGS) \
	    -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
$(FZ)/fuzz_%: $(FZ)/obj/fuzz_%.o $(FUZZ_SUPPORT:%=$(FZ)/obj/%.o) $(FZ)/libhcr.a
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -pthread $(FUZZ_WRAP) -o $@ $^ $(LIBS)

# make fuzz [FUZZ_SECONDS=60] [FUZZ="stream logread"]: each harness for that long,
# seeded with the test fixtures and the tools' streams, on its committed corpus.
fuzz: all $(TESTTOOLS) $(FUZZ:%=$(FZ)/fuzz_%)
	@tests/fuzz/run $(B) $(FUZZ_SECONDS) $(FUZZ)

# The programs' own objects come out of chained pattern rules, which would make them
# intermediate files that make deletes when it ends, so that the next make (make demo
# after make check) compiled every tool again.  Kept, by name.
.SECONDARY: $(FILTERS:%=$(B)/filters/%.o) $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%.o) \
	$(UNIT64_SRC:tests/unit64/%.c=$(B)/tests64/%.o) $(TESTTOOLS:%=%.o) \
	$(FUZZ_NAMES:%=$(B)/fuzzobj/fuzz_%.o) $(FUZZ_NAMES:%=$(B)/fuzzobj/replay-%.o) \
	$(FUZZ_SUPPORT:%=$(B)/fuzzobj/%.o) $(FUZZ_SUPPORT:%=$(FZ)/obj/%.o) \
	$(FUZZ_NAMES:%=$(FZ)/obj/fuzz_%.o)

# The whole suite built with AddressSanitizer (LeakSanitizer included) and
# UndefinedBehaviorSanitizer in build-san/, and the golden tests under valgrind.
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
# A sanitizer's report exits 99, which no test expects of a tool.
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:exitcode=99:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
# The two halves are independent: make -j2 check-sanitize runs them side by side.
check-sanitize: check-asan check-valgrind
# (after $(B)/.deps, so that two halves never run apt-get at once)
check-asan: | $(B)/.deps
	$(SAN_ENV) $(MAKE) B=build-san CFLAGS='$(SAN_CFLAGS)' LDFLAGS='-fsanitize=address,undefined' check

check-valgrind: all $(TESTTOOLS)
	@$(call ensure_packages,$(DEB_VALGRIND))
	@tests/valgrind $(B)

lint-man: $(B)/.deps
	mandoc -Tlint -Wwarning $(MAN1) $(MAN5) $(MAN7)

bench: all $(TESTTOOLS)
	@tests/bench/run $(B)

# The main job (README): MovieLens through every tool, HCR against CT, under results/demo.
# DEMO_ARGS passes settings on, e.g. make demo DEMO_ARGS="EPOCHS=5 BACKBONE=mf".
RESULTS ?= results
demo: all deps-demo
	$(MAKE) --no-print-directory -j2 -f pipelines/demo.mk RESULTS=$(RESULTS) R=$(RESULTS)/demo \
	    BIN=$(abspath $(B))/bin $(DEMO_ARGS)

# The README's results and figures, from the main job's outputs (not typed by hand).
readme: demo
	pipelines/readme-results README.md $(RESULTS)/demo pipelines/figures

# The paper's experiments (pipelines/README): make table3 DATA=sim BACKBONE=mf, and so on.
# experiments runs them one after another, as they share their models.
EXPERIMENTS := table2 table3 fig5 fig6 fig7
.PHONY: $(EXPERIMENTS) experiments
$(EXPERIMENTS): all deps-demo
	$(MAKE) -f pipelines/$@.mk BIN=$(abspath $(B))/bin
experiments: all deps-demo
	for e in $(EXPERIMENTS); do $(MAKE) -f pipelines/$$e.mk BIN=$(abspath $(B))/bin; done

# The README's MovieLens figures 5-7: the experiments at train-mtl's default settings
# (a one-point grid) over two seeds, their PNGs and tables copied to pipelines/figures.
FIG_SETTINGS ?= LRS=1e-3 L2S=1e-4 BETAS=5 SEEDS="1 2"
readme-figures: all deps-demo
	for e in fig5 fig6 fig7; do \
	  $(MAKE) -j2 -f pipelines/$$e.mk BIN=$(abspath $(B))/bin DATA=movielens $(FIG_SETTINGS) || exit; \
	  cp $(RESULTS)/$$e/movielens/$$e*.png $(RESULTS)/$$e/movielens/$$e.md pipelines/figures/; \
	done

# Coat (pipelines/bench.mk): Table 2 and Table 3 on MF and MMGCN over five seeds from
# the files as released in RAW, every method on the exposed protocol beside all-ranking;
# the table committed as pipelines/results-coat.md and quoted in the README.
.PHONY: coat
coat: all
	$(MAKE) -j2 -f pipelines/bench.mk DATA=coat RAW=$(RAW) RESULTS=$(RESULTS) \
	    BIN=$(abspath $(B))/bin publish
	pipelines/readme-quote README.md coat $(RESULTS)/bench/coat/readme.md

# HCR against CT and HCR-T on simulated data over confounding strengths (pipelines/README.sweep);
# settings such as KAPPAS, SEEDS, BACKBONES or SIM pass through to it.
sweep: all deps-demo
	$(MAKE) -f pipelines/sweep.mk BIN=$(abspath $(B)/bin)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	for f in $(FILTERS); do install -m 755 $(B)/bin/$$f $(DESTDIR)$(BINDIR)/$(PROGRAM_PREFIX)$$f; done
	for m in $(MAN1); do n=$$(basename $$m); install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/$(PROGRAM_PREFIX)$$n; done
	for m in $(MAN5) $(MAN7); do n=$$(basename $$m); s=$${n##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/$$n; done

uninstall:
	for f in $(FILTERS); do rm -f $(DESTDIR)$(BINDIR)/$(PROGRAM_PREFIX)$$f $(DESTDIR)$(MANDIR)/man1/$(PROGRAM_PREFIX)$$f.1; done
	for m in $(MAN5) $(MAN7); do n=$$(basename $$m); rm -f $(DESTDIR)$(MANDIR)/man$${n##*.}/$$n; done

clean:
	rm -rf $(B) build-san

-include $(wildcard $(B)/*/*.d $(B)/lib/*/*.d $(B)/lib/*/*/*.d $(B)/lib64/*/*.d \
	$(B)/lib64/*/*/*.d $(FZ)/*/*.d $(FZ)/lib/*/*.d $(FZ)/lib/*/*/*.d)
