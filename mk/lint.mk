# SPDX-License-Identifier: MIT OR Apache-2.0
# Static analysis of the library sources: cppcheck and clang-tidy, both clean.
#   make lint

TIDY_CHECKS := -*,bugprone-*,clang-analyzer-*,cert-*,misc-redundant-expression,\
-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-cert-dcl37-c,-cert-dcl51-cpp

.PHONY: lint
lint:
	@$(DEPS) lint
	@echo "== lint: cppcheck, clang-tidy =="
	$(Q)cppcheck --quiet --enable=warning,performance,portability --std=c11 --error-exitcode=1 \
	  --inline-suppr $(LIB_INC) c-src
	@mkdir -p $(BUILD)
	$(Q)clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' $(LIB_SRCS) -- -std=c11 $(LIB_INC) \
	  >$(BUILD)/clang-tidy.log 2>&1; rc=$$?; grep -v 'warnings generated' $(BUILD)/clang-tidy.log; exit $$rc
	@echo "lint clean: $(words $(LIB_SRCS)) files"

TEST_STEPS += lint
