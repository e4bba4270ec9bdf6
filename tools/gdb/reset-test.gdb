# SPDX-License-Identifier: MIT OR Apache-2.0
# `make gdb-test` on the reset test image: the live fault registers and the
# stacked frame in boot 1's fault hook, then the record boot 2 finds.
set pagination off
set confirm off
set width 0
break on_fault
break second_boot
continue
echo === boot 1: fault hook ===\n
rtm fault
continue
echo === boot 2 ===\n
rtm fault &fault_slot
continue
