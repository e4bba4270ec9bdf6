#!/usr/bin/python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Turn the raw benchmark outputs into docs/bench/results.md and plots.

usage: report.py COUNTS_DIR HOST_JSON SIZES_TXT OUT_DIR [COMMAND] [--linked=LINKED_TXT]

COUNTS_DIR  icount output of the Cortex-M4 firmware: counts.csv, hist.csv,
            fw.log (run names, results of each run, stack probes), and
            wcet.py's static bounds: wcet.json (instructions), stack.json
            (stack bytes)
HOST_JSON   bench_host output (x86-64 timing, fill ratios, overheads)
SIZES_TXT   lines "allocator text data" (arm-none-eabi-size, -Os, Cortex-M4)
OUT_DIR     where results.md and the PNG plots go
COMMAND     the command that produced them (quoted in results.md)
LINKED_TXT  lines "linked rtm_heap -Os own N bss N libgcc N other N": the
            bytes a firmware calling init + alloc + free links (mk/bench.mk)

Every figure is computed from these files; a target it misses is reported
"missed", whatever the numbers are.
"""
import csv
import json
import os
import re
import sys
from collections import defaultdict

# The heap's targets (its redesign), next to which every figure is reported.
TARGETS = {
    "malloc": 64,
    "malloc_mean": 55,
    "free": 85,
    "free_mean": 60,
    "bound_malloc": 130,
    "bound_free": 120,
    "aligned_fail": 0.001,
    "realloc_mean": 120,
    "linked": 1100,
    "code": 2000,
    "ratio": 0.9,
    "fill_64k": 0.9405,
    "fill_1m": 0.9949,
    "overhead": 4,
    "align": 8,
    "control": 292,
}

# The targets of the other allocators.
TARGETS_OTHER = {
    "fl_malloc": (480, 1400),  # mean, worst
    "fl_free": (300, 800),
    "fl_code": 1228,
    "fl_fill": (0.868, 0.9895),
    "pool": 20,
    "mp_fill": (0.90, 0.97),
    "mp_fixed": 1024,
    "mp_hit": 100,
}

MAIN_TRACE = "random 8..256 B, 64 KiB"
SMALL_TRACE = "small: random 8..256 B, 64 KiB, 4 KiB live"

ENTRY = {
    # allocator table name -> (malloc function, free function)
    "rtm_heap": ("rtm_heap_alloc", "rtm_heap_free"),
    "rtm_freelist": ("rtm_freelist_alloc", "rtm_freelist_free"),
    "rtm_pool": ("rtm_pool_alloc", "rtm_pool_free"),
    "rtm_mpool": ("rtm_mpool_alloc", "rtm_mpool_free"),
    "rtm_bump": ("rtm_bump_alloc", "rtm_bump_free"),
}


REALLOC = {
    "rtm_heap": "rtm_heap_realloc",
    "rtm_freelist": "rtm_freelist_realloc",
    "rtm_bump": "rtm_bump_realloc",
}


def load_log(counts_dir):
    """From the firmware log: run id -> (allocator, scenario), and function ->
    the most stack bytes the firmware's probes saw one call write."""
    runs, probed, results = {}, {}, {}
    last = None
    with open(os.path.join(counts_dir, "fw.log")) as f:
        for line in f:
            m = re.match(r"run (\d+) (\S+) \| ([^|]*?)(?: \| (\d+) ops)?$", line.strip())
            if m:
                runs[int(m.group(1))] = (m.group(2), m.group(3))
                if m.group(3) not in ("setup", "teardown"):
                    last = int(m.group(1))
            m = re.match(r"stack (\S+) (\d+)$", line.strip())
            if m:
                probed[m.group(1)] = max(probed.get(m.group(1), 0), int(m.group(2)))
            words = line.split()
            if len(words) >= 4 and words[0] == "entries" and words[1] != "calibration":
                # The firmware's table (allocs.c): what each allocator's calls are.
                ENTRY[words[1]] = (words[2], words[3])
                if len(words) >= 5:
                    REALLOC[words[1]] = words[4]
            if line.startswith("result ") and last is not None:
                words = line.split()[1:]
                results[last] = {k: int(v) for k, v in zip(words[::2], words[1::2])}
    return runs, probed, results


def load_counts(counts_dir):
    stats = {}
    with open(os.path.join(counts_dir, "counts.csv")) as f:
        for row in csv.DictReader(f):
            stats[(int(row["run"]), row["function"])] = {
                k: float(row[k]) for k in ("calls", "mean", "p50", "p99", "max")
            }
    hist = defaultdict(list)
    with open(os.path.join(counts_dir, "hist.csv")) as f:
        for run, fn, n, calls in csv.reader(f):
            hist[(int(run), fn)].append((int(n), int(calls)))
    return stats, hist


def bound_text(b):
    """wcet.py's answer for a table cell: the bound, or what prevents one."""
    if b is None or isinstance(b, int):
        return "-" if b is None else str(b)
    m = re.match(r"unbounded: (\S+): (loop|indirect)", b)
    if not m:
        return "unbounded"
    return "unbounded (%s in %s)" % ("a loop" if m.group(2) == "loop" else "an indirect call", m.group(1))


def mark(ok):
    return "met" if ok else "**missed**"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--linked=")]
    linked_txt = next((a[len("--linked="):] for a in sys.argv[1:] if a.startswith("--linked=")), None)
    counts_dir, host_json, sizes_txt, out_dir = args[0:4]
    command = args[4] if len(args) > 4 else "make bench"
    os.makedirs(out_dir, exist_ok=True)
    runs, probed, results = load_log(counts_dir)
    stats, hist = load_counts(counts_dir)
    # The method's own check: the calibration function is 5 instructions on
    # both of its paths.
    calib = [stats.get((run, "bench_calib")) for run, (a, _) in runs.items() if a == "calibration"]
    if not calib or calib[0] is None or calib[0]["calls"] != 2 or calib[0]["mean"] != 5 or calib[0]["max"] != 5:
        print("report.py: instruction counting failed its calibration: %r" % (calib,), file=sys.stderr)
        return 1
    with open(os.path.join(counts_dir, "wcet.json")) as f:
        bounds = json.load(f)
    with open(os.path.join(counts_dir, "stack.json")) as f:
        stack = json.load(f)
    with open(host_json) as f:
        host = json.load(f)
    sizes = {}
    with open(sizes_txt) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                sizes[parts[0]] = int(parts[1]) + int(parts[2])
    sizes["rtm_mpool"] = sizes.get("rtm_multipool", "-")
    linked = {}
    if linked_txt is not None:
        with open(linked_txt) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 5 and parts[0] == "linked" and parts[3] == "own":
                    linked[(parts[1], parts[2])] = dict(zip(parts[3::2], map(int, parts[4::2])))

    # Per allocator and scenario: instruction counts of malloc and free.
    rows = []
    worst = defaultdict(dict)  # allocator -> scenario -> (malloc max, free max)
    worst_plain = defaultdict(dict)  # the same, random and holes traces only
    by_scen = {}  # (allocator, scenario) -> run
    for run, (alloc, scen) in sorted(runs.items()):
        if alloc not in ENTRY or scen in ("setup", "teardown", "end"):
            continue
        fa, ff = ENTRY[alloc]
        a = stats.get((run, fa))
        fr = stats.get((run, ff))
        by_scen[(alloc, scen)] = run
        if a is None:
            continue
        rows.append((alloc, scen, a, fr))
        worst[alloc][scen] = (a["max"], fr["max"] if fr else 0)
        if not scen.startswith(("aligned:", "realloc:", "small:")):
            worst_plain[alloc][scen] = worst[alloc][scen]

    # The static bound of a function must hold every count measured, and be
    # exact on the calibration function: a check of both methods.
    if bounds.get("bench_calib") != 5:
        print("report.py: static bound of the calibration function is %r, not 5" % bounds.get("bench_calib"),
              file=sys.stderr)
        return 1
    if stack.get("bench_calib_stack") != 16:
        print("report.py: stack bound of the stack calibration function is %r, not 16" %
              stack.get("bench_calib_stack"), file=sys.stderr)
        return 1
    if any(fn not in probed for fn in ENTRY.get("rtm_heap", ("rtm_heap_alloc", "rtm_heap_free"))):
        print("report.py: the firmware did not probe the heap's stack use", file=sys.stderr)
        return 1
    for fn, used in probed.items():
        b = stack.get(fn)
        if not isinstance(b, int) or used > b:
            print("report.py: %s wrote %d bytes of stack, its static bound is %r" % (fn, used, b), file=sys.stderr)
            return 1
    measured = defaultdict(int)
    for (run, fn), st in stats.items():
        measured[fn] = max(measured[fn], int(st["max"]))
    for fn, m in measured.items():
        b = bounds.get(fn)
        if isinstance(b, int) and m > b:
            print("report.py: %s counted %d instructions, above its static bound %d" % (fn, m, b),
                  file=sys.stderr)
            return 1

    out = []
    out.append("# Benchmark results\n")
    out.append("Produced by `%s` (see docs/benchmarks.md for what is measured and how).\n" % command)
    out.append("## Instructions per call, Cortex-M4 (gcc -O2, exact, QEMU TCG plugin)\n")
    out.append("Calibration: a 5-instruction function (with an IT block) counted %d and %d on its two paths.\n"
               % (calib[0]["max"], calib[0]["mean"] * 2 - calib[0]["max"]))
    out.append("| allocator | trace | calls | malloc mean | p99 | max | free mean | p99 | max |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for alloc, scen, a, fr in rows:
        if fr is None:
            out.append("| %s | %s | %d | %.1f | %d | %d | - | - | - |" % (
                alloc, scen, a["calls"], a["mean"], a["p99"], a["max"]))
            continue
        out.append("| %s | %s | %d | %.1f | %d | %d | %.1f | %d | %d |" % (
            alloc, scen, a["calls"] + fr["calls"], a["mean"], a["p99"], a["max"],
            fr["mean"], fr["p99"], fr["max"]))
    out.append("")

    out.append("## Static bound per call, Cortex-M4 (longest path through the code, benches/c/wcet.py)\n")
    out.append("No call can execute more instructions than this, whatever its arguments and the "
               "allocator's state (misuse answers, aligned requests and other regions included); "
               "\"unbounded\" names the loop or indirect call that prevents a bound. Stack: the most "
               "bytes a call can use below its caller's stack pointer, callees included (a check "
               "function of 16 bytes gave %d), and in brackets the most the firmware saw a call "
               "write, where it probes the function.\n" % stack["bench_calib_stack"])
    out.append("| allocator | malloc bound | largest count of any call in the run | free bound | largest count "
               "| stack, malloc / free (bytes) |")
    out.append("|---|---:|---:|---:|---:|---:|")
    def stack_text(fn):
        return bound_text(stack.get(fn)) + (" (%d)" % probed[fn] if fn in probed else "")

    for alloc, (fa, ff) in ENTRY.items():
        if fa not in measured:
            continue
        out.append("| %s | %s | %d | %s | %s | %s / %s |" % (
            alloc, bound_text(bounds.get(fa)), measured[fa], bound_text(bounds.get(ff)),
            measured[ff] if ff in measured else "-", stack_text(fa), stack_text(ff)))
    out.append("")

    out.append("## x86-64 time per operation (median of %d rounds, same process as glibc)\n" % host["rounds"])
    out.append("| allocator | trace | ns/op | ratio to glibc | failures |")
    out.append("|---|---|---:|---:|---:|")
    for t in host["timing"]:
        out.append("| %s | %s | %.2f | %.3f | %d |" % (
            t["allocator"], t["scenario"], t["ns_per_op"], t["ratio_to_glibc"], t["failures"]))
    out.append("")

    out.append("## Memory (fill ratio = requested bytes live at the first failure / arena size)\n")
    out.append("| allocator | fill 64 KiB, 8..256 B (mean, min, max of %d seeds) | fill 1 MiB, 8..4096 B | "
               "fill 64 KiB after 20 000 random ops | bytes per block beyond a 100 B request | "
               "fixed overhead of a 64 KiB arena | code -Os Cortex-M4 |" % host["seeds"])
    out.append("|---|---|---|---|---:|---:|---:|")
    for a in host["allocators"]:
        f1, f2, f3 = a["fill_64k"], a["fill_1m"], a["fill_after_churn_64k"]
        out.append("| %s | %.4f (%.4f, %.4f) | %.4f (%.4f, %.4f) | %.4f (%.4f, %.4f) | %d | %d | %s |" % (
            a["allocator"], f1[0], f1[1], f1[2], f2[0], f2[1], f2[2], f3[0], f3[1], f3[2],
            a["overhead_per_block"], a["fixed_overhead_64k"], sizes.get(a["allocator"], "-")))
    out.append("")

    # Aligned trace: failed requests and instructions per call.
    aligned = [(alloc, run) for (alloc, scen), run in sorted(by_scen.items(), key=lambda x: x[1])
               if scen.startswith("aligned:")]
    aligned_fail = {}
    if aligned:
        out.append("## Aligned requests (random 8..256 B, 64 KiB, alignment 8, 16, ..., 256 B cycled)\n")
        out.append("| allocator | requests | failed | share failed | malloc mean | p99 | max |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for alloc, run in aligned:
            r = results.get(run, {})
            req = r.get("allocs", 0) + r.get("failures", 0)
            share = r.get("failures", 0) / req if req else 0.0
            aligned_fail[alloc] = (r.get("failures", 0), share)
            st = stats.get((run, ENTRY[alloc][0]))
            out.append("| %s | %d | %d | %.3f %% | %s |" % (
                alloc, req, r.get("failures", 0), 100.0 * share,
                "%.1f | %d | %d" % (st["mean"], st["p99"], st["max"]) if st else "- | - | -"))
        out.append("")

    # Reallocation trace: the calls that stayed in place, and the others.
    reallocs = [(alloc, run) for (alloc, scen), run in sorted(by_scen.items(), key=lambda x: x[1])
                if scen.startswith("realloc:")]
    realloc_fig = {}
    if reallocs:
        out.append("## Reallocation (random 8..256 B, 64 KiB, half the operations resize a live block by "
                   "-64..+64 B)\n")
        out.append("Calls that moved their block (or failed) are counted apart; the copy of a moved block "
                   "runs in the firmware's memcpy, outside the counted code.\n")
        out.append("| allocator | reallocations | in place | in place: mean | p99 | max | moved or failed: mean "
                   "| max | static bound |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for alloc, run in reallocs:
            fn = REALLOC.get(alloc, "-")
            r = results.get(run, {})
            st = stats.get((run, fn))
            mv = stats.get((run, fn + "@moved"))
            realloc_fig[alloc] = st
            out.append("| %s | %d | %d | %s | %s | %s |" % (
                alloc, r.get("reallocs", 0), st["calls"] if st else 0,
                "%.1f | %d | %d" % (st["mean"], st["p99"], st["max"]) if st else "- | - | -",
                "%.1f | %d" % (mv["mean"], mv["max"]) if mv else "- | -", bound_text(bounds.get(fn))))
        out.append("")

    if linked:
        out.append("## Linked code: a firmware calling rtm_heap_init, rtm_heap_alloc and rtm_heap_free\n")
        out.append("Cortex-M4, `-ffunction-sections -fdata-sections`, linked with `--gc-sections` "
                   "(benches/c/link_fw.c); bytes of the input sections the linker kept, by origin.\n")
        out.append("| build | rtmem's objects (text + rodata + data) | their bss | libgcc |")
        out.append("|---|---:|---:|---:|")
        for (alloc, flags), v in sorted(linked.items()):
            out.append("| %s %s | %d | %d | %d |" % (alloc, flags, v["own"], v.get("bss", 0), v.get("libgcc", 0)))
        out.append("")

    def row(figure, measured, target, ok):
        out.append("| %s | %s | %s | %s |" % (figure, measured, target, "-" if ok is None else mark(ok)))

    def timing(alloc, scen):
        return next((t for t in host["timing"] if t["allocator"] == alloc and t["scenario"] == scen), None)

    hosts = {a["allocator"]: a for a in host["allocators"]}

    # The heap's targets, each figure next to its target.
    heap = hosts.get("rtm_heap")
    hrun = by_scen.get(("rtm_heap", MAIN_TRACE))
    if heap is not None and hrun is not None and (hrun, "rtm_heap_alloc") in stats:
        T = TARGETS
        ha, hf = stats[(hrun, "rtm_heap_alloc")], stats.get((hrun, "rtm_heap_free"))
        out.append("## rtm_heap against its targets\n")
        out.append("| figure | measured | target | |")
        out.append("|---|---|---|---|")
        row("Cortex-M4 malloc, worst / mean (8..256 B, 64 KiB)", "%d / %.1f" % (ha["max"], ha["mean"]),
            "<= %d / <= %d" % (T["malloc"], T["malloc_mean"]),
            ha["max"] <= T["malloc"] and ha["mean"] <= T["malloc_mean"])
        if hf is not None:
            row("Cortex-M4 free, worst / mean", "%d / %.1f" % (hf["max"], hf["mean"]),
                "<= %d / <= %d" % (T["free"], T["free_mean"]),
                hf["max"] <= T["free"] and hf["mean"] <= T["free_mean"])
        w = worst_plain.get("rtm_heap", {})
        row("worst case per trace (malloc / free)", "; ".join("%s: %d / %d" % (k, v[0], v[1]) for k, v in w.items()),
            "no growth", None)
        ba, bf = bounds.get("rtm_heap_alloc"), bounds.get("rtm_heap_free")
        row("static bound of any call, malloc / free (wcet.py)", "%s / %s" % (bound_text(ba), bound_text(bf)),
            "<= %d / <= %d" % (T["bound_malloc"], T["bound_free"]),
            isinstance(ba, int) and isinstance(bf, int) and ba <= T["bound_malloc"] and bf <= T["bound_free"])
        if "rtm_heap" in aligned_fail:
            n, share = aligned_fail["rtm_heap"]
            row("aligned trace: requests failing", "%d (%.3f %%)" % (n, 100.0 * share),
                "<= %.1f %%" % (100.0 * T["aligned_fail"]), share <= T["aligned_fail"])
        st = realloc_fig.get("rtm_heap")
        if "rtm_heap" in realloc_fig:
            row("realloc in place, mean (worst)", "%.1f (%d)" % (st["mean"], st["max"]) if st else "no call in place",
                "<= %d" % T["realloc_mean"], st is not None and st["mean"] <= T["realloc_mean"])
        lo = linked.get(("rtm_heap", "-Os"))
        if lo is not None:
            o2 = linked.get(("rtm_heap", "-O2"))
            row("linked code for init + alloc + free, -Os (own bytes, --gc-sections)",
                "%d B%s" % (lo["own"], " (-O2: %d B)" % o2["own"] if o2 else ""), "<= %d B" % T["linked"],
                lo["own"] <= T["linked"])
        if isinstance(sizes.get("rtm_heap"), int):
            row("whole heap object, -Os, text + data", "%d B" % sizes["rtm_heap"], "<= %d B" % T["code"],
                sizes["rtm_heap"] <= T["code"])
        t = timing("rtm_heap", MAIN_TRACE)
        if t is not None:
            row("x86-64 time, ratio to glibc (8..256 B, 64 KiB, same run)", "%.3f" % t["ratio_to_glibc"],
                "<= %.1f" % T["ratio"], t["ratio_to_glibc"] <= T["ratio"])
        row("fill share, 64 KiB 8..256 B / 1 MiB 8..4096 B (means)",
            "%.4f / %.4f" % (heap["fill_64k"][0], heap["fill_1m"][0]),
            ">= %.4f / >= %.4f" % (T["fill_64k"], T["fill_1m"]),
            heap["fill_64k"][0] >= T["fill_64k"] and heap["fill_1m"][0] >= T["fill_1m"])
        row("overhead per allocated block", "%d B" % heap["overhead_per_block"], "<= %d B" % T["overhead"],
            heap["overhead_per_block"] <= T["overhead"])
        if "min_align" in heap:
            row("alignment of every block (x86-64 run)", "%d B" % heap["min_align"], ">= %d B" % T["align"],
                heap["min_align"] >= T["align"])
        row("control: bytes a fresh 64 KiB heap keeps", "%d B" % heap["fixed_overhead_64k"], "<= %d B" % T["control"],
            heap["fixed_overhead_64k"] <= T["control"])
        out.append("")

    # The other allocators' targets.
    O = TARGETS_OTHER
    other = []
    frun = by_scen.get(("rtm_freelist", MAIN_TRACE))
    if frun is not None and (frun, "rtm_freelist_alloc") in stats:
        fa, ff = stats[(frun, "rtm_freelist_alloc")], stats.get((frun, "rtm_freelist_free"))
        other.append(("rtm_freelist: malloc mean / worst (8..256 B, 64 KiB)", "%.1f / %d" % (fa["mean"], fa["max"]),
                      "<= %d / <= %d" % O["fl_malloc"], fa["mean"] <= O["fl_malloc"][0] and fa["max"] <= O["fl_malloc"][1]))
        if ff is not None:
            other.append(("rtm_freelist: free mean / worst", "%.1f / %d" % (ff["mean"], ff["max"]),
                          "<= %d / <= %d" % O["fl_free"], ff["mean"] <= O["fl_free"][0] and ff["max"] <= O["fl_free"][1]))
    if isinstance(sizes.get("rtm_freelist"), int):
        other.append(("rtm_freelist: code, -Os, text + data", "%d B" % sizes["rtm_freelist"], "<= %d B" % O["fl_code"],
                      sizes["rtm_freelist"] <= O["fl_code"]))
    fl = hosts.get("rtm_freelist")
    if fl is not None:
        other.append(("rtm_freelist: fill 64 KiB 8..256 B / 1 MiB 8..4096 B", "%.4f / %.4f" % (fl["fill_64k"][0], fl["fill_1m"][0]),
                      ">= %.3f / >= %.4f" % O["fl_fill"], fl["fill_64k"][0] >= O["fl_fill"][0] and fl["fill_1m"][0] >= O["fl_fill"][1]))
    for scen, (pa, pf) in worst.get("rtm_pool", {}).items():
        pb = [bounds.get(f) for f in ENTRY.get("rtm_pool", ("-", "-"))]
        other.append(("rtm_pool: alloc / free, worst (%s); static bound" % scen,
                      "%d / %d; %s / %s" % (pa, pf, bound_text(pb[0]), bound_text(pb[1])), "<= %d each" % O["pool"],
                      pa <= O["pool"] and pf <= O["pool"]))
    mp = hosts.get("rtm_mpool")
    if mp is not None:
        other.append(("rtm_mpool: fill 64 KiB 8..256 B / 1 MiB 8..4096 B", "%.4f / %.4f" % (mp["fill_64k"][0], mp["fill_1m"][0]),
                      ">= %.2f / >= %.2f" % O["mp_fill"], mp["fill_64k"][0] >= O["mp_fill"][0] and mp["fill_1m"][0] >= O["mp_fill"][1]))
        other.append(("rtm_mpool: fixed overhead of a 64 KiB arena", "%d B" % mp["fixed_overhead_64k"], "<= %d B" % O["mp_fixed"],
                      mp["fixed_overhead_64k"] <= O["mp_fixed"]))
        for scen in (MAIN_TRACE, "random 8..4096 B, 1 MiB"):
            tm, th = timing("rtm_mpool", scen), timing("rtm_heap", scen)
            if tm is not None and th is not None:
                other.append(("rtm_mpool: x86-64 ns per op, %s" % scen, "%.2f (the heap alone: %.2f)" % (tm["ns_per_op"], th["ns_per_op"]),
                              "<= the heap's", tm["ns_per_op"] <= th["ns_per_op"]))
    srun = by_scen.get(("rtm_mpool", SMALL_TRACE))
    if srun is not None and (srun, "rtm_mpool_alloc") in stats:
        sa, sf = stats[(srun, "rtm_mpool_alloc")], stats.get((srun, "rtm_mpool_free"))
        worst_hit = max(sa["max"], sf["max"] if sf else 0)
        other.append(("rtm_mpool: pool hits, worst call (trace \"%s\": every request fits a class), alloc / free" % SMALL_TRACE,
                      "%d / %s" % (sa["max"], "%d" % sf["max"] if sf else "-"), "<= %d" % O["mp_hit"], worst_hit <= O["mp_hit"]))
    if "rtm_mpool_alloc" in bounds:
        other.append(("rtm_mpool: static bound, alloc / free (wcet.py, the benchmark's configuration)",
                      "%s / %s" % (bound_text(bounds.get("rtm_mpool_alloc")), bound_text(bounds.get("rtm_mpool_free"))),
                      "reported", None))
    if other:
        out.append("## The other allocators against their targets\n")
        out.append("| figure | measured | target | |")
        out.append("|---|---|---|---|")
        for fig in other:
            row(*fig)
        out.append("")

    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write("\n".join(out) + "\n")

    # CDF of instructions per call, one line per allocator and function, for
    # the main trace.
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: matplotlib missing, no plot", file=sys.stderr)
        return 0
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    colours = {}
    styles = {}
    for ax, which in zip(axes, (0, 1)):
        for run, (alloc, scen) in sorted(runs.items()):
            if alloc not in ENTRY or scen in ("setup", "teardown", "end") or \
                    scen.startswith(("aligned:", "realloc:", "small:")):
                continue
            fn = ENTRY[alloc][which]
            h = sorted(hist.get((run, fn), []))
            total = sum(c for _, c in h)
            if total == 0:
                continue
            # Start at (least count, 0) so that an allocator whose calls all
            # cost the same still draws its vertical step.
            xs, ys, acc = [h[0][0]], [0.0], 0
            for n, c in h:
                acc += c
                xs.append(n)
                ys.append(acc / total)
            colour = colours.setdefault(alloc, "C%d" % len(colours))
            style = styles.setdefault(scen.split(",")[0].split(":")[0] + scen.split(",")[-1],
                                      ("-", "--", ":", "-.")[len(styles) % 4])
            ax.step(xs, ys, where="post", color=colour, linestyle=style, label="%s, %s" % (alloc, scen))
        ax.set_title(("malloc", "free")[which] + ": instructions per call (Cortex-M4, -O2)")
        ax.set_xscale("log")
        ax.set_xlabel("instructions (log scale)")
        ax.set_ylabel("share of calls <= x")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=6, loc="lower right", framealpha=0.9)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "instructions_cdf.png"), dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
