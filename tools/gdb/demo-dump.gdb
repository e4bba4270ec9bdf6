# SPDX-License-Identifier: MIT OR Apache-2.0
# The offline half of `make gdb-test`: the same commands on the ELF plus the
# RAM dump the live half saved (tools/gdb/demo-test.sh loads the dump first).
set pagination off
set width 0
rtm heap demo.heap
rtm blocks demo.heap &demo.leak
rtm map demo.heap
rtm owners &demo.leak
rtm fault &demo_fault_record
