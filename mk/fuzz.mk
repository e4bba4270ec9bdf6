# SPDX-License-Identifier: MIT OR Apache-2.0
# libFuzzer on the O(1) heap: test/host/heap_fuzz.c, built by clang with
# AddressSanitizer and UBSan (what it checks: the file's comment).
#   make fuzz        FUZZ_SECONDS (default 300) of fuzzing; the corpus it
#                    grows is kept in build/fuzz/corpus for the next run
#   make test-fuzz   part of make test: the inputs in test/host/heap_fuzz_seeds
#                    (each once a failure), then 40 000 more from seed 1, the
#                    same ones on every run (about 10 seconds)
# An input that fails: libFuzzer writes it to build/fuzz/crash-*; once fixed,
# add it to test/host/heap_fuzz_seeds.
FUZZ_SEEDS := test/host/heap_fuzz_seeds

FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SECONDS ?= 300
FUZZ_CFLAGS := -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

$(FUZZ_DIR)/heap_fuzz: test/host/heap_fuzz.c $(LIB_SRCS) $(LIB_HDRS) c-src/core/rtm_internal.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(WARN) $(LIB_INC) test/host/heap_fuzz.c $(LIB_SRCS) -o $@

.PHONY: fuzz test-fuzz deps-fuzz

deps-fuzz:
	@$(DEPS) fuzz

test-fuzz: deps-fuzz $(FUZZ_DIR)/heap_fuzz
	@echo "== heap fuzzing: the seeds, then 40 000 inputs from seed 1 =="
	@rm -rf $(FUZZ_DIR)/smoke && mkdir -p $(FUZZ_DIR)/smoke
	$(FUZZ_DIR)/heap_fuzz -seed=1 -runs=40000 -max_len=4096 -artifact_prefix=$(FUZZ_DIR)/ \
	  $(FUZZ_DIR)/smoke $(FUZZ_SEEDS) 2>$(FUZZ_DIR)/smoke.log || { tail -30 $(FUZZ_DIR)/smoke.log; exit 1; }
	@tail -1 $(FUZZ_DIR)/smoke.log

fuzz: deps-fuzz $(FUZZ_DIR)/heap_fuzz
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/heap_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -artifact_prefix=$(FUZZ_DIR)/ \
	  $(FUZZ_DIR)/corpus $(FUZZ_SEEDS)

TEST_STEPS += test-fuzz

# The heap's overrun sweep with its figures (docs/heap.md): lengths 1..32,
# 64 placements, every value and random bytes, under ASan and UBSan.
$(BUILD)/overrun/heap_overrun: test/host/heap_overrun.c test/framework/overrun.c test/framework/overrun.h \
	  c-src/alloc/heap.c $(LIB_HDRS) c-src/core/rtm_internal.h
	@mkdir -p $(dir $@)
	gcc -std=c11 -O2 -g $(SAN) $(WARN) $(LIB_INC) -Itest/framework test/host/heap_overrun.c \
	  test/framework/overrun.c c-src/alloc/heap.c c-src/core/allocator.c -o $@

.PHONY: test-overrun
test-overrun: deps-core $(BUILD)/overrun/heap_overrun
	@echo "== heap overrun sweep: undetected share per length =="
	$(BUILD)/overrun/heap_overrun

TEST_STEPS += test-overrun
