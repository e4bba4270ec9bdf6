/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Task stacks (layer 5): stacks from an allocator or static areas, guarded by
 * an MPU region (or canary words), a canary, painting, a high-water mark, and
 * reuse of freed stacks through a size-sorted list kept in the caller's table.
 *
 *   base          base + G          limit                              top
 *   | guard (G)    | canary (16)     | usable stack, painted ...         |
 *
 * Canary word at address a: cfg.canary ^ a (low 32 bits), so a stack that
 * copied another stack's canary still fails.
 */
#include "rtm_internal.h"
#include "rtmem/stack.h"

#define STACK_MAGIC 0x53544B30u /* "STK0" */
#define CANARY ((size_t)RTM_STACK_CANARY_BYTES)
#define NONE 0xFFFFFFFFu
#define ST_EMPTY 0u
#define ST_ACTIVE 1u
#define ST_POOLED 2u
#define CFG_FLAGS (RTM_STACK_PAINT | RTM_STACK_USE_PSPLIM | RTM_STACK_REQUIRE_GUARD)
/* Flags that describe the block and survive a release into the pool. */
#define KEEP_FLAGS (RTM_STACK_INFO_STATIC | RTM_STACK_INFO_MPU_GUARD | RTM_STACK_INFO_GUARD_RO)

typedef struct slot {
    rtm_stack_info_t info;
    void *block;       /* what the allocator returned, or the caller's static area */
    size_t block_size; /* its bytes */
    uint32_t state;    /* ST_* */
    uint32_t next;     /* pooled list, ascending usable size */
} slot_t;

typedef struct manager {
    rtm_stack_config_t cfg;
    rtm_allocator_t alloc; /* ops NULL: static stacks only */
    rtm_mpu_t *mpu;
    rtm_stack_slot_t *table;
    size_t capacity;
    rtm_stack_stats_t stats;
    uint32_t pool; /* first pooled slot, NONE when empty */
    uint32_t magic;
} manager_t;

RTM_STORAGE_FITS(manager_t, rtm_stack_t, stack_storage);
RTM_STORAGE_FITS(slot_t, rtm_stack_slot_t, stack_slot);
RTM_STATIC_ASSERT(RTM_STACK_CANARY_BYTES % 8u == 0u, canary_keeps_8_alignment);

static manager_t *mgr(rtm_stack_t *sm)
{
    manager_t *m = sm == NULL ? NULL : (manager_t *)(void *)sm->opaque;
    return m != NULL && m->magic == STACK_MAGIC ? m : NULL;
}

static const manager_t *cmgr(const rtm_stack_t *sm)
{
    const manager_t *m = sm == NULL ? NULL : (const manager_t *)(const void *)sm->opaque;
    return m != NULL && m->magic == STACK_MAGIC ? m : NULL;
}

static slot_t *slot_at(const manager_t *m, size_t i)
{
    return (slot_t *)(void *)m->table[i].opaque;
}

static slot_t *find_state(const manager_t *m, uint32_t task_id, uint32_t state)
{
    for (size_t i = 0; i < m->capacity; i++) {
        slot_t *s = slot_at(m, i);
        if (s->state == state && s->info.task_id == task_id) {
            return s;
        }
    }
    return NULL;
}

static slot_t *active(const manager_t *m, uint32_t task_id)
{
    return find_state(m, task_id, ST_ACTIVE);
}

/* The manager and the task's active slot, or NULL when either is missing. */
static slot_t *task_slot(rtm_stack_t *sm, uint32_t task_id, manager_t **mp)
{
    *mp = mgr(sm);
    return *mp == NULL ? NULL : active(*mp, task_id);
}

/* ---- words: canary and paint ----------------------------------------------------- */

static uint32_t canary_word(const manager_t *m, uintptr_t addr)
{
    return m->cfg.canary ^ (uint32_t)addr;
}

static void fill_canary(const manager_t *m, uintptr_t from, uintptr_t to)
{
    for (uintptr_t a = from; a < to; a += 4u) {
        *(volatile uint32_t *)a = canary_word(m, a);
    }
}

/* The canary words of a stack: the 16 bytes below the limit, and the guard
 * bytes too when the guard is not an MPU region. */
static uintptr_t canary_start(const slot_t *s)
{
    return (s->info.flags & RTM_STACK_INFO_MPU_GUARD) != 0u ? s->info.limit - CANARY : s->info.base;
}

static bool canary_ok(const manager_t *m, const slot_t *s)
{
    for (uintptr_t a = canary_start(s); a < s->info.limit; a += 4u) {
        if (*(const volatile uint32_t *)a != canary_word(m, a)) {
            return false;
        }
    }
    return true;
}

static void mark_overflow(manager_t *m, slot_t *s)
{
    if ((s->info.flags & RTM_STACK_INFO_OVERFLOWED) == 0u) {
        s->info.flags |= RTM_STACK_INFO_OVERFLOWED;
        m->stats.stack_overflows++;
    }
}

static void note_usage(manager_t *m, slot_t *s, size_t used)
{
    if (used > s->info.peak_usage) {
        s->info.peak_usage = used;
    }
    if (used > m->stats.max_stack_usage) {
        m->stats.max_stack_usage = used;
    }
}

/* ---- guards ------------------------------------------------------------------------ */

/* Put an MPU region over the guard: no access, or where the unit has no such
 * encoding (PMSAv8), privileged read-only so that pushes still fault. */
static rtm_status_t add_guard(manager_t *m, slot_t *s)
{
    rtm_mpu_region_t r = {s->info.base, s->info.guard_size, 0u, m->cfg.guard_region_flags};
    uint32_t index = NONE;
    rtm_status_t st = rtm_mpu_add_region(m->mpu, &r, &index);
    if (st == RTM_ERR_UNSUPPORTED) {
        r.perm = RTM_PERM_READ;
        st = rtm_mpu_add_region(m->mpu, &r, &index);
        if (st == RTM_OK) {
            s->info.flags |= RTM_STACK_INFO_GUARD_RO;
        }
    }
    if (st == RTM_OK) {
        s->info.flags |= RTM_STACK_INFO_MPU_GUARD;
        s->info.mpu_region = index;
    }
    return st;
}

/* Make slot s the stack of task_id: guard, canary, paint. On failure (a
 * required guard that could not be set) nothing is armed. */
static rtm_status_t prepare(manager_t *m, slot_t *s, uint32_t task_id)
{
    s->info.flags &= KEEP_FLAGS;
    s->info.peak_usage = 0u;
    if ((s->info.flags & RTM_STACK_INFO_MPU_GUARD) == 0u) {
        s->info.mpu_region = RTM_MPU_NO_REGION;
        if (m->mpu != NULL) {
            rtm_status_t st = add_guard(m, s);
            if (st != RTM_OK && (m->cfg.flags & RTM_STACK_REQUIRE_GUARD) != 0u) {
                return st;
            }
        }
    }
    fill_canary(m, canary_start(s), s->info.limit);
    if ((m->cfg.flags & RTM_STACK_PAINT) != 0u) {
        for (uintptr_t a = s->info.limit; a < s->info.top; a += 4u) {
            *(volatile uint32_t *)a = RTM_STACK_PAINT_WORD;
        }
        s->info.flags |= RTM_STACK_INFO_PAINTED;
    }
    s->info.task_id = task_id;
    s->state = ST_ACTIVE;
    if ((s->info.flags & RTM_STACK_INFO_MPU_GUARD) != 0u) {
        m->stats.mpu_guards++;
    }
    return RTM_OK;
}

/* Take the MPU guard away; a locked one (PMP L bit) stays with the block. */
static void remove_guard(manager_t *m, slot_t *s)
{
    if ((s->info.flags & RTM_STACK_INFO_MPU_GUARD) == 0u) {
        return;
    }
    if (rtm_mpu_clear_region(m->mpu, s->info.mpu_region) == RTM_OK) {
        s->info.flags &= ~(RTM_STACK_INFO_MPU_GUARD | RTM_STACK_INFO_GUARD_RO);
        s->info.mpu_region = RTM_MPU_NO_REGION;
    }
}

/* ---- the pooled list -------------------------------------------------------------- */

static void pool_insert(manager_t *m, uint32_t i)
{
    slot_t *s = slot_at(m, i);
    uint32_t *link = &m->pool;
    while (*link != NONE && slot_at(m, *link)->info.size < s->info.size) {
        link = &slot_at(m, *link)->next;
    }
    s->next = *link;
    *link = i;
    s->state = ST_POOLED;
    m->stats.pooled_stacks++;
}

/* Unlink and return the smallest pooled stack of at least `size` usable bytes, or NONE. */
static uint32_t pool_take(manager_t *m, size_t size)
{
    uint32_t *link = &m->pool;
    while (*link != NONE && slot_at(m, *link)->info.size < size) {
        link = &slot_at(m, *link)->next;
    }
    uint32_t i = *link;
    if (i != NONE) {
        *link = slot_at(m, i)->next;
        slot_at(m, i)->next = NONE;
        m->stats.pooled_stacks--;
    }
    return i;
}

static slot_t *empty_slot(const manager_t *m)
{
    for (size_t i = 0; i < m->capacity; i++) {
        if (slot_at(m, i)->state == ST_EMPTY) {
            return slot_at(m, i);
        }
    }
    return NULL;
}

static uint32_t index_of(const manager_t *m, const slot_t *s)
{
    for (size_t i = 0; i < m->capacity; i++) {
        if (slot_at(m, i) == s) {
            return (uint32_t)i;
        }
    }
    return NONE;
}

static void set_layout(manager_t *m, slot_t *s, uintptr_t base, size_t usable)
{
    fill_bytes(&s->info, 0u, sizeof s->info);
    s->info.base = base;
    s->info.guard_size = m->cfg.guard_size;
    s->info.limit = base + m->cfg.guard_size + CANARY;
    s->info.top = s->info.limit + usable;
    s->info.size = usable;
    s->info.mpu_region = RTM_MPU_NO_REGION;
    s->next = NONE;
}

static void copy_info(const slot_t *s, rtm_stack_info_t *out)
{
    if (out != NULL) {
        *out = s->info;
    }
}

static size_t block_align(const manager_t *m)
{
    return m->mpu != NULL ? m->cfg.guard_size : RTM_MIN_ALIGN;
}

/* ---- public API -------------------------------------------------------------------- */

rtm_status_t rtm_stack_init(rtm_stack_t *sm, const rtm_stack_config_t *cfg, const rtm_allocator_t *alloc,
                            rtm_mpu_t *mpu, rtm_stack_slot_t *table, size_t capacity)
{
    rtm_stack_config_t c;
    fill_bytes(&c, 0u, sizeof c);
    if (cfg != NULL) {
        c = *cfg;
    }
    if (sm == NULL || (table == NULL && capacity != 0u) || capacity > 0xFFFFFFFEu || (c.flags & ~CFG_FLAGS) != 0u ||
        ((c.flags & RTM_STACK_REQUIRE_GUARD) != 0u && mpu == NULL) ||
        !align_up_checked(c.default_size, RTM_MIN_ALIGN, &c.default_size)) {
        return RTM_ERR_INVALID_ARG;
    }
    if (c.guard_size == 0u) {
        c.guard_size = RTM_STACK_DEFAULT_GUARD;
    }
    if ((c.guard_size % RTM_MIN_ALIGN) != 0u || (mpu != NULL && (!is_pow2(c.guard_size) || c.guard_size < 32u))) {
        return RTM_ERR_ALIGNMENT;
    }
    if ((c.flags & RTM_STACK_USE_PSPLIM) != 0u) {
        uintptr_t now;
        if (rtm_mpu_get_psplim(&now) != RTM_OK) {
            return RTM_ERR_UNSUPPORTED;
        }
    }
    if (c.canary == 0u) {
        c.canary = RTM_STACK_DEFAULT_CANARY;
    }
    fill_bytes(sm, 0u, sizeof *sm);
    manager_t *m = (manager_t *)(void *)sm->opaque;
    m->cfg = c;
    if (alloc != NULL) {
        m->alloc = *alloc;
    }
    m->mpu = mpu;
    m->table = table;
    m->capacity = capacity;
    m->pool = NONE;
    m->magic = STACK_MAGIC;
    for (size_t i = 0; i < capacity; i++) {
        fill_bytes(&table[i], 0u, sizeof table[i]);
        slot_at(m, i)->next = NONE;
    }
    return RTM_OK;
}

rtm_status_t rtm_stack_allocate(rtm_stack_t *sm, uint32_t task_id, size_t size, rtm_stack_info_t *out)
{
    manager_t *m = mgr(sm);
    size_t usable;
    size_t total;
    if (m == NULL || active(m, task_id) != NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (size == 0u) {
        size = m->cfg.default_size;
    }
    if (size == 0u || !align_up_checked(size, RTM_MIN_ALIGN, &usable) ||
        !add_checked(m->cfg.guard_size + CANARY, usable, &total)) {
        return RTM_ERR_INVALID_ARG;
    }
    /* A pooled stack first: the smallest that is big enough. */
    uint32_t i = pool_take(m, usable);
    if (i != NONE) {
        slot_t *s = slot_at(m, i);
        rtm_status_t st = prepare(m, s, task_id);
        if (st != RTM_OK) {
            pool_insert(m, i);
            m->stats.failures++;
            return st;
        }
        m->stats.reused_stacks++;
        m->stats.total_stacks++;
        m->stats.active_stacks++;
        copy_info(s, out);
        return RTM_OK;
    }
    slot_t *s = empty_slot(m);
    if (s == NULL || m->alloc.ops == NULL) {
        m->stats.failures++;
        return RTM_ERR_NO_MEMORY;
    }
    void *block = NULL;
    rtm_status_t st = rtm_allocator_allocate(&m->alloc, total, block_align(m), &block);
    if (st != RTM_OK) {
        m->stats.failures++;
        return st;
    }
    set_layout(m, s, (uintptr_t)block, usable);
    s->block = block;
    s->block_size = total;
    st = prepare(m, s, task_id);
    if (st != RTM_OK) {
        (void)rtm_allocator_deallocate(&m->alloc, block, total);
        fill_bytes(s, 0u, sizeof *s);
        s->next = NONE;
        m->stats.failures++;
        return st;
    }
    m->stats.total_stack_memory += total;
    m->stats.total_stacks++;
    m->stats.active_stacks++;
    copy_info(s, out);
    return RTM_OK;
}

rtm_status_t rtm_stack_add_static(rtm_stack_t *sm, uint32_t task_id, void *mem, size_t mem_size,
                                  rtm_stack_info_t *out)
{
    manager_t *m = mgr(sm);
    uintptr_t start = (uintptr_t)mem;
    if (m == NULL || mem == NULL || start > UINTPTR_MAX - mem_size || active(m, task_id) != NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    uintptr_t end = start + mem_size;
    size_t align = block_align(m);
    uintptr_t base = start > UINTPTR_MAX - (align - 1u) ? end : align_up_ptr(start, align);
    size_t overhead = m->cfg.guard_size + CANARY;
    slot_t *s = empty_slot(m);
    if (base >= end || end - base < overhead + RTM_MIN_ALIGN || s == NULL) {
        m->stats.failures++;
        return RTM_ERR_NO_MEMORY;
    }
    set_layout(m, s, base, (end - base - overhead) & ~(RTM_MIN_ALIGN - 1u));
    s->info.flags = RTM_STACK_INFO_STATIC;
    s->block = mem;
    s->block_size = mem_size;
    rtm_status_t st = prepare(m, s, task_id);
    if (st != RTM_OK) {
        fill_bytes(s, 0u, sizeof *s);
        s->next = NONE;
        m->stats.failures++;
        return st;
    }
    m->stats.total_stack_memory += mem_size;
    m->stats.total_stacks++;
    m->stats.active_stacks++;
    copy_info(s, out);
    return RTM_OK;
}

/* RTM_DEVIATION: a task without a stack is RTM_ERR_INVALID_ARG (the design
 * said InvalidPointer), and a second free of the same stack is told apart as
 * RTM_ERR_DOUBLE_FREE. The design's fixed 4096-byte guard is the configured
 * guard size (default 32, the smallest MPU region). */
rtm_status_t rtm_stack_free(rtm_stack_t *sm, uint32_t task_id)
{
    manager_t *m = mgr(sm);
    if (m == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    slot_t *s = active(m, task_id);
    if (s == NULL) {
        return find_state(m, task_id, ST_POOLED) != NULL ? RTM_ERR_DOUBLE_FREE : RTM_ERR_INVALID_ARG;
    }
    bool intact = canary_ok(m, s);
    if (!intact) {
        mark_overflow(m, s);
    }
    if ((s->info.flags & RTM_STACK_INFO_MPU_GUARD) != 0u) {
        m->stats.mpu_guards--;
    }
    remove_guard(m, s);
    m->stats.active_stacks--;
    pool_insert(m, index_of(m, s));
    return intact ? RTM_OK : RTM_ERR_CORRUPTED;
}

rtm_status_t rtm_stack_get_info(const rtm_stack_t *sm, uint32_t task_id, rtm_stack_info_t *out)
{
    const manager_t *m = cmgr(sm);
    const slot_t *s = m == NULL ? NULL : active(m, task_id);
    if (s == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = s->info;
    return RTM_OK;
}

rtm_status_t rtm_stack_check_sp(rtm_stack_t *sm, uint32_t task_id, uintptr_t sp)
{
    manager_t *m;
    slot_t *s = task_slot(sm, task_id, &m);
    if (s == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (sp > s->info.top) {
        return RTM_ERR_INVALID_POINTER;
    }
    if (sp < s->info.limit) {
        mark_overflow(m, s);
        return RTM_ERR_CORRUPTED;
    }
    note_usage(m, s, s->info.top - sp);
    return RTM_OK;
}

rtm_status_t rtm_stack_check_canary(rtm_stack_t *sm, uint32_t task_id)
{
    manager_t *m;
    slot_t *s = task_slot(sm, task_id, &m);
    if (s == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!canary_ok(m, s)) {
        mark_overflow(m, s);
        return RTM_ERR_CORRUPTED;
    }
    return RTM_OK;
}

rtm_status_t rtm_stack_high_water(rtm_stack_t *sm, uint32_t task_id, size_t *used)
{
    manager_t *m;
    slot_t *s = task_slot(sm, task_id, &m);
    if (s == NULL || used == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if ((s->info.flags & RTM_STACK_INFO_PAINTED) == 0u) {
        return RTM_ERR_UNSUPPORTED;
    }
    uintptr_t a = s->info.limit;
    while (a < s->info.top && *(const volatile uint32_t *)a == RTM_STACK_PAINT_WORD) {
        a += 4u;
    }
    *used = s->info.top - a;
    note_usage(m, s, *used);
    return RTM_OK;
}

rtm_status_t rtm_stack_activate(rtm_stack_t *sm, uint32_t task_id)
{
    manager_t *m;
    const slot_t *s = task_slot(sm, task_id, &m);
    if (s == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    return (m->cfg.flags & RTM_STACK_USE_PSPLIM) != 0u ? rtm_mpu_set_psplim(s->info.limit) : RTM_OK;
}

rtm_status_t rtm_stack_find(const rtm_stack_t *sm, uintptr_t addr, uint32_t *task_id, uint32_t *where)
{
    const manager_t *m = cmgr(sm);
    if (m == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < m->capacity; i++) {
        const slot_t *s = slot_at(m, i);
        if (s->state != ST_ACTIVE || addr < s->info.base || addr >= s->info.top) {
            continue;
        }
        if (task_id != NULL) {
            *task_id = s->info.task_id;
        }
        if (where != NULL) {
            *where = addr < s->info.limit ? RTM_STACK_IN_GUARD : RTM_STACK_IN_STACK;
        }
        return RTM_OK;
    }
    return RTM_ERR_INVALID_POINTER;
}

rtm_status_t rtm_stack_note_overflow(rtm_stack_t *sm, uint32_t task_id)
{
    manager_t *m;
    slot_t *s = task_slot(sm, task_id, &m);
    if (s == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    mark_overflow(m, s);
    return RTM_OK;
}

rtm_status_t rtm_stack_trim(rtm_stack_t *sm, size_t *released)
{
    manager_t *m = mgr(sm);
    size_t n = 0u;
    rtm_status_t result = RTM_OK;
    if (released != NULL) {
        *released = 0u;
    }
    if (m == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    uint32_t *link = &m->pool;
    while (*link != NONE) {
        uint32_t i = *link;
        slot_t *s = slot_at(m, i);
        rtm_status_t st = RTM_OK;
        if ((s->info.flags & RTM_STACK_INFO_MPU_GUARD) != 0u) {
            st = RTM_ERR_ACCESS; /* a locked guard: the memory stays protected */
        } else if ((s->info.flags & RTM_STACK_INFO_STATIC) == 0u) {
            st = rtm_allocator_deallocate(&m->alloc, s->block, s->block_size);
            if (st != RTM_OK) {
                result = st;
            }
        }
        if (st != RTM_OK) {
            link = &s->next;
            continue;
        }
        *link = s->next;
        m->stats.total_stack_memory -= s->block_size;
        m->stats.pooled_stacks--;
        fill_bytes(s, 0u, sizeof *s);
        s->next = NONE;
        n++;
    }
    if (released != NULL) {
        *released = n;
    }
    return result;
}

static bool layout_sane(const manager_t *m, const slot_t *s)
{
    const rtm_stack_info_t *f = &s->info;
    return f->guard_size == m->cfg.guard_size && f->base % RTM_MIN_ALIGN == 0u &&
           f->limit == f->base + f->guard_size + CANARY && f->top >= f->limit && f->top - f->limit == f->size &&
           f->size % RTM_MIN_ALIGN == 0u;
}

rtm_status_t rtm_stack_check(const rtm_stack_t *sm)
{
    const manager_t *m = cmgr(sm);
    if (m == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    uint32_t n_active = 0u;
    uint32_t n_pooled = 0u;
    uint32_t n_guards = 0u;
    for (size_t i = 0; i < m->capacity; i++) {
        const slot_t *s = slot_at(m, i);
        if (s->state == ST_EMPTY) {
            continue;
        }
        if (s->state > ST_POOLED || !layout_sane(m, s)) {
            return RTM_ERR_CORRUPTED;
        }
        if (s->state == ST_ACTIVE) {
            n_active++;
            n_guards += (s->info.flags & RTM_STACK_INFO_MPU_GUARD) != 0u ? 1u : 0u;
            if (!canary_ok(m, s)) {
                return RTM_ERR_CORRUPTED;
            }
        } else {
            n_pooled++;
        }
    }
    /* The pooled list: in range, pooled slots only, ascending, each once. */
    uint32_t walked = 0u;
    size_t last = 0u;
    for (uint32_t i = m->pool; i != NONE; i = slot_at(m, i)->next) {
        if (i >= m->capacity || walked++ >= n_pooled || slot_at(m, i)->state != ST_POOLED ||
            slot_at(m, i)->info.size < last) {
            return RTM_ERR_CORRUPTED;
        }
        last = slot_at(m, i)->info.size;
    }
    bool agree = walked == n_pooled && n_active == m->stats.active_stacks && n_pooled == m->stats.pooled_stacks &&
                 n_guards == m->stats.mpu_guards;
    return agree ? RTM_OK : RTM_ERR_CORRUPTED;
}

void rtm_stack_get_stats(const rtm_stack_t *sm, rtm_stack_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    const manager_t *m = cmgr(sm);
    if (m != NULL) {
        *out = m->stats;
    }
}
