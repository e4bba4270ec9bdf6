#!/usr/bin/python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Render an rtmem heap as a PNG: its blocks along the address axis, and the
free-size histogram.

    heapviz.py --blocks BLOCKS.txt [--names 1=sensor,2=logger] [-o heap.png]
    heapviz.py --dump RAM.bin@0x20000000 --heap 0x20010d00 [-o heap.png]

--blocks reads a transcript of the GDB command `rtm blocks HEAP [LEAK]`
(tools/gdb/rtmem.py): with LEAK the used blocks are coloured by owner tag.
--dump decodes the O(1) heap at --heap straight from a RAM dump with the
same decoder as the GDB commands (tools/gdb/rtmem_decode.py); no owners then.
The address axis is folded into rows (each row the same share of the heap),
so that small blocks stay visible next to a large free one.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gdb"))
import rtmem_decode as rd  # noqa: E402

HEADER = 4  # bytes before each payload that belong to its block (drawn with it)


def from_transcript(path):
    """[(addr, size, used, owner or None)] and the heap's address, from `rtm blocks` output."""
    text = open(path).read()
    m = re.search(r"^blocks of heap (0x[0-9a-f]+)", text, re.M)
    blocks = []
    for addr, size, state, owner in re.findall(r"^  (0x[0-9a-f]+) +(\d+)  (used|free)(?:  +(\S+))?", text, re.M):
        tag = int(owner) if owner and owner.isdigit() else None
        blocks.append((int(addr, 16), int(size), state == "used", tag))
    if not blocks:
        sys.exit("heapviz: no `rtm blocks` lines in " + path)
    return blocks, (m.group(1) if m else "?")


def from_dump(spec, heap):
    path, _, base = spec.rpartition("@")
    data, base = open(path, "rb").read(), int(base, 0)

    def read32(a):
        if not base <= a <= base + len(data) - 4:
            raise rd.DecodeError("0x%08x is outside the dump" % a)
        return int.from_bytes(data[a - base:a - base + 4], "little")

    walk = rd.decode_heap(read32, heap)
    return [(a, s, u, None) for a, s, u in walk["blocks"]], "0x%08x" % heap


def render(blocks, title, out, names, rows=16):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    start = blocks[0][0] - HEADER
    end = blocks[-1][0] + blocks[-1][1]
    per_row = (-(-(end - start) // rows) + 63) & ~63
    owners = sorted({o for _, _, u, o in blocks if u and o is not None})
    palette = plt.get_cmap("tab10")
    colour = {o: palette(i % 10) for i, o in enumerate(owners)}
    free_c, used_c = "#d9d9d9", "#3b5b92"

    fig, (ax, hx) = plt.subplots(2, 1, figsize=(11, 7.5), gridspec_kw={"height_ratios": [3, 1.3]})
    for addr, size, used, owner in blocks:
        a, b = addr - HEADER, addr + size
        c = (colour.get(owner, used_c) if used else free_c)
        while a < b:  # one rectangle per row the block crosses
            row = (a - start) // per_row
            row_end = min(b, start + (row + 1) * per_row)
            x = (a - start) - row * per_row
            ax.add_patch(Rectangle((x, row), row_end - a, 0.85, facecolor=c, edgecolor="white", linewidth=0.4))
            a = row_end
    ax.set_xlim(0, per_row)
    ax.set_ylim(rows, -0.15)
    ax.set_yticks([r + 0.42 for r in range(rows)])
    ax.set_yticklabels(["0x%08x" % (start + r * per_row) for r in range(rows)], fontsize=7, family="monospace")
    ax.set_xlabel("offset in the row (bytes; %d bytes per row)" % per_row)
    used_bytes = sum(s for _, s, u, _ in blocks if u)
    free = [s for _, s, u, _ in blocks if not u]
    frag = 1000 - max(free) * 1000 // sum(free) if free else 0
    ax.set_title("%s: %d used blocks (%d bytes), %d free (%d bytes), fragmentation %d permille" %
                 (title, sum(1 for b in blocks if b[2]), used_bytes, len(free), sum(free), frag), fontsize=10)
    legend = [Patch(facecolor=free_c, label="free")]
    if any(u and o is None for _, _, u, o in blocks):
        legend.append(Patch(facecolor=used_c, label="used" if not owners else "used, no owner"))
    legend += [Patch(facecolor=colour[o], label=names.get(o, "owner %d" % o)) for o in owners]
    ax.legend(handles=legend, loc="lower right", fontsize=8, ncol=len(legend))

    # free-size histogram over power-of-two bins (the O(1) heap's classes)
    bins = {}
    for s in free:
        k = max(s, 1).bit_length() - 1
        bins.setdefault(k, []).append(s)
    keys = list(range(min(bins), max(bins) + 1)) if bins else []
    hx.bar(range(len(keys)), [len(bins.get(k, [])) for k in keys], color="#7a9cc6")
    for i, k in enumerate(keys):
        if k in bins:
            hx.annotate("%d B" % sum(bins[k]), (i, len(bins[k])), ha="center", va="bottom", fontsize=7)
    hx.set_xticks(range(len(keys)))
    hx.set_xticklabels(["%d..%d" % (1 << k, (2 << k) - 1) for k in keys], fontsize=7, rotation=20)
    hx.set_ylabel("free blocks")
    hx.set_xlabel("free block size (usable bytes); label: bytes in the bin")
    hx.set_ylim(0, max([len(v) for v in bins.values()] + [1]) * 1.3)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print("heapviz: wrote %s (%d blocks, %d owners)" % (out, len(blocks), len(owners)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--blocks", help="transcript of `rtm blocks HEAP [LEAK]`")
    src.add_argument("--dump", help="RAM dump FILE@ADDR")
    p.add_argument("--heap", help="address of the rtm_heap_t (with --dump)")
    p.add_argument("--names", default="", help="owner names: TAG=NAME,TAG=NAME...")
    p.add_argument("-o", "--output", default="heap.png")
    a = p.parse_args()
    if a.dump:
        if not a.heap:
            p.error("--dump needs --heap")
        blocks, heap = from_dump(a.dump, int(a.heap, 0))
    else:
        blocks, heap = from_transcript(a.blocks)
    names = {int(k): v for k, _, v in (n.partition("=") for n in a.names.split(",") if n)}
    render(blocks, "heap " + heap, a.output, names)


if __name__ == "__main__":
    main()
