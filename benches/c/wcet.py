#!/usr/bin/python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Static worst-case instruction counts of Thumb-2 functions.

usage: wcet.py ELF SYMS OUT.json [LOOPFUNC=N ...] [--indirect=FUNC:TARGET,...]
                [--path=FUNC ...] [--stack=STACK.json]

Reads `arm-none-eabi-objdump -d` of ELF, builds the control-flow graph of
each function named in SYMS (lines "address name", as count_fw.sh writes
them), following direct calls and tail calls into the functions they reach,
and writes the number of instructions on its longest path, entry to return:
a bound of every execution, whatever the input and the allocator's state,
not a sample. An `it` instruction and each instruction of its block count
once, as icount.c counts them. A function with a cycle needs a bound:
`walk=3` lets every instruction of the function `walk` (a name unique in
ELF) run at most 3 times per call. Without one, or past a call through a
register, the result is "unbounded: <why>", unless --indirect names every
function that a jump or call through a register in FUNC can reach (FUNC and
TARGETs: names unique in ELF); the worst of them counts. Output: {function:
bound or reason}; --path=FUNC also prints FUNC's longest path, as runs of
instructions.

--stack=STACK.json also writes the most stack bytes each call can use below
the caller's stack pointer, its callees' frames included: SP is followed
through every push, pop and fixed adjustment of each function (it must agree
on every path into an instruction, as compiled code does); loops need no
bound here, while recursion, a call through a register and any other write
to SP give "unbounded: <why>".
"""
import json
import re
import subprocess
import sys
from collections import defaultdict

LINE = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)(?:\s+(.*))?$")
HEAD = re.compile(r"^([0-9a-f]+) <([^>]+)>:$")
TARGET = re.compile(r"^([0-9a-f]+) <([^>+]+)(\+0x[0-9a-f]+)?>")
CONDS = "eq|ne|cs|cc|hs|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le"
COND_BRANCH = re.compile(r"^b(%s)(\.[nw])?$" % CONDS)


class Unbounded(Exception):
    pass


def disassemble(elf):
    text = subprocess.run(["arm-none-eabi-objdump", "-d", "--no-show-raw-insn", elf],
                          check=True, capture_output=True, text=True).stdout
    # Functions are keyed by address: static functions of different files
    # may share a name.
    funcs, entry, cur = {}, {}, None
    for line in text.splitlines():
        m = HEAD.match(line)
        if m:
            cur = int(m.group(1), 16)
            funcs[cur] = []
            entry[cur] = m.group(2)
            continue
        m = LINE.match(line)
        if m and cur is not None:
            funcs[cur].append((int(m.group(1), 16), m.group(2), m.group(3) or ""))
    return funcs, entry


def returns(mn, ops):
    if mn in ("bx", "bx.n") and ops.startswith("lr"):
        return True
    if mn.startswith(("pop", "ldmia")) and "pc}" in ops:
        return True
    return mn.startswith("ldr") and ops.startswith("pc,")


def graph(fn, funcs, entry, indirect):
    """node -> (kind, successors, callee addresses) for every instruction of fn;
    indirect: function address -> what its jumps and calls through a register reach."""
    name = entry[fn]
    insns = funcs[fn]
    nodes = {}
    it_left = 0
    for i, (addr, mn, ops) in enumerate(insns):
        nxt = [insns[i + 1][0]] if i + 1 < len(insns) else []
        in_it = it_left > 0
        it_left = max(it_left - 1, 0)
        if mn.startswith("it") and re.fullmatch(r"it[te]{0,3}", mn):
            it_left = len(mn) - 1
            nodes[addr] = ("op", nxt, None)
            continue
        t = TARGET.match(ops)
        if returns(mn, ops):
            nodes[addr] = ("ret", nxt if in_it else [], None)
        elif re.fullmatch(r"b(\.[nw])?", mn) or COND_BRANCH.match(mn) or mn in ("cbz", "cbnz"):
            t = TARGET.match(ops.split(",")[-1].strip() if mn in ("cbz", "cbnz") else ops)
            if not t:
                nodes[addr] = ("bad", [], "%s: branch target not understood at %x (%s %s)" % (name, addr, mn, ops))
                continue
            tgt = int(t.group(1), 16)
            conditional = not re.fullmatch(r"b(\.[nw])?", mn) or in_it
            if tgt in entry and tgt != fn:
                # Tail call: the callee's path ends the call.
                nodes[addr] = ("tail", nxt if conditional else [], (tgt,))
            else:
                nodes[addr] = ("op", [tgt] + (nxt if conditional else []), None)
        elif mn in ("bl", "blx") and t:
            nodes[addr] = ("call", nxt, (int(t.group(1), 16),))
        elif mn.startswith(("blx", "bx")) and fn in indirect:
            if mn.startswith("blx"):
                nodes[addr] = ("call", nxt, indirect[fn])
            else:
                nodes[addr] = ("tail", nxt if in_it else [], indirect[fn])
        elif mn.startswith(("blx", "bx", "tbb", "tbh")) or (ops.startswith("pc,") and not mn.startswith("cmp")):
            # Reported only if a path reaches it (literal pools decode as anything).
            nodes[addr] = ("bad", [], "%s: indirect jump or call at %x (%s %s)" % (name, addr, mn, ops))
        else:
            nodes[addr] = ("op", nxt, None)
    return nodes


def enter(fn, funcs, entry, indirect, stack):
    """fn's name and graph, once recursion (fn already on the call stack) and
    missing code are ruled out."""
    name = entry.get(fn, hex(fn))
    if fn in stack:
        raise Unbounded("recursion through %s" % name)
    if fn not in funcs:
        raise Unbounded("no code for %s" % name)
    return name, graph(fn, funcs, entry, indirect)


def bound(fn, funcs, entry, limits, indirect, memo, stack=()):
    """(instructions, path) of the longest path of the function at address fn,
    callees included; the path lists the addresses executed."""
    if fn in memo:
        return memo[fn]
    name, nodes = enter(fn, funcs, entry, indirect, stack)
    start = funcs[fn][0][0]
    limit = limits.get(name, 1)

    def callee(targets):
        """The costliest of the functions a call can reach: (cost, path)."""
        return max((bound(c, funcs, entry, limits, indirect, memo, stack + (fn,)) for c in targets),
                   key=lambda o: o[0])

    def own(addr):
        """(the instruction with its call, a tail call or None), each (cost, path)."""
        kind, _, arg = nodes[addr]
        if kind == "bad":
            raise Unbounded(arg)
        if kind == "call":
            c, p = callee(arg)
            return (1 + c, (addr,) + p), None
        return (1, (addr,)), (callee(arg) if kind == "tail" else None)

    def join(here, options):
        best = max(options, key=lambda o: o[0], default=(0, ()))
        return here[0] + best[0], here[1] + best[1]

    if limit == 1:
        # Acyclic: memoized longest path; a cycle is an error.
        best, onpath = {}, set()

        def longest(addr):
            if addr in best:
                return best[addr]
            if addr in onpath:
                raise Unbounded("%s: loop at %x needs a bound" % (name, addr))
            onpath.add(addr)
            here, tail = own(addr)
            options = [longest(s) for s in nodes[addr][1]] + ([tail] if tail else [])
            onpath.discard(addr)
            best[addr] = join(here, options)
            return best[addr]

        sys.setrecursionlimit(10000)
        result = longest(start)
    else:
        # A bounded loop: every instruction at most `limit` times per path.
        visits = defaultdict(int)

        def walk(addr):
            if visits[addr] >= limit:
                return None  # cut: the loop cannot run more often
            visits[addr] += 1
            here, tail = own(addr)
            options = [o for o in (walk(s) for s in nodes[addr][1]) if o is not None]
            options += [tail] if tail else []
            visits[addr] -= 1
            if not options and nodes[addr][0] != "ret":
                return None  # a dead end that is not a return
            return join(here, options)

        result = walk(start)
        if result is None:
            raise Unbounded("%s: no path to a return within the bound" % name)
    memo[fn] = result
    return result


REGS = re.compile(r"\{([^}]*)\}")
SP_IMM = re.compile(r"^(?:sp, )?sp, #(\d+)$")


def reg_bytes(ops):
    """Bytes moved by a register list, e.g. '{r4, r5, lr}' or '{d8-d15}'."""
    m = REGS.search(ops)
    if not m:
        return None
    n = 0
    for item in m.group(1).split(","):
        lo, _, hi = item.strip().partition("-")
        n += int(hi[1:]) - int(lo[1:]) + 1 if hi else 1
    return n * (8 if "d" in m.group(1) else 4)


def sp_delta(mn, ops):
    """Change of SP by one instruction (negative: the stack grows), or None
    when it leaves SP alone; raises for a change it cannot size."""
    ops = ops.split("@")[0].strip()  # objdump's comment, e.g. '@ 0x24'
    base = mn.split(".")[0]
    if base in ("push", "vpush") or (base == "stmdb" and ops.startswith("sp!")):
        return -reg_bytes(ops)
    if base in ("pop", "vpop") or (base in ("ldmia", "ldm") and ops.startswith("sp!")):
        return reg_bytes(ops)
    m = re.match(r"^\w+, \[sp, #(-?\d+)\]!$", ops)  # str rX, [sp, #-8]!
    if m and base.startswith("str"):
        return int(m.group(1))
    m = re.match(r"^\w+, \[sp\], #(-?\d+)$", ops)  # ldr rX, [sp], #8
    if m and base.startswith("ldr"):
        return int(m.group(1))
    if ops.startswith("sp,") or ops.startswith("sp!"):
        m = SP_IMM.match(ops)
        if m and base in ("sub", "subw", "add", "addw"):
            n = int(m.group(1))
            return -n if base.startswith("sub") else n
        if base.startswith(("cmp", "str", "ldr", "tst")):
            return None
        raise Unbounded("SP set by '%s %s'" % (mn, ops))
    return None


def stack_bound(fn, funcs, entry, indirect, memo, stack=()):
    """Most bytes below the entry SP that a call of fn can use, callees included."""
    if fn in memo:
        return memo[fn]
    name, nodes = enter(fn, funcs, entry, indirect, stack)
    insn = {a: (mn, ops) for a, mn, ops in funcs[fn]}
    depth = {funcs[fn][0][0]: 0}
    todo, deepest = [funcs[fn][0][0]], 0
    while todo:
        addr = todo.pop()
        kind, succ, arg = nodes[addr]
        if kind == "bad":
            raise Unbounded(arg)
        d = depth[addr]
        try:
            delta = sp_delta(*insn[addr]) or 0
        except Unbounded as e:
            raise Unbounded("%s: %s at %x" % (name, e, addr))
        after = d - delta
        deepest = max(deepest, d, after)
        if kind in ("call", "tail"):
            deepest = max([deepest] + [after + stack_bound(c, funcs, entry, indirect, memo, stack + (fn,))
                                       for c in arg])
        for s in succ:
            if s not in depth:
                depth[s] = after
                todo.append(s)
            elif depth[s] != after:
                raise Unbounded("%s: SP differs between paths into %x" % (name, s))
    memo[fn] = deepest
    return deepest


def describe(path, entry, funcs):
    """The path as runs of consecutive instructions: 'function+0xfrom..0xto (n)'."""
    owner = {a: f for f, insns in funcs.items() for a, _, _ in insns}
    order = {a: i for insns in funcs.values() for i, (a, _, _) in enumerate(insns)}
    runs = []
    for a in path:
        f = owner[a]
        if runs and runs[-1][0] == f and order[a] == order[runs[-1][2]] + 1:
            runs[-1][2] = a
            runs[-1][3] += 1
        else:
            runs.append([f, a, a, 1])
    return ["%s+0x%x..0x%x (%d)" % (entry[f], s - f, e - f, n) for f, s, e, n in runs]


def main():
    elf, syms, out = sys.argv[1:4]
    funcs, entry = disassemble(elf)
    by_name = defaultdict(list)
    for a, n in entry.items():
        by_name[n].append(a)
    def unique(f, what):
        if len(by_name.get(f, [])) != 1:
            sys.exit("wcet: %s names %s, which is not exactly one function of %s" % (what, f, elf))
        return by_name[f][0]

    limits, indirect, show, stack_out = {}, {}, set(), None
    for item in sys.argv[4:]:
        if item.startswith("--path="):
            show.add(item[len("--path="):])
            continue
        if item.startswith("--stack="):
            stack_out = item[len("--stack="):]
            continue
        if item.startswith("--indirect="):
            f, _, targets = item[len("--indirect="):].partition(":")
            indirect[unique(f, "--indirect")] = tuple(unique(t, "--indirect") for t in targets.split(","))
            continue
        f, _, n = item.partition("=")
        unique(f, "a loop bound")
        limits[f] = int(n)
    results, stacks, stack_memo = {}, {}, {}
    with open(syms) as f:
        for line in f:
            addr, name = line.split()
            try:
                cost, path = bound(int(addr, 16), funcs, entry, limits, indirect, {})
                results[name] = cost
                if name in show:
                    print("%s: %d\n  %s" % (name, cost, "\n  ".join(describe(path, entry, funcs))))
            except Unbounded as e:
                results[name] = "unbounded: %s" % e
            try:
                stacks[name] = stack_bound(int(addr, 16), funcs, entry, indirect, stack_memo)
            except Unbounded as e:
                stacks[name] = "unbounded: %s" % e
    with open(out, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    if stack_out:
        with open(stack_out, "w") as f:
            json.dump(stacks, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
