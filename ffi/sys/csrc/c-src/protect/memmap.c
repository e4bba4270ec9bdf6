/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Memory map (layer 5): a sorted table of non-overlapping named regions in the
 * caller's storage. See rtmem/memmap.h.
 *
 * Regions are compared by their inclusive last byte (start + size - 1), so a
 * region may end exactly at the top of the address space without its end
 * wrapping to 0.
 *
 * RTM_DEVIATION from the seed's MemoryLayout: names are 16 bytes (the seed's
 * String<32>), truncated rather than refused; the table is the caller's (any
 * capacity, not 16); "free" counts heap regions only and fragmentation is
 * 1 - largest_free / free, where the seed reported used / total under that name.
 */
#include "rtmem/memmap.h"

#include "rtm_internal.h"

#define MEMMAP_MAGIC ((uintptr_t)0x4d4d4150u) /* "MMAP" */
#define PERM_ALL (RTM_PERM_READ | RTM_PERM_WRITE | RTM_PERM_EXEC | RTM_PERM_CACHEABLE | RTM_PERM_UNPRIV)

/* The object behind rtm_memmap_t: pointer-sized fields only, so the public
 * storage (pointer words) is large and aligned enough. The storage is only ever
 * accessed through this type, inside this file. */
typedef struct memmap_impl {
    rtm_region_t *table;
    size_t capacity;
    size_t count;
    uintptr_t magic;
} memmap_impl_t;

RTM_STATIC_ASSERT(sizeof(memmap_impl_t) <= sizeof(rtm_memmap_t), memmap_storage_fits);
RTM_STATIC_ASSERT(sizeof(((rtm_region_t *)0)->name) == RTM_REGION_NAME_SIZE, region_name_size);

static memmap_impl_t *impl_of(rtm_memmap_t *m)
{
    return (memmap_impl_t *)(void *)m;
}

static const memmap_impl_t *cimpl_of(const rtm_memmap_t *m)
{
    const memmap_impl_t *mm = (const memmap_impl_t *)(const void *)m;
    return m != NULL && mm->magic == MEMMAP_MAGIC ? mm : NULL;
}

static uintptr_t last_of(const rtm_region_t *r)
{
    return r->start + (r->size - 1u);
}

/* Number of regions whose start is < addr (insertion point for addr). O(log n). */
static size_t count_below(const memmap_impl_t *mm, uintptr_t addr)
{
    size_t lo = 0u;
    size_t hi = mm->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2u;
        if (mm->table[mid].start < addr) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Index of the region containing addr, or mm->count when none does. O(log n). */
static size_t index_of(const memmap_impl_t *mm, uintptr_t addr)
{
    size_t i = count_below(mm, addr);
    if (i < mm->count && mm->table[i].start == addr) {
        return i;
    }
    if (i > 0u && addr <= last_of(&mm->table[i - 1u])) {
        return i - 1u;
    }
    return mm->count;
}

rtm_status_t rtm_memmap_init(rtm_memmap_t *m, rtm_region_t *table, size_t capacity)
{
    if (m == NULL || table == NULL || capacity == 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    memmap_impl_t *mm = impl_of(m);
    mm->table = table;
    mm->capacity = capacity;
    mm->count = 0u;
    mm->magic = MEMMAP_MAGIC;
    return RTM_OK;
}

rtm_status_t rtm_memmap_add_region(rtm_memmap_t *m, uintptr_t start, size_t size, uint32_t type,
                                   rtm_perm_t perms, const char *name)
{
    if (cimpl_of(m) == NULL || size == 0u || size - 1u > UINTPTR_MAX - start || type > RTM_REGION_RESERVED ||
        (perms & ~PERM_ALL) != 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    memmap_impl_t *mm = impl_of(m);
    uintptr_t last = start + (size - 1u);
    size_t i = count_below(mm, start);
    if ((i > 0u && last_of(&mm->table[i - 1u]) >= start) || (i < mm->count && mm->table[i].start <= last)) {
        return RTM_ERR_OVERLAP;
    }
    if (mm->count >= mm->capacity) {
        return RTM_ERR_NO_MEMORY;
    }
    for (size_t k = mm->count; k > i; k--) {
        mm->table[k] = mm->table[k - 1u];
    }
    rtm_region_t *r = &mm->table[i];
    fill_bytes(r, 0u, sizeof *r);
    r->start = start;
    r->size = size;
    r->type = type;
    r->perms = perms;
    for (size_t k = 0; name != NULL && k < RTM_REGION_NAME_SIZE - 1u && name[k] != '\0'; k++) {
        r->name[k] = name[k];
    }
    mm->count++;
    return RTM_OK;
}

rtm_status_t rtm_memmap_remove_region(rtm_memmap_t *m, uintptr_t start)
{
    if (cimpl_of(m) == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    memmap_impl_t *mm = impl_of(m);
    size_t i = count_below(mm, start);
    if (i >= mm->count || mm->table[i].start != start) {
        return RTM_ERR_INVALID_POINTER;
    }
    for (size_t k = i + 1u; k < mm->count; k++) {
        mm->table[k - 1u] = mm->table[k];
    }
    mm->count--;
    return RTM_OK;
}

rtm_status_t rtm_memmap_find(const rtm_memmap_t *m, uintptr_t addr, rtm_region_t *out)
{
    const memmap_impl_t *mm = cimpl_of(m);
    if (mm == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    size_t i = index_of(mm, addr);
    if (i == mm->count) {
        return RTM_ERR_INVALID_POINTER;
    }
    *out = mm->table[i];
    return RTM_OK;
}

rtm_status_t rtm_memmap_set_used(rtm_memmap_t *m, uintptr_t addr, size_t used)
{
    if (cimpl_of(m) == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    memmap_impl_t *mm = impl_of(m);
    size_t i = index_of(mm, addr);
    if (i == mm->count) {
        return RTM_ERR_INVALID_POINTER;
    }
    if (used > mm->table[i].size) {
        return RTM_ERR_INVALID_ARG;
    }
    mm->table[i].used = used;
    return RTM_OK;
}

size_t rtm_memmap_count(const rtm_memmap_t *m)
{
    const memmap_impl_t *mm = cimpl_of(m);
    return mm == NULL ? 0u : mm->count;
}

rtm_status_t rtm_memmap_get(const rtm_memmap_t *m, size_t index, rtm_region_t *out)
{
    const memmap_impl_t *mm = cimpl_of(m);
    if (mm == NULL || out == NULL || index >= mm->count) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = mm->table[index];
    return RTM_OK;
}

static size_t sat_add(size_t a, size_t b)
{
    size_t sum;
    return add_checked(a, b, &sum) ? sum : SIZE_MAX;
}

void rtm_memmap_stats(const rtm_memmap_t *m, rtm_memmap_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    const memmap_impl_t *mm = cimpl_of(m);
    if (mm == NULL) {
        return;
    }
    for (size_t i = 0; i < mm->count; i++) {
        const rtm_region_t *r = &mm->table[i];
        out->total = sat_add(out->total, r->size);
        out->used = sat_add(out->used, r->used);
        if (r->type == RTM_REGION_HEAP) {
            size_t free_here = r->size - r->used;
            out->heap_total = sat_add(out->heap_total, r->size);
            out->free = sat_add(out->free, free_here);
            if (free_here > out->largest_free) {
                out->largest_free = free_here;
            }
        }
    }
    out->region_count = mm->count > UINT32_MAX ? UINT32_MAX : (uint32_t)mm->count;
    out->fragmentation_permille = out->free == 0u ? 0u : permille_of(out->free - out->largest_free, out->free);
}

rtm_status_t rtm_memmap_check(const rtm_memmap_t *m)
{
    if (m == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    const memmap_impl_t *mm = cimpl_of(m);
    if (mm == NULL || mm->table == NULL || mm->count > mm->capacity) {
        return RTM_ERR_CORRUPTED;
    }
    for (size_t i = 0; i < mm->count; i++) {
        const rtm_region_t *r = &mm->table[i];
        if (r->size == 0u || r->size - 1u > UINTPTR_MAX - r->start || r->used > r->size ||
            r->type > RTM_REGION_RESERVED || (r->perms & ~PERM_ALL) != 0u ||
            r->name[RTM_REGION_NAME_SIZE - 1u] != '\0') {
            return RTM_ERR_CORRUPTED;
        }
        if (i > 0u && last_of(&mm->table[i - 1u]) >= r->start) {
            return RTM_ERR_CORRUPTED;
        }
    }
    return RTM_OK;
}
