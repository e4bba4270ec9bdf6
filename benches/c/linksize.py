#!/usr/bin/python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Bytes a linked firmware takes from each source, read from its GNU ld map.

usage: linksize.py MAP LIBDIR

Sums the sizes of the input sections the linker kept (text, rodata, data;
bss is reported apart, it takes no flash) by where they come from: objects
under LIBDIR (rtmem's own), libgcc, and everything else (the firmware).
Prints one line: "own TEXT_DATA bss BSS libgcc N other N".
"""
import re
import sys

SECTION = re.compile(r"^ (\.\S+|COMMON)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+))?\s*$")
CONT = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)\s*$")


def main():
    path, libdir = sys.argv[1:3]
    sums = {"own": 0, "bss": 0, "libgcc": 0, "other": 0}
    started = False
    pending = None
    with open(path) as f:
        for line in f:
            if line.startswith("Linker script and memory map"):
                started = True
                continue
            if not started:
                continue
            m = SECTION.match(line)
            if m:
                pending = m.group(1)
                if m.group(2) is None:
                    continue
                size, obj = int(m.group(3), 16), m.group(4)
            else:
                c = CONT.match(line)
                if not c or pending is None:
                    pending = None
                    continue
                size, obj = int(c.group(2), 16), c.group(3)
            name, pending = pending, None
            if size == 0 or name.startswith((".debug", ".comment", ".ARM.attributes")):
                continue
            if "libgcc" in obj:
                sums["libgcc"] += size
            elif obj.startswith(libdir):
                sums["bss" if name.startswith((".bss", "COMMON")) else "own"] += size
            else:
                sums["other"] += size
    print("own %d bss %d libgcc %d other %d" % (sums["own"], sums["bss"], sums["libgcc"], sums["other"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
