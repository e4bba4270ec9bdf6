# SPDX-License-Identifier: MIT OR Apache-2.0
"""Decoders of rtmem's structures and of the Cortex-M fault and MPU registers.

Pure Python, no GDB: every function reads target memory through `read32`, a
callable (address -> 32-bit little-endian word) that the GDB commands
(rtmem.py) back with the live target or a RAM dump, and heapviz.py with a
dump file. Addresses are plain ints; the target is 32-bit.
"""

MASK32 = 0xFFFFFFFF


class DecodeError(Exception):
    """The structure in memory is not what the decoder expects (damage or a wrong address)."""


# ===========================================================================
# THE O(1) HEAP'S BLOCK FORMAT -- the only place that knows it.
# Written for the layout documented at the top of c-src/alloc/heap.c; when
# that layout changes, this function changes and nothing else does.
# ===========================================================================
def decode_heap(read32, h):
    """Walk the O(1) heap (rtm_heap_t *) at `h`.

    Returns a dict:
      blocks   [(addr, size, used)] in address order over every region: addr is
               the payload pointer (what the application holds), size the
               usable bytes (rtm_heap_usable_size), used a bool
      regions  [(start, end)]: the bytes each region's blocks cover
      classes  {z: [payload addrs]}: the free list of class z, in list order
               (class z holds blocks of 2^(31-z) .. 2^(32-z)-1 bytes)
      counters allocations, frees, peak, failures, in_use (bytes), from the
               control block
      largest_request the largest request the heap would grant now at
               alignment 8 (its rtm_heap_stats figure: the first block of the
               largest non-empty class)
    Raises DecodeError on a damaged block (the walk stops there).
    """
    ror3 = lambda a: ((a >> 3) | (a << 29)) & MASK32  # noqa: E731 -- key(p)
    u_bit, pu_bit, check, min_block, zlo, zhi, control = 0x100, 0x200, 0xA5, 16, 8, 27, 248
    lo0 = ((control + 4 + 7) & ~7) - 4

    def free_hdr(p, size):
        return (size << 7) ^ ror3(p)  # no flags: U clear, PU implied

    def used_hdr(p, size, flags):
        t = ((size << 7) | flags) ^ ror3(p)
        return (t & ~0xFF & MASK32) | (((t >> 8) ^ check) & 0xFF)

    regions = [(h + lo0 + 4, read32(h + 12))]  # region 0: span0
    for i in range(3):  # struct region extra[3] at offset 224: lo, span
        lo, span = read32(h + 224 + 8 * i), read32(h + 228 + 8 * i)
        if span:
            regions.append((lo, span))
    blocks, spans = [], []
    for first, span in regions:
        p, end, prev_used = first, first + span, pu_bit
        while p < end:
            raw = read32(p - 4)
            pl = raw ^ ror3(p)
            size, used = (pl >> 7) & ~7, bool(pl & u_bit)
            intact = (((raw ^ (raw >> 8)) & 0xFF) == check) if used else (
                prev_used and size >= min_block and raw == free_hdr(p, size) and read32(p + 8) == size)
            if (used and (pl & pu_bit) != prev_used) or size < min_block or size > end - p or not intact:
                raise DecodeError("damaged block header at 0x%08x (stored 0x%08x)" % (p - 4, raw))
            blocks.append((p, size - 4, used))
            prev_used = pu_bit if used else 0
            p += size
        if p != end or read32(end - 4) != used_hdr(end, 0, u_bit | prev_used):
            raise DecodeError("region 0x%08x: no end marker at 0x%08x" % (first - 4, end - 4))
        spans.append((first - 4, end - 4))  # the blocks; the end marker follows
    classes, nfree = {}, read32(h + 4)
    for z in range(zlo, zhi + 1):
        sentinel, node, seen = h + 8 * z, read32(h + 8 * z), []
        while node != sentinel:
            if len(seen) > nfree:
                raise DecodeError("free list of class %d does not end" % z)
            seen.append(node)
            node = read32(node)
        if seen:
            classes[z] = seen
    bitmap = read32(h)
    largest_request = 0
    if bitmap:
        z = (bitmap & -bitmap).bit_length() - 1
        largest_request = read32(read32(h + 8 * z) + 8) - 4
    counters = {
        "in_use": read32(h + 16),
        "allocations": read32(h + 20),
        "frees": read32(h + 32),
        "peak": read32(h + 36),
        "failures": read32(h + 40),
    }
    return {"blocks": blocks, "regions": spans, "classes": classes, "counters": counters,
            "largest_request": largest_request}


# ===========================================================================
# Figures computed from a walk (format-free)
# ===========================================================================
def heap_figures(walk):
    """Capacity, use and fragmentation from decode_heap()'s result."""
    used = [s for _, s, u in walk["blocks"] if u]
    free = [s for _, s, u in walk["blocks"] if not u]
    capacity = sum(end - start - 4 for start, end in walk["regions"])
    largest = max(free) if free else 0
    total_free = sum(free)
    return {
        "capacity": capacity,
        "in_use": sum(used),
        "used_blocks": len(used),
        "free_bytes": total_free,
        "free_blocks": len(free),
        "largest_free": largest,
        # 1 - largest free / total free (docs/architecture.md), in permille
        "fragmentation_permille": (1000 - largest * 1000 // total_free) if total_free else 0,
    }


def class_range(z):
    """Block sizes (header included) of free-list class z."""
    return 1 << (31 - z), (1 << (32 - z)) - 1


# ===========================================================================
# The leak tracker's records (for owner and call site of a block)
# ===========================================================================
def leak_records(read32, records, capacity, owners, rec_size, off_ptr, off_size, off_caller):
    """{ptr: (size, caller, owner)} of the live records of a tracker's table.

    The record layout (size and field offsets) comes from the ELF's debug
    information: rtm_leak_record_t is public, the tracker's fields private."""
    out = {}
    for i in range(capacity):
        r = records + i * rec_size
        ptr = read32(r + off_ptr)
        if ptr:
            owner = read32(owners + 4 * i) if owners else 0
            out[ptr] = (read32(r + off_size), read32(r + off_caller), owner)
    return out


# ===========================================================================
# Cortex-M fault status (ARMv7-M / ARMv8-M Mainline)
# ===========================================================================
SCB_CPUID, SCB_SHCSR, SCB_CFSR, SCB_HFSR = 0xE000ED00, 0xE000ED24, 0xE000ED28, 0xE000ED2C
SCB_MMFAR, SCB_BFAR = 0xE000ED34, 0xE000ED38

CFSR_BITS = [
    (0, "IACCVIOL", "MemManage: instruction fetch from a no-execute or no-access region"),
    (1, "DACCVIOL", "MemManage: data access violation"),
    (3, "MUNSTKERR", "MemManage: on exception return (unstacking)"),
    (4, "MSTKERR", "MemManage: on exception entry (stacking)"),
    (5, "MLSPERR", "MemManage: lazy FP state preservation"),
    (7, "MMARVALID", "MMFAR holds the faulting address"),
    (8, "IBUSERR", "BusFault: instruction fetch"),
    (9, "PRECISERR", "BusFault: precise data access"),
    (10, "IMPRECISERR", "BusFault: imprecise data access"),
    (11, "UNSTKERR", "BusFault: on exception return (unstacking)"),
    (12, "STKERR", "BusFault: on exception entry (stacking)"),
    (13, "LSPERR", "BusFault: lazy FP state preservation"),
    (15, "BFARVALID", "BFAR holds the faulting address"),
    (16, "UNDEFINSTR", "UsageFault: undefined instruction"),
    (17, "INVSTATE", "UsageFault: invalid state (EPSR.T or IT)"),
    (18, "INVPC", "UsageFault: invalid EXC_RETURN / PC load"),
    (19, "NOCP", "UsageFault: no coprocessor"),
    (20, "STKOF", "UsageFault: stack limit (ARMv8-M)"),
    (24, "UNALIGNED", "UsageFault: unaligned access"),
    (25, "DIVBYZERO", "UsageFault: divide by zero"),
]
HFSR_BITS = [(1, "VECTTBL", "vector table read"), (30, "FORCED", "escalated to HardFault"),
             (31, "DEBUGEVT", "debug event")]
NO_FRAME = (1 << 4) | (1 << 12) | (1 << 20)  # MSTKERR, STKERR, STKOF: no (complete) frame
FRAME_NAMES = ["r0", "r1", "r2", "r3", "r12", "lr", "pc", "xpsr"]


def bit_names(value, table):
    return [(name, text) for bit, name, text in table if value & (1 << bit)]


def fault_lines(cfsr, hfsr, mmfar, bfar):
    """Text lines decoding the four fault registers."""
    lines = ["CFSR  0x%08x  (MMFSR 0x%02x, BFSR 0x%02x, UFSR 0x%04x)" %
             (cfsr, cfsr & 0xFF, (cfsr >> 8) & 0xFF, cfsr >> 16)]
    lines += ["  %-12s %s" % nt for nt in bit_names(cfsr, CFSR_BITS)]
    lines.append("HFSR  0x%08x" % hfsr)
    lines += ["  %-12s %s" % nt for nt in bit_names(hfsr, HFSR_BITS)]
    lines.append("MMFAR 0x%08x%s" % (mmfar, "  (valid)" if cfsr & 0x80 else "  (not valid)"))
    lines.append("BFAR  0x%08x%s" % (bfar, "  (valid)" if cfsr & 0x8000 else "  (not valid)"))
    if cfsr == 0 and hfsr == 0:
        lines.append("no fault recorded in the status registers")
    return lines


def frame_lines(words, where):
    lines = ["stacked frame at 0x%08x (%s):" % (words[0], where)]
    regs = words[1]
    lines.append("  " + "  ".join("%s 0x%08x" % (n, v) for n, v in zip(FRAME_NAMES[:4], regs[:4])))
    lines.append("  r12 0x%08x  LR 0x%08x  PC 0x%08x  xPSR 0x%08x  (exception %d)" %
                 (regs[4], regs[5], regs[6], regs[7], regs[7] & 0x1FF))
    return lines


# rtm_fault_record_t (include/rtmem/fault_record.h): 23 words, then the CRC.
FAULT_RECORD_FIELDS = ["magic", "version", "count", "cfsr", "hfsr", "mmfar", "bfar", "address", "kind",
                       "flags", "region", "task", "sp", "exc_return", "frame_valid"]
FAULT_RECORD_MAGIC = 0x52544652
FAULT_KINDS = ["none", "data access", "instruction access", "stacking", "unstacking", "lazy FP", "bus",
               "stack limit", "misaligned", "other", "hard fault", "software"]


def crc32(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def decode_fault_record(read32, addr):
    words = [read32(addr + 4 * i) for i in range(24)]
    rec = dict(zip(FAULT_RECORD_FIELDS, words))
    rec["frame"] = words[15:23]
    rec["crc"] = words[23]
    raw = b"".join(w.to_bytes(4, "little") for w in words[:23])
    if rec["magic"] != FAULT_RECORD_MAGIC:
        rec["state"] = "empty (no magic)"
    elif rec["version"] != 1 or crc32(raw) != rec["crc"]:
        rec["state"] = "DAMAGED (CRC or version wrong)"
    else:
        rec["state"] = "valid"
    return rec


# ===========================================================================
# MPU registers
# ===========================================================================
MPU_TYPE, MPU_CTRL, MPU_RNR, MPU_RBAR, MPU_RASR = 0xE000ED90, 0xE000ED94, 0xE000ED98, 0xE000ED9C, 0xE000EDA0
MPU_MAIR0 = 0xE000EDC0
V7_AP = {0: ("----", "no access"), 1: ("rw--", "privileged RW"), 2: ("rw-u", "privileged RW, unprivileged RO"),
         3: ("rw-u", "RW"), 5: ("r---", "privileged RO"), 6: ("r--u", "RO"), 7: ("r--u", "RO")}
V8_AP = {0: ("rw--", "privileged RW"), 1: ("rw-u", "RW"), 2: ("r---", "privileged RO"), 3: ("r--u", "RO")}


def armv8m(cpuid):
    """Is the core ARMv8-M (Cortex-M23/M33/M35P/M55/M85)? From CPUID.PARTNO."""
    return ((cpuid >> 4) & 0xFFF) in (0xD20, 0xD21, 0xD31, 0xD22, 0xD23)


def perm_string(perm, xn):
    """rwxu, as the demo prints a manager region: x unless XN, u when unprivileged code may access."""
    return perm[0] + perm[1] + ("-" if xn else "x") + perm[3]


def decode_v7_region(n, rbar, rasr):
    if not rasr & 1:
        return "region %d: disabled" % n
    size = 1 << (((rasr >> 1) & 0x1F) + 1)
    base = rbar & ~(size - 1) & MASK32 if size < (1 << 32) else 0
    ap = (rasr >> 24) & 7
    perm, text = V7_AP.get(ap, ("????", "reserved AP"))
    xn = bool(rasr & (1 << 28))
    srd = (rasr >> 8) & 0xFF if size >= 256 else 0
    attrs = "TEX %d S %d C %d B %d" % ((rasr >> 19) & 7, (rasr >> 18) & 1, (rasr >> 17) & 1, (rasr >> 16) & 1)
    extra = ""
    if srd:
        # Disabled subregions (eighths) cut the block; a contiguous run of
        # enabled ones is shown as the range it covers.
        on = [i for i in range(8) if not srd & (1 << i)]
        extra = ", block 0x%08x + %d, subregions off 0x%02x" % (base, size, srd)
        if on and on == list(range(on[0], on[-1] + 1)):
            base, size = base + on[0] * (size // 8), len(on) * (size // 8)
    return "region %d: 0x%08x + %d  %s  (%s%s, %s%s)" % (
        n, base, size, perm_string(perm, xn), text, ", XN" if xn else "", attrs, extra)


def decode_v8_region(n, rbar, rlar):
    if not rlar & 1:
        return "region %d: disabled" % n
    base, limit = rbar & ~0x1F & MASK32, rlar | 0x1F
    perm, text = V8_AP[(rbar >> 1) & 3]
    xn = bool(rbar & 1)
    return "region %d: 0x%08x + %d  %s  (%s%s, AttrIndx %d, SH %d)" % (
        n, base, limit - base + 1, perm_string(perm, xn), text, ", XN" if xn else "", (rlar >> 1) & 7,
        (rbar >> 3) & 3)


def ctrl_text(ctrl):
    return "CTRL 0x%08x: %s%s%s" % (ctrl, "enabled" if ctrl & 1 else "disabled",
                                     ", HFNMIENA" if ctrl & 2 else "", ", PRIVDEFENA" if ctrl & 4 else "")
