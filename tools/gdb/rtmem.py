# SPDX-License-Identifier: MIT OR Apache-2.0
"""rtmem's GDB commands (Debian's gdb-multiarch, Python 3).

    (gdb) source tools/gdb/rtmem.py
    (gdb) rtm heap demo.heap          statistics, free lists, fragmentation
    (gdb) rtm blocks demo.heap [&demo.leak]   every block; owner and call site
    (gdb) rtm map demo.heap [COLUMNS] a one-screen map of used and free memory
    (gdb) rtm owners &demo.leak       bytes and blocks per owner tag
    (gdb) rtm mpu [v7|v8]             the MPU's regions, from its registers
    (gdb) rtm fault [RECORD]          CFSR/HFSR/MMFAR/BFAR and the stacked frame,
                                      or a saved rtm_fault_record_t
    (gdb) rtm save FILE START END     save a RAM dump (holes the debugger
                                      cannot read are zeros and listed)
    (gdb) rtm dump FILE@ADDR...       read target memory from RAM dumps (rtm
                                      save, or `dump binary memory`) instead
                                      of a live target; `rtm dump off`

Nothing runs on the target: every figure comes from memory reads (and, for
`rtm mpu`, writes of MPU_RNR where the target takes debugger writes). The
structure decoders are in rtmem_decode.py beside this file.
"""
import os
import sys

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rtmem_decode as rd  # noqa: E402


class Dump:
    """Target memory from binary RAM dumps: [(base, bytes)]."""

    def __init__(self):
        self.segments = []

    def add(self, path, base):
        with open(path, "rb") as f:
            self.segments.append((base, f.read()))

    def read(self, addr, n):
        for base, data in self.segments:
            if base <= addr and addr + n <= base + len(data):
                return data[addr - base:addr - base + n]
        raise gdb.MemoryError("0x%08x is not in the RAM dump" % addr)


_dump = None


def source_name():
    if _dump is None:
        return "the live target"
    return "the RAM dump (%s)" % ", ".join("0x%08x+%d" % (b, len(d)) for b, d in _dump.segments)


def read_bytes(addr, n):
    if _dump is not None:
        return _dump.read(addr, n)
    return bytes(gdb.selected_inferior().read_memory(addr, n))


def read32(addr):
    return int.from_bytes(read_bytes(addr & rd.MASK32, 4), "little")


def try_write32(addr, value):
    """Write a word on the live target; False when that is impossible or ignored."""
    if _dump is not None:
        return False
    try:
        gdb.selected_inferior().write_memory(addr, value.to_bytes(4, "little"))
    except gdb.error:
        return False
    return read32(addr) == value


def target_addr(expr):
    """The address an expression names: a pointer's value, an object's address, a number.

    With a RAM dump a pointer variable is read from the dump (GDB itself can
    only read the ELF's file contents without a target)."""
    v = gdb.parse_and_eval(expr)
    t = v.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_PTR:
        if _dump is not None and v.address is not None:
            return read32(int(v.address))
        return int(v) & rd.MASK32
    if t.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION, gdb.TYPE_CODE_ARRAY):
        return int(v.address) & rd.MASK32
    return int(v) & rd.MASK32


def symbol_of(addr, returns=True):
    """'function+offset (file:line)' of a code address (Thumb bit ignored), or ''.

    A return address (`returns`) names the instruction after a call: the
    line shown is the call's."""
    pc = addr & ~1
    if pc == 0:
        return ""
    try:
        text = gdb.execute("info symbol 0x%x" % pc, to_string=True).strip()
    except gdb.error:
        return ""
    if text.startswith("No symbol"):
        return ""
    name = text.split(" in section")[0].replace(" + ", "+")
    sal = gdb.find_pc_line(pc - 1 if returns else pc)
    if sal.symtab is not None:
        name += " (%s:%d)" % (os.path.basename(sal.symtab.filename), sal.line)
    return name


def field_offset(type_name, field):
    t = gdb.lookup_type(type_name).strip_typedefs()
    for f in t.fields():
        if f.name == field:
            return f.bitpos // 8
    raise gdb.GdbError("%s has no field %s" % (type_name, field))


def leak_table(expr):
    """{ptr: (size, caller, owner)} of the leak tracker (rtm_leak_t) `expr`."""
    tracker = target_addr(expr)
    rec = gdb.lookup_type("rtm_leak_record_t")
    words = lambda name: read32(tracker + field_offset("tracker_t", name))  # noqa: E731
    return rd.leak_records(read32, words("records"), words("capacity"), words("owners"), rec.sizeof,
                           field_offset("rtm_leak_record_t", "ptr"), field_offset("rtm_leak_record_t", "size"),
                           field_offset("rtm_leak_record_t", "caller"))


def walk(expr):
    h = target_addr(expr)
    try:
        return h, rd.decode_heap(read32, h)
    except rd.DecodeError as e:
        raise gdb.GdbError("rtm: heap at 0x%08x: %s" % (h, e))


def args_of(arg, lo, hi, usage):
    argv = gdb.string_to_argv(arg)
    if not lo <= len(argv) <= hi:
        raise gdb.GdbError("usage: " + usage)
    return argv


class Rtm(gdb.Command):
    """rtmem: see inside rtmem's structures (rtm heap|blocks|map|owners|mpu|fault|dump)."""

    def __init__(self):
        super().__init__("rtm", gdb.COMMAND_DATA, prefix=True)


class RtmHeap(gdb.Command):
    """rtm heap EXPR: statistics, free lists and fragmentation of the O(1) heap EXPR (rtm_heap_t *)."""

    def __init__(self):
        super().__init__("rtm heap", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        (expr,) = args_of(arg, 1, 1, "rtm heap EXPR")
        h, w = walk(expr)
        f = rd.heap_figures(w)
        c = w["counters"]
        print("heap 0x%08x (rtm_heap, O(1)), %d region(s), read from %s" % (h, len(w["regions"]), source_name()))
        print("  capacity %d bytes, in use %d in %d blocks, free %d in %d blocks" %
              (f["capacity"], f["in_use"], f["used_blocks"], f["free_bytes"], f["free_blocks"]))
        print("  largest free block %d, largest request now %d, fragmentation %d permille" %
              (f["largest_free"], w["largest_request"], f["fragmentation_permille"]))
        print("  peak %d, %d allocations / %d frees, %d failures (counters: in use %d)" %
              (c["peak"], c["allocations"], c["frees"], c["failures"], c["in_use"]))
        print("  free lists:")
        for z in sorted(w["classes"]):
            lo, hi = rd.class_range(z)
            nodes = w["classes"][z]
            sizes = {a: s for a, s, _ in w["blocks"]}
            print("    class %2d (%d..%d bytes): %d block(s): %s" %
                  (z, lo, hi, len(nodes), " ".join("0x%08x+%d" % (a, sizes.get(a, -1)) for a in nodes[:6]) +
                   (" ..." if len(nodes) > 6 else "")))
        if not w["classes"]:
            print("    (none: the heap is full)")


class RtmBlocks(gdb.Command):
    """rtm blocks EXPR [LEAK]: every block of heap EXPR in address order; with LEAK (an rtm_leak_t
    wrapping it) the owner tag and call site of each recorded block."""

    def __init__(self):
        super().__init__("rtm blocks", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = args_of(arg, 1, 2, "rtm blocks EXPR [LEAK]")
        h, w = walk(argv[0])
        recs = leak_table(argv[1]) if len(argv) > 1 else {}
        print("blocks of heap 0x%08x, read from %s" % (h, source_name()))
        print("  %-10s %8s  %-4s  %5s  %s" % ("address", "size", "", "owner", "call site"))
        for addr, size, used in w["blocks"]:
            line = "  0x%08x %8d  %-4s" % (addr, size, "used" if used else "free")
            if used and addr in recs:
                rsize, caller, owner = recs[addr]
                site = "0x%08x %s" % (caller, symbol_of(caller)) if caller else "-"
                line += "  %5d  %s" % (owner, site)
            elif used and recs:
                line += "  %5s  (not recorded)" % "-"
            print(line.rstrip())
        f = rd.heap_figures(w)
        print("  %d blocks: %d used (%d bytes), %d free (%d bytes)" %
              (len(w["blocks"]), f["used_blocks"], f["in_use"], f["free_blocks"], f["free_bytes"]))


class RtmMap(gdb.Command):
    """rtm map EXPR [COLUMNS]: one screen of heap EXPR, 16 rows: '#' used, '.' free, ':' both in one cell."""

    def __init__(self):
        super().__init__("rtm map", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = args_of(arg, 1, 2, "rtm map EXPR [COLUMNS]")
        cols = int(argv[1]) if len(argv) > 1 else 64
        h, w = walk(argv[0])
        print("map of heap 0x%08x, read from %s" % (h, source_name()))
        for start, end in w["regions"]:
            rows = 16
            cell = max(8, -(-(end - start) // (cols * rows)))
            cell = (cell + 7) & ~7
            used = [0] * (-(-(end - start) // cell))
            total = [0] * len(used)
            for addr, size, is_used in w["blocks"]:
                a, b = addr - 4, addr + size  # the header is the block's
                if b <= start or a >= end:
                    continue
                i = (a - start) // cell
                while a < b:
                    nxt = min(b, start + (i + 1) * cell)
                    total[i] += nxt - a
                    used[i] += (nxt - a) if is_used else 0
                    a, i = nxt, i + 1
            chars = "".join("#" if u == t and t else "." if u == 0 else ":" for u, t in zip(used, total))
            print("  region 0x%08x..0x%08x, %d bytes per character" % (start, end, cell))
            for r in range(0, len(chars), cols):
                print("  0x%08x |%s|" % (start + r * cell, chars[r:r + cols]))
        f = rd.heap_figures(w)
        print("  used %d bytes in %d blocks, free %d in %d blocks, fragmentation %d permille" %
              (f["in_use"], f["used_blocks"], f["free_bytes"], f["free_blocks"], f["fragmentation_permille"]))


class RtmOwners(gdb.Command):
    """rtm owners LEAK: bytes and blocks per owner tag of the leak tracker LEAK (an rtm_leak_t)."""

    def __init__(self):
        super().__init__("rtm owners", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        (expr,) = args_of(arg, 1, 1, "rtm owners LEAK")
        recs = leak_table(expr)
        per = {}
        for size, _, owner in recs.values():
            b, n = per.get(owner, (0, 0))
            per[owner] = (b + size, n + 1)
        print("owners of the blocks recorded by %s, read from %s" % (expr, source_name()))
        for owner in sorted(per):
            print("  owner %d: %d blocks, %d bytes" % (owner, per[owner][1], per[owner][0]))


class RtmMpu(gdb.Command):
    """rtm mpu [v7|v8]: the MPU's regions decoded from its registers (ARMv7-M PMSAv7 or ARMv8-M PMSAv8;
    the architecture comes from CPUID unless given)."""

    def __init__(self):
        super().__init__("rtm mpu", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = args_of(arg, 0, 1, "rtm mpu [v7|v8]")
        try:
            self.show(argv)
        except gdb.MemoryError as e:
            raise gdb.GdbError("rtm mpu: %s (a RAM dump has no MPU registers unless 0xE000ED00..0xE000EE00 "
                               "was dumped too)" % e)

    @staticmethod
    def show(argv):
        cpuid = read32(rd.SCB_CPUID) if not argv else 0
        v8 = argv[0] == "v8" if argv else rd.armv8m(cpuid)
        mtype, ctrl, rnr = read32(rd.MPU_TYPE), read32(rd.MPU_CTRL), read32(rd.MPU_RNR)
        count = (mtype >> 8) & 0xFF
        print("MPU (%s, CPUID 0x%08x), read from %s" % ("ARMv8-M PMSAv8" if v8 else "ARMv7-M PMSAv7", cpuid,
                                                         source_name()))
        print("  TYPE 0x%08x: %d regions; %s; RNR %d" % (mtype, count, rd.ctrl_text(ctrl), rnr))
        if v8:
            print("  MAIR0 0x%08x MAIR1 0x%08x" % (read32(rd.MPU_MAIR0), read32(rd.MPU_MAIR0 + 4)))
        decode = rd.decode_v8_region if v8 else rd.decode_v7_region
        # Every region through RNR, when the target takes debugger writes
        # (a probe on hardware does; QEMU's gdbstub drops writes to device
        # registers). RNR is put back afterwards.
        selectable = count > 1 and try_write32(rd.MPU_RNR, (rnr + 1) % count)
        if selectable:
            for n in range(count):
                try_write32(rd.MPU_RNR, n)
                print("  " + decode(n, read32(rd.MPU_RBAR), read32(rd.MPU_RASR)))
            try_write32(rd.MPU_RNR, rnr)
            return
        if v8:
            group = rnr & ~3
            for k in range(4):  # RBAR_An / RLAR_An reach regions (RNR & ~3) + n
                n = group + k
                if n < count:
                    print("  " + decode(n, read32(rd.MPU_RBAR + 8 * k), read32(rd.MPU_RASR + 8 * k)))
        else:
            print("  " + decode(rnr, read32(rd.MPU_RBAR), read32(rd.MPU_RASR)))
        print("  (only the region%s MPU_RNR selects: %s takes no debugger writes to MPU_RNR)" %
              (" group" if v8 else "", source_name()))


def find_exception_frame():
    """(address, how) of the exception frame of the current handler, or (None, why)."""
    try:
        xpsr = int(gdb.parse_and_eval("$xpsr")) & rd.MASK32
        sp = int(gdb.parse_and_eval("$sp")) & rd.MASK32
    except gdb.error:
        return None, "no registers (no live target)"
    if xpsr & 0x1FF == 0:
        return None, "the core is not in an exception handler (IPSR 0)"
    for i in range(128):  # the EXC_RETURN the handler saved on its stack
        v = read32(sp + 4 * i)
        if v & 0xFFFFFF00 == 0xFFFFFF00 and v & 1:
            if v & 4:
                try:
                    return int(gdb.parse_and_eval("$psp")) & rd.MASK32, "PSP (EXC_RETURN 0x%08x)" % v
                except gdb.error:
                    return None, ("the frame is on PSP (EXC_RETURN 0x%08x) and the target reports no PSP "
                                  "register: give it, rtm fault frame ADDR" % v)
            # A handler pushes LR (holding EXC_RETURN) in its first push, at
            # the highest address of it: the frame starts right above.
            return sp + 4 * i + 4, "MSP, just above the saved EXC_RETURN 0x%08x" % v
    return None, "no EXC_RETURN found in the 128 words above SP"


class RtmFault(gdb.Command):
    """rtm fault [RECORD | frame ADDR]: the fault status registers decoded and the faulting context's
    stacked PC/LR/xPSR (found from the EXC_RETURN the handler saved, or at ADDR); with RECORD (an
    rtm_fault_record_t) the record saved across a reset instead."""

    def __init__(self):
        super().__init__("rtm fault", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = args_of(arg, 0, 2, "rtm fault [RECORD | frame ADDR]")
        if len(argv) == 1:
            self.record(target_addr(argv[0]))
            return
        if len(argv) == 2 and argv[0] != "frame":
            raise gdb.GdbError("usage: rtm fault [RECORD | frame ADDR]")
        cfsr, hfsr = read32(rd.SCB_CFSR), read32(rd.SCB_HFSR)
        mmfar, bfar = read32(rd.SCB_MMFAR), read32(rd.SCB_BFAR)
        print("fault status, read from %s" % source_name())
        for line in rd.fault_lines(cfsr, hfsr, mmfar, bfar):
            print("  " + line)
        if argv:
            addr, how = target_addr(argv[1]), "given"
        elif _dump is None:
            addr, how = find_exception_frame()
        else:
            addr, how = None, "no registers in a RAM dump"
        if addr is None:
            print("  no stacked frame: " + how)
            return
        try:
            frame = [read32(addr + 4 * i) for i in range(8)]
        except gdb.MemoryError:
            print("  stacked frame at 0x%08x (%s): not readable by the debugger" % (addr, how))
            print("  (QEMU checks debugger reads against the MPU: a frame in a no-access guard cannot be read)")
            return
        for line in rd.frame_lines((addr, frame), how):
            print("  " + line)
        print("    PC %s, LR %s" % (symbol_of(frame[6], False) or "?", symbol_of(frame[5]) or "?"))
        if cfsr & rd.NO_FRAME:
            print("  (stacking faulted: the frame is incomplete, its words may be stale)")

    @staticmethod
    def record(addr):
        r = rd.decode_fault_record(read32, addr)
        print("fault record at 0x%08x: %s, read from %s" % (addr, r["state"], source_name()))
        if r["state"] != "valid":
            return
        kind = rd.FAULT_KINDS[r["kind"]] if r["kind"] < len(rd.FAULT_KINDS) else str(r["kind"])
        region = "none" if r["region"] == 0xFFFFFFFF else str(r["region"])
        print("  %d fault(s); kind %s, address 0x%08x%s, MPU region %s, task %d" %
              (r["count"], kind, r["address"], "" if r["flags"] & 1 else " (not valid)", region, r["task"]))
        for line in rd.fault_lines(r["cfsr"], r["hfsr"], r["mmfar"], r["bfar"]):
            print("  " + line)
        if r["frame_valid"] & 1:
            how = "EXC_RETURN 0x%08x" % r["exc_return"] if r["exc_return"] else "as recorded"
            for line in rd.frame_lines((r["sp"], r["frame"]), how):
                print("  " + line)
            print("    PC %s, LR %s" % (symbol_of(r["frame"][6], False) or "?", symbol_of(r["frame"][5]) or "?"))
        else:
            print("  no stacked frame (stacking faulted); stack pointer 0x%08x" % r["sp"])


class RtmSave(gdb.Command):
    """rtm save FILE START END: write target memory [START, END) to FILE for `rtm dump`; what the
    debugger cannot read (QEMU refuses reads in no-access MPU regions) is written as zeros and listed."""

    def __init__(self):
        super().__init__("rtm save", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = args_of(arg, 3, 3, "rtm save FILE START END")
        start, end = int(gdb.parse_and_eval(argv[1])), int(gdb.parse_and_eval(argv[2]))
        inf = gdb.selected_inferior()
        out, holes, step = bytearray(), [], 1024
        for a in range(start, end, step):
            n = min(step, end - a)
            try:
                out += bytes(inf.read_memory(a, n))
                continue
            except gdb.MemoryError:
                pass
            for b in range(a, a + n, 32):  # MPU regions are 32-byte multiples
                try:
                    out += bytes(inf.read_memory(b, 32))
                except gdb.MemoryError:
                    out += bytes(32)
                    if holes and holes[-1][1] == b:
                        holes[-1][1] = b + 32
                    else:
                        holes.append([b, b + 32])
        with open(argv[0], "wb") as f:
            f.write(out)
        print("rtm: saved 0x%08x..0x%08x to %s%s" % (start, end, argv[0], "".join(
            ", unreadable 0x%08x..0x%08x (zeros)" % (a, b) for a, b in holes)))


class RtmDump(gdb.Command):
    """rtm dump FILE@ADDR...: read target memory from binary dumps loaded at ADDR; `rtm dump off`."""

    def __init__(self):
        super().__init__("rtm dump", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        global _dump
        argv = gdb.string_to_argv(arg)
        if argv == ["off"]:
            _dump = None
        elif argv:
            d = Dump()
            for spec in argv:
                path, _, base = spec.rpartition("@")
                if not path:
                    raise gdb.GdbError("usage: rtm dump FILE@ADDR... | off")
                d.add(path, int(base, 0))
            _dump = d
        print("rtm: reading from %s" % source_name())


for _cls in (Rtm, RtmHeap, RtmBlocks, RtmMap, RtmOwners, RtmMpu, RtmFault, RtmSave, RtmDump):
    _cls()
