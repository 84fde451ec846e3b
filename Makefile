# faultline - see README.md.  `make bench` and `make test` are the front door.

CC	?= gcc
CXX	?= g++
BUILD	?= build

# Only for measuring faultline compare's sensitivity (README): each worker of
# the shim's variant new does INJECT extra jobs per 100 (a number in data: the code is
# the same as without).  Never on by default; its own build directory, so that such a
# binary is never mistaken for the real one.
ifdef INJECT
BUILD	:= build/inject$(INJECT)
CFLAGS	+= -DFL_INJECT_SLOWDOWN_PCT=$(INJECT)
endif
# The same for exact mode's sensitivity (ci/exact-sensitivity): syscall_cost
# makes INJECT_SYSCALLS extra getppid() per 1000 (5: 0.5% more kernel work).
ifdef INJECT_SYSCALLS
BUILD	:= build/inject-syscalls$(INJECT_SYSCALLS)
CFLAGS	+= -DFL_INJECT_SYSCALLS_PER_1000=$(INJECT_SYSCALLS)
endif

CFLAGS	+= -O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I. -pthread
CXXFLAGS += -O2 -g -std=c++17 -Wall -Wextra -D_GNU_SOURCE -I. -pthread
LDLIBS	:= -lbenchmark -lpfm -lhwloc -lsqlite3 -lstdc++ -lm -pthread

IMPL_SRC := $(wildcard impl/*.c impl/user/*.c)
# kmod/proto.c and kmod/catalogue.c are the module's and the harness's both:
# the control file's parser and the module's workloads with their bounds.
# bench/ by role: cli, measure, analysis, store, report, claims (README, "How it is built")
LIB_SRC	:= $(IMPL_SRC) $(wildcard workloads/*.c) kmod/proto.c kmod/catalogue.c \
	   $(filter-out bench/faultline.c,$(wildcard bench/*.c bench/*/*.c))
LIB_CXX	:= $(wildcard bench/*/*.cc)
LIB_OBJ	:= $(LIB_SRC:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cc=$(BUILD)/%.o)
LIB	:= $(BUILD)/libfaultline.a

TESTS	 := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
TSAN	 := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/tsan_*.c))
TEST_SH	 := $(wildcard tests/*.t)

DB	?= results.db
PLOTS	?= plots

.PHONY: all deps bench plots test check-build clean kmod vm-test compare sensitivity fresh-check \
	exact-aa bench-exact exact-sensitivity
all: $(BUILD)/faultline

deps:
	@ci/deps

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# fl-forker goes wherever faultline goes: the live fork workloads run it.
$(BUILD)/faultline: $(BUILD)/bench/faultline.o $(LIB) | $(BUILD)/fl-forker
	$(CXX) -o $@ $(filter-out $(BUILD)/fl-forker,$^) $(LDLIBS)

# The small static process the live fork workloads fork from (workloads/fork_helper.h).
$(BUILD)/fl-forker: workloads/forker/forker.c workloads/fork_helper.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $<

$(BUILD)/tests/test_%: tests/test_%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) -lcmocka $(LDLIBS)

# ThreadSanitizer builds: the test and the models it exercises, nothing else.
$(BUILD)/tests/tsan_%: tests/tsan_%.c $(IMPL_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -O2,$(CFLAGS)) -O1 -fsanitize=thread -o $@ $^ -lcmocka

# The workloads' worker pool, with what it pins and reports errors with.
$(BUILD)/tests/tsan_pool: tests/tsan_pool.c workloads/pool.c bench/err.c bench/measure/topology.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -O2,$(CFLAGS)) -O1 -fsanitize=thread -o $@ $^ -lcmocka -lhwloc

check-build: $(BUILD)/faultline $(TESTS) $(TSAN)

# TAP under prove: cmocka speaks TAP when asked, the shell tests always do.
test: deps
	@$(MAKE) --no-print-directory check-build
	CMOCKA_MESSAGE_OUTPUT=TAP FAULTLINE=$(BUILD)/faultline \
		prove --exec '' $(TESTS) $(TSAN) $(TEST_SH)

# A person reads what make bench prints: the build is one line (its errors
# still show), then a line per benchmark, then the claims.
bench: deps
	@echo "faultline: building $(BUILD)/faultline"
	@$(MAKE) -s --no-print-directory $(BUILD)/faultline
	$(BUILD)/faultline run --suite quick --db $(DB)
	$(BUILD)/faultline claims --db $(DB)
	$(BUILD)/faultline plot --db $(DB) --out $(PLOTS)

# The kernel module: KVER=/KDIR= pick another kernel's build tree.
kmod:
	$(MAKE) -C kmod

# The module in Debian's 6.1 kernel under qemu (installs what it needs).
vm-test: deps
	@$(MAKE) --no-print-directory $(BUILD)/faultline
	ci/vm-test

# Exact mode's A/A check: two instruction-counted boots of Debian's 6.1 agree
# within 0.5% on every row of the live workloads (README, "Exact mode").
exact-aa: deps
	@$(MAKE) --no-print-directory $(BUILD)/faultline
	ci/exact-aa

# The kernel A/B, exactly: every live workload in exact guests of Debian's 6.1
# and 6.12, stored in $(DB), and compared (installs the kernels it needs).
bench-exact: deps
	@$(MAKE) --no-print-directory $(BUILD)/faultline
	ci/bench-exact --db $(DB)

# How small a change of kernel work exact mode finds: 20 exact A/A comparisons,
# then 20 against a build with 0.5% more kernel work in syscall_cost (~30 min).
exact-sensitivity: deps
	ci/exact-sensitivity

# Is HEAD slower than BASE?  ci/compare-branches exits 0 no, 1 yes, 2 error;
# make turns both failures into its own 2, so a CI job that must tell a
# regression from an error calls ci/compare-branches itself.
BASE	?= origin/main
HEAD	?= HEAD
compare: deps
	ci/compare-branches --db $(DB) $(BASE) $(HEAD)

# The harness's own false-positive rate and sensitivity (ci/compare-sensitivity):
# an injected 5% slowdown against A/A, then A/A of the whole quick suite.
sensitivity: deps
	ci/compare-sensitivity --db sensitivity.db
	ci/compare-sensitivity --aa-only --run-args '--suite quick' --runs 1 --calibrate 10 \
		--db sensitivity-quick.db

# The README's two commands on a fresh Debian 12 root (debootstrap; as root).
# FRESH_ARGS=--reuse unpacks the root an earlier run kept under build/fresh.
fresh-check:
	ci/fresh $(FRESH_ARGS)

plots: $(BUILD)/faultline
	$(BUILD)/faultline plot --db $(DB) --out $(PLOTS)

clean:
	rm -rf $(BUILD)

# (not the fresh root's own build, which ci/fresh keeps under build/fresh)
-include $(shell find $(BUILD) -path $(BUILD)/fresh -prune -o -name '*.d' -print 2>/dev/null)
