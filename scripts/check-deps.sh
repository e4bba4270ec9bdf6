#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Every tool a `make test` step runs is installed by that step: for each step,
# the commands it would run (`make -n -B STEP`, plus the text of the project
# scripts those commands call) are split into words; each word that names a
# program Debian ships in /usr/bin, /bin, /usr/sbin or /sbin is traced to its
# package, which must be Essential or "required" (present on a minbase system),
# or one of the packages the step's own `scripts/ensure-deps.sh GROUP...` calls
# install, or a dependency of one of them. Tools that call other tools are
# listed in IMPLIED (bindgen formats its output with rustfmt).
# Usage: scripts/check-deps.sh [STEP...]   (default: every step of make test)
set -u
cd "$(dirname "$0")/.." || exit 2

IMPLIED="bindgen:rustfmt"
# Shell builtins (dash), and git: every tree make test runs in is a git clone.
PRESENT="kill wait trap read exec cd export set unset exit return shift test git"
MAKE=${MAKE:-make}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

steps=$*
if [ -z "$steps" ]; then
    steps=$(printf 'print-steps:\n\t@echo $(TEST_STEPS)\n' | $MAKE -s --no-print-directory -f Makefile -f - print-steps)
fi

# Packages of the groups (listed in ensure-deps.sh) and everything they depend on.
closure() {
    list=""
    for g in "$@"; do
        list="$list $(sed -n "s/^pkgs_$g=\"\(.*\)\"/\1/p" scripts/ensure-deps.sh)"
    done
    # shellcheck disable=SC2086
    apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances $list 2>/dev/null | sed -n 's/^\([a-z0-9][^ <>:]*\).*/\1/p; s/^ *\(Pre\)\{0,1\}Depends: \([a-z0-9][^ <>:]*\).*/\2/p'
    printf '%s\n' $list
}

# The package that ships program $1, or nothing (cached in $tmp/owners).
owner() {
    c=$(grep -m1 "^$1 " "$tmp/owners" 2>/dev/null) && { echo "${c#* }"; return; }
    o=$(owner_of "$1")
    echo "$1 $o" >>"$tmp/owners"
    echo "$o"
}
owner_of() {
    for d in /usr/bin /bin /usr/sbin /sbin; do
        if [ -e "$d/$1" ]; then
            p=$(dpkg -S "$d/$1" 2>/dev/null | sed -n '1s/^\([^:,]*\).*/\1/p')
            if [ -n "$p" ]; then
                echo "$p"
                return
            fi
        fi
    done
}

fail=0
for step in $steps; do
    $MAKE -n -B --no-print-directory "$step" >"$tmp/cmds" 2>/dev/null
    groups=$(sed -n 's|.*scripts/ensure-deps.sh \([a-z0-9 ]*\).*|\1|p' "$tmp/cmds" | tr ' ' '\n' | sort -u | tr '\n' ' ')
    # The project shell scripts the commands call run tools too: the words in
    # command position of their lines (after ; | & $( then do else, or first).
    for f in $(tr -s ' \t;|&()<>"'"'"'=' '\n' <"$tmp/cmds" | grep -E '^[A-Za-z0-9_./-]+\.sh$' | sort -u); do
        case "$f" in */ensure-deps.sh | */check-deps.sh) continue ;; esac
        [ -f "$f" ] || continue
        sed 's/^[[:space:]]*#.*//' "$f" | tr ';|&' '\n\n\n' |
            sed 's/\$(/\n/g; s/\(then\|do\|else\|timeout\( -k [0-9]*\)\{0,1\} [0-9]*\) /\n/g' |
            awk '$1 !~ /=/ {print $1}' >>"$tmp/cmds" # an assignment runs nothing
    done
    # shellcheck disable=SC2086
    closure $groups | sort -u >"$tmp/allowed"
    # The text an echo prints is no command: drop it first.
    words=$(sed 's/\(echo\|printf\) [^;|&]*//g' "$tmp/cmds" | tr -s ' \t;|&()<>"'"'"'=`$' '\n' | sed 's|^/usr/bin/||; s|^/bin/||' |
        grep -E '^[A-Za-z][A-Za-z0-9_.+-]*$' | sort -u)
    for i in $IMPLIED; do
        if printf '%s\n' "$words" | grep -qx "${i%%:*}"; then
            words="$words ${i#*:}"
        fi
    done
    for w in $words; do
        [ "$w" = make ] && continue # what runs the steps: there before any of them
        case " $PRESENT " in *" $w "*) continue ;; esac
        p=$(owner "$w")
        [ -n "$p" ] || continue
        if grep -qx "$p" "$tmp/allowed"; then
            continue
        fi
        prio=$(dpkg-query -W -f='${Priority} ${Essential}' "$p" 2>/dev/null)
        case "$prio" in
        required* | *yes) continue ;;
        esac
        echo "check-deps: step '$step' runs '$w' (package $p), which its groups ($groups) do not install"
        fail=1
    done
done
[ "$fail" -eq 0 ] && echo "check-deps: every tool of the steps ($steps) is installed by the step's groups"
exit "$fail"
