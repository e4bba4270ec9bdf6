# SPDX-License-Identifier: MIT OR Apache-2.0
# The lock decorator under real threads: test/host/lock_threads.c, four pthreads
# hammering one pool through one rtm_lock_t, built with ThreadSanitizer.
#   make test-threads
# Passes when the locked run is clean (exit 0, no TSan report) AND the negative
# control (the same run with no-op lock callbacks) fails, which proves the test
# can see a race. gcc's TSan maps shadow memory at fixed addresses: on kernels
# with high mmap randomisation it refuses to start ("unexpected memory mapping"),
# in which case the run is retried with address randomisation off (setarch -R).

THREADS_DIR := $(BUILD)/threads
THREADS_CC ?= gcc
THREADS_CFLAGS := -std=c11 -O1 -g -fsanitize=thread -pthread
THREADS_ENV := TSAN_OPTIONS="halt_on_error=1 exitcode=66"

$(THREADS_DIR)/lock_threads: test/host/lock_threads.c $(LIB_SRCS) $(LIB_HDRS) c-src/core/rtm_internal.h
	@mkdir -p $(dir $@)
	$(THREADS_CC) $(THREADS_CFLAGS) $(WARN) $(LIB_INC) test/host/lock_threads.c $(LIB_SRCS) -o $@

# $(1): arguments; the run's output goes to $(THREADS_DIR)/run.log.
define tsan_run
$(THREADS_ENV) $(THREADS_DIR)/lock_threads $(1) >$(THREADS_DIR)/run.log 2>&1; rc=$$?; \
if [ $$rc -ne 0 ] && grep -q 'unexpected memory mapping' $(THREADS_DIR)/run.log; then \
  $(THREADS_ENV) setarch "$$(uname -m)" -R $(THREADS_DIR)/lock_threads $(1) >$(THREADS_DIR)/run.log 2>&1; rc=$$?; \
fi
endef

.PHONY: test-threads
test-threads: deps-core $(THREADS_DIR)/lock_threads
	@echo "== lock decorator: 4 threads under ThreadSanitizer =="
	@$(call tsan_run,); cat $(THREADS_DIR)/run.log; \
	if [ $$rc -ne 0 ]; then echo "test-threads: FAILED (exit $$rc)"; exit 1; fi
	@echo "== negative control: the same without the lock must fail =="
	@$(call tsan_run,--no-lock); grep -m1 -E 'WARNING: ThreadSanitizer|lock_threads' $(THREADS_DIR)/run.log; \
	if [ $$rc -eq 0 ]; then echo "test-threads: the unlocked run passed: the test cannot see races"; exit 1; fi; \
	echo "unlocked run failed as it must (exit $$rc)"

TEST_STEPS += test-threads
