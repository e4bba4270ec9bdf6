#!/usr/bin/python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Check rtm mpu's region decoders against the library's encoders.

    mpu-vectors | check_mpu_decode.py

Each input line (tools/gdb/mpu_vectors.c) is a region and the register
values the library encodes for it; the decoder of tools/gdb/rtmem_decode.py
must give back its base, size and rwxu permissions. Exits 1 on a mismatch.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rtmem_decode as rd  # noqa: E402

READ, WRITE, EXEC, UNPRIV = 1, 2, 4, 16


def main():
    bad = n = 0
    for line in sys.stdin:
        arch, idx, base, size, perm, r1, r2 = line.split()
        idx, base, size, perm, r1, r2 = int(idx), int(base, 16), int(size), int(perm), int(r1, 16), int(r2, 16)
        want = "region %d: 0x%08x + %d  %s%s%s%s" % (
            idx, base, size, "r" if perm & READ else "-", "w" if perm & WRITE else "-",
            "x" if perm & EXEC else "-", "u" if perm & UNPRIV and perm & READ else "-")
        decode = rd.decode_v7_region if arch == "v7" else rd.decode_v8_region
        got = decode(idx, r1, r2)
        ok = re.match(re.escape(want) + r"  \(", got) is not None
        print("  %-4s %s %s" % ("ok" if ok else "FAIL", arch, got))
        bad += not ok
        n += 1
    print("mpu decode: %d regions, %s" % (n, "all match the encoders" if not bad and n else "%d FAILED" % bad))
    return 1 if bad or not n else 0


if __name__ == "__main__":
    sys.exit(main())
