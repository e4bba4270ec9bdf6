# SPDX-License-Identifier: MIT OR Apache-2.0
# The library's sources and include folders, once, for every CMake-based
# build: the root CMakeLists.txt (plain CMake and the ESP-IDF component) and
# the Zephyr module (zephyr/CMakeLists.txt). `make packaging-check` compares
# these lists with the files in c-src/, so they cannot fall behind.
set(RTMEM_DIR ${CMAKE_CURRENT_LIST_DIR}/..)
set(RTMEM_PUBLIC_INCLUDE_DIR ${RTMEM_DIR}/include)
set(RTMEM_PRIVATE_INCLUDE_DIR ${RTMEM_DIR}/c-src/core)

set(RTMEM_CORE_SOURCES
    ${RTMEM_DIR}/c-src/core/allocator.c
    ${RTMEM_DIR}/c-src/core/version.c
)
set(RTMEM_ALLOC_SOURCES
    ${RTMEM_DIR}/c-src/alloc/bump.c
    ${RTMEM_DIR}/c-src/alloc/freelist.c
    ${RTMEM_DIR}/c-src/alloc/heap.c
    ${RTMEM_DIR}/c-src/alloc/multipool.c
    ${RTMEM_DIR}/c-src/alloc/pool.c
)
set(RTMEM_DECORATOR_SOURCES
    ${RTMEM_DIR}/c-src/decorators/leak.c
    ${RTMEM_DIR}/c-src/decorators/lock.c
    ${RTMEM_DIR}/c-src/decorators/redzone.c
)
set(RTMEM_PROTECT_SOURCES
    ${RTMEM_DIR}/c-src/protect/fault_record.c
    ${RTMEM_DIR}/c-src/protect/integrity.c
    ${RTMEM_DIR}/c-src/protect/memmap.c
    ${RTMEM_DIR}/c-src/protect/mpu.c
    ${RTMEM_DIR}/c-src/protect/mpu_armv7m.c
    ${RTMEM_DIR}/c-src/protect/mpu_armv8m.c
    ${RTMEM_DIR}/c-src/protect/mpu_fault.c
    ${RTMEM_DIR}/c-src/protect/mpu_host.c
    ${RTMEM_DIR}/c-src/protect/mpu_pmp.c
    ${RTMEM_DIR}/c-src/protect/stack.c
)
set(RTMEM_SOURCES
    ${RTMEM_CORE_SOURCES}
    ${RTMEM_ALLOC_SOURCES}
    ${RTMEM_DECORATOR_SOURCES}
    ${RTMEM_PROTECT_SOURCES}
)
