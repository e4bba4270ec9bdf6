#!/usr/bin/python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Check the transcripts of tools/gdb/demo-test.sh against the firmware's logs.

    check_gdb_test.py OUTDIR

OUTDIR holds demo.log / reset.log (what the firmware printed over
semihosting) and demo-live.txt / demo-dump.txt / reset-live.txt (what the
GDB commands printed). Every figure the firmware reports must be the one
the commands read from its memory. Prints one line per check; exits 1 on any
failure.
"""
import os
import re
import sys

failures = []


def check(what, ok, detail=""):
    print("  %-4s %s%s" % ("ok" if ok else "FAIL", what, (": " + detail) if detail and not ok else ""))
    if not ok:
        failures.append(what)


def find(pattern, text, what):
    m = re.search(pattern, text, re.M)
    if m is None:
        check(what + " (line found)", False, "no match for " + pattern)
        return None
    return m


def section(text, start, end):
    a = text.index(start)
    b = text.index(end, a) if end else len(text)
    return text[a:b]


def main(out):
    read = lambda name: open(os.path.join(out, name)).read()  # noqa: E731
    demo, live, dump = read("demo.log"), read("demo-live.txt"), read("demo-dump.txt")
    reset, reset_live = read("reset.log"), read("reset-live.txt")
    print("== rtm commands vs the firmware's reports ==")

    # rtm heap at checkpoint 1 vs the firmware's rtm_heap_stats
    fw = find(r"^debugger checkpoint 1: heap (0x[0-9a-f]+), capacity (\d+), in use (\d+) in (\d+) blocks, "
              r"free (\d+), largest free block (\d+), fragmentation (\d+) permille, peak (\d+), (\d+) "
              r"allocations / (\d+) frees, MPU_RNR (\d+)$", demo, "firmware checkpoint 1")
    heap = find(r"^heap (0x[0-9a-f]+) .*\n  capacity (\d+) bytes, in use (\d+) in (\d+) blocks, free (\d+) in "
                r"(\d+) blocks\n  largest free block (\d+), largest request now (\d+), fragmentation (\d+) "
                r"permille\n  peak (\d+), (\d+) allocations / (\d+) frees", live, "rtm heap")
    if fw and heap:
        f, g = fw.groups(), heap.groups()
        check("rtm heap: address", f[0] == g[0], "%s vs %s" % (f[0], g[0]))
        for name, i, j in (("capacity", 1, 1), ("bytes in use", 2, 2), ("used blocks", 3, 3),
                           ("free bytes", 4, 4), ("largest request (stats' largest free block)", 5, 7),
                           ("fragmentation permille", 6, 8), ("peak", 7, 9), ("allocations", 8, 10),
                           ("frees", 9, 11)):
            check("rtm heap: " + name, f[i] == g[j], "firmware %s, gdb %s" % (f[i], g[j]))
        used_blocks, in_use, rnr = int(f[3]), int(f[2]), int(f[10])

        # rtm blocks: the walk adds up to the firmware's figures
        blocks = re.findall(r"^  (0x[0-9a-f]+) +(\d+)  (used|free)(?:  +(\S+)  (.*))?$",
                            section(live, "blocks of heap", "map of heap"), re.M)
        used = [b for b in blocks if b[2] == "used"]
        check("rtm blocks: used blocks", len(used) == used_blocks, "%d vs %d" % (len(used), used_blocks))
        check("rtm blocks: bytes in use", sum(int(b[1]) for b in used) == in_use)
        free = [int(b[1]) for b in blocks if b[2] == "free"]
        check("rtm blocks: free bytes", sum(free) == int(f[4]))
        check("rtm blocks: addresses ascend", [int(b[0], 16) for b in blocks] ==
              sorted(int(b[0], 16) for b in blocks))
        sites = [b[4] for b in used if b[3] == "4"]
        check("rtm blocks: the frames' call site is named", len(sites) == 3 and
              all(re.search(r"rtm_target_main\+\d+ \(main\.c:\d+\)", s) for s in sites), str(sites))
        per_owner = {}
        for b in used:
            if b[3] not in ("", "-"):
                per_owner.setdefault(b[3], []).append(int(b[1]))

        # rtm owners vs rtm_leak_owner_report (the record sizes are requests)
        fw_owners = sorted(re.findall(r"^  owner (\d+): (\d+) blocks, (\d+) bytes$",
                                      section(demo, "heap owners", "debugger checkpoint 1"), re.M))
        gdb_owners = sorted(re.findall(r"^  owner (\d+): (\d+) blocks, (\d+) bytes$",
                                       section(live, "owners of the blocks", "MPU ("), re.M))
        check("rtm owners: same owners, blocks and bytes", fw_owners == gdb_owners and len(fw_owners) == 4,
              "firmware %s, gdb %s" % (fw_owners, gdb_owners))
        check("rtm blocks: blocks per owner", sorted((o, str(len(v))) for o, v in per_owner.items()) ==
              sorted((o, n) for o, n, _ in fw_owners))

        # rtm map: its totals
        m = find(r"^  used (\d+) bytes in (\d+) blocks, free (\d+) in \d+ blocks, fragmentation (\d+) permille",
                 live, "rtm map totals")
        if m:
            check("rtm map: totals", m.groups() == (f[2], f[3], f[4], f[6]))
        rows = re.findall(r"^  0x[0-9a-f]+ \|([#.:]+)\|$", live, re.M)
        check("rtm map: 16 rows of used and free", len(rows) == 16 and "#" in rows[0] and "." in rows[-1])

        # rtm mpu: the region MPU_RNR selects vs the manager's table
        fw_region = find(r"^  region %d: (0x[0-9a-f]+) \+ (\d+)  ([-rwxu]{4})" % rnr, demo, "firmware MPU region")
        gdb_region = find(r"^  region %d: (0x[0-9a-f]+) \+ (\d+)  ([-rwxu]{4})" % rnr, live, "rtm mpu region")
        if fw_region and gdb_region:
            check("rtm mpu: region %d base, size, permissions" % rnr, fw_region.groups() == gdb_region.groups(),
                  "%s vs %s" % (fw_region.groups(), gdb_region.groups()))
        check("rtm mpu: 8 regions, enabled, PRIVDEFENA",
              re.search(r"8 regions; CTRL 0x00000005: enabled, PRIVDEFENA", live) is not None and
              "ARMv7-M back end, 8 regions, PRIVDEFENA" in demo)

    # rtm fault in the fault hook vs the firmware's "caught:" line
    caught = find(r"^caught: .*CFSR (0x[0-9a-f]+), address (0x[0-9a-f]+)", demo, "firmware caught line")
    hook = section(live, "=== fault hook ===", "=== checkpoint 2 ===")
    cfsr = find(r"CFSR  (0x[0-9a-f]+)", hook, "rtm fault CFSR")
    mmfar = find(r"MMFAR (0x[0-9a-f]+)  \(valid\)", hook, "rtm fault MMFAR")
    if caught and cfsr and mmfar:
        check("rtm fault: CFSR", caught.group(1) == cfsr.group(1))
        check("rtm fault: MMFAR", caught.group(2) == mmfar.group(1))
        check("rtm fault: DACCVIOL and MSTKERR named", "DACCVIOL" in hook and "MSTKERR" in hook)
        check("rtm fault: the frame is on PSP", "EXC_RETURN 0xfffffffd" in hook)

    # rtm fault RECORD at checkpoint 2 (live) and from the dump vs the record the firmware printed
    fw_rec = find(r"^fault record \(rtm_fault_record, \.noinit\): (\d+) fault\(s\), CFSR (0x[0-9a-f]+), HFSR "
                  r"0x[0-9a-f]+, MMFAR (0x[0-9a-f]+), address (0x[0-9a-f]+), MPU region (\d+), task (\d+)",
                  demo, "firmware fault record")
    # the dump was saved at checkpoint 1, before the fault: no record yet
    check("rtm fault RECORD (dump, before the fault): empty", re.search(
        r"^fault record at 0x[0-9a-f]+: empty \(no magic\)", dump, re.M) is not None)
    for name, text in (("live", section(live, "=== checkpoint 2 ===", None)),):
        g = find(r"^  (\d+) fault\(s\); kind data access, address (0x[0-9a-f]+), MPU region (\d+), task (\d+)",
                 text, "rtm fault RECORD (%s)" % name)
        if fw_rec and g:
            fr = fw_rec.groups()
            check("rtm fault RECORD (%s): count, address, region, task" % name,
                  g.groups() == (fr[0], fr[3], fr[4], fr[5]), "%s vs %s" % (g.groups(), fr))
            check("rtm fault RECORD (%s): CFSR" % name, ("CFSR  " + fr[1]) in text)

    # the same commands on the RAM dump print what they printed live
    norm = lambda t: re.sub(r"read from [^\n]*", "read from SOURCE", t)  # noqa: E731
    live_part = norm(section(live, "heap 0x", "MPU ("))
    dump_part = norm(section(dump, "heap 0x", "fault record at"))
    check("RAM dump: heap, blocks, map and owners as on the live target", live_part == dump_part,
          "first difference at character %d" % next((i for i, (a, b) in enumerate(zip(live_part, dump_part))
                                                     if a != b), min(len(live_part), len(dump_part))))

    # the reset image: live registers and stacked frame in boot 1, the record in boot 2
    print("== rtm fault on the reset test image ==")
    boot1 = section(reset_live, "=== boot 1: fault hook ===", "=== boot 2 ===")
    boot2 = section(reset_live, "=== boot 2 ===", None)
    fields = dict(re.findall(r"^  ([A-Za-z][A-Za-z ]+?) (0x[0-9a-f]{8})$", reset, re.M))
    check("reset image passed", "reset test: PASS" in reset)
    frame1 = find(r"LR (0x[0-9a-f]+)  PC (0x[0-9a-f]+)  xPSR (0x[0-9a-f]+)", boot1, "rtm fault frame (boot 1)")
    frame2 = find(r"LR (0x[0-9a-f]+)  PC (0x[0-9a-f]+)  xPSR (0x[0-9a-f]+)", boot2, "rtm fault RECORD frame")
    expect = (fields.get("stacked LR"), fields.get("stacked PC"), fields.get("stacked xPSR"))
    for name, m in (("live frame, boot 1", frame1), ("record, boot 2", frame2)):
        if m:
            check("rtm fault (%s): stacked LR, PC, xPSR" % name, m.groups() == expect,
                  "%s vs %s" % (m.groups(), expect))
    check("rtm fault (live frame, boot 1): found on MSP", "MSP, just above the saved EXC_RETURN" in boot1)
    check("rtm fault (live frame, boot 1): PC is rtm_target_write32", "PC rtm_target_write32" in boot1)
    for name, text in (("live, boot 1", boot1), ("record, boot 2", boot2)):
        check("rtm fault (%s): CFSR, MMFAR" % name, ("CFSR  " + fields.get("CFSR", "?")) in text and
              ("MMFAR " + fields.get("MMFAR", "?") + "  (valid)") in text)
    rec = find(r"^  (\d+) fault\(s\); kind data access, address (0x[0-9a-f]+), MPU region (\d+), task (\d+)",
               boot2, "rtm fault RECORD (boot 2)")
    if rec:
        want = (str(int(fields.get("count", "0"), 16)), fields.get("address"),
                str(int(fields.get("MPU region", "0"), 16)), str(int(fields.get("task", "0"), 16)))
        check("rtm fault RECORD (boot 2): count, address, region, task", rec.groups() == want,
              "%s vs %s" % (rec.groups(), want))

    print("gdb-test: %s" % ("all checks passed" if not failures else "%d FAILED" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
