#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Print the README's C quick start: the ```c block right after the
# <!-- readme-example --> marker, so the tests compile exactly what users read.
awk '/<!-- readme-example -->/ {armed = 1; next}
     armed && /^```c/ {inside = 1; next}
     inside && /^```/ {exit}
     inside {print}' "$1"
