#!/usr/bin/python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Every public function's doc comment states its complexity and ISR safety.

The contract of each function in include/rtmem/*.h is its /** */ comment
(STYLE.md item 6). Doxygen (make docs-check) finds undocumented items and
malformed comments; this finds comments that say nothing about the time a
call takes (an "O(...)" bound, or "the allocator's" cost for interface
wrappers) or whether it may run in an interrupt handler ("ISR").
Usage: scripts/check-api-docs.py [HEADER...]; exits 1 listing the offenders.
"""
import glob
import re
import sys

PROTO = re.compile(r"/\*\*((?:(?!\*/).)*)\*/\s*\n(?:[A-Za-z_][^;{}()#]*?)\b(rtm_\w+)\s*\([^;]*\);", re.S)
DECL = re.compile(r"^[A-Za-z_][\w \*]*\b(rtm_\w+)\s*\(", re.M)


def main(paths):
    missing = []
    count = 0
    for path in paths:
        text = open(path, encoding="utf-8").read()
        documented = {}
        for m in PROTO.finditer(text):
            documented[m.group(2)] = m.group(1)
        for m in DECL.finditer(text):
            name = m.group(1)
            count += 1
            doc = documented.get(name)
            if doc is None:
                missing.append(f"{path}: {name}: no doc comment right above it")
                continue
            lacks = []
            if "O(" not in doc:
                lacks.append("complexity (O(...))")
            if "ISR" not in doc:
                lacks.append("ISR safety")
            if lacks:
                missing.append(f"{path}: {name}: states no {' and no '.join(lacks)}")
    for line in missing:
        print(line)
    if missing:
        print(f"check-api-docs: {len(missing)} of {count} public functions lack part of their contract")
        return 1
    print(f"check-api-docs: all {count} public functions state complexity and ISR safety")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or sorted(glob.glob("include/rtmem/*.h"))))
