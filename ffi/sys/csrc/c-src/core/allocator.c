/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The allocator interface (layer 2): wrappers that validate the allocator
 * itself, supply defaults for optional slots, and forward to the ops table.
 * Request validation (size, alignment) is each allocator's own job, because
 * allocators are also called directly.
 */
#include "rtm_internal.h"

/* Slots past the table's declared size are treated as NULL, so a table built
 * against an older, shorter rtm_allocator_ops_t stays usable. */
#define HAS_SLOT(ops, field) \
    ((ops)->size >= offsetof(rtm_allocator_ops_t, field) + sizeof((ops)->field) && (ops)->field != NULL)

static bool usable(const rtm_allocator_t *a)
{
    return a != NULL && a->ops != NULL && HAS_SLOT(a->ops, allocate) && HAS_SLOT(a->ops, deallocate);
}

rtm_status_t rtm_allocator_allocate(const rtm_allocator_t *a, size_t size, size_t align, void **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (!usable(a)) {
        return RTM_ERR_INVALID_ARG;
    }
    return a->ops->allocate(a->ctx, size, align, out);
}

rtm_status_t rtm_allocator_deallocate(const rtm_allocator_t *a, void *ptr, size_t size)
{
    if (!usable(a)) {
        return RTM_ERR_INVALID_ARG;
    }
    if (ptr == NULL) {
        return RTM_ERR_INVALID_POINTER;
    }
    return a->ops->deallocate(a->ctx, ptr, size);
}

rtm_status_t rtm_allocator_reallocate(const rtm_allocator_t *a, void *ptr, size_t old_size,
                                      size_t new_size, size_t align, void **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (!usable(a)) {
        return RTM_ERR_INVALID_ARG;
    }
    if (HAS_SLOT(a->ops, reallocate)) {
        return a->ops->reallocate(a->ctx, ptr, old_size, new_size, align, out);
    }
    if (ptr == NULL) {
        return a->ops->allocate(a->ctx, new_size, align, out);
    }
    if (new_size == 0u) {
        return a->ops->deallocate(a->ctx, ptr, old_size);
    }
    void *fresh = NULL;
    rtm_status_t s = a->ops->allocate(a->ctx, new_size, align, &fresh);
    if (s != RTM_OK) {
        return s;
    }
    copy_bytes(fresh, ptr, old_size < new_size ? old_size : new_size);
    s = a->ops->deallocate(a->ctx, ptr, old_size);
    if (s != RTM_OK) {
        /* The old block was not ours to free: undo, leave the caller's block alone. */
        (void)a->ops->deallocate(a->ctx, fresh, new_size);
        return s;
    }
    *out = fresh;
    return RTM_OK;
}

void rtm_allocator_stats(const rtm_allocator_t *a, rtm_alloc_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    if (a != NULL && a->ops != NULL && HAS_SLOT(a->ops, stats)) {
        a->ops->stats(a->ctx, out);
    }
}

rtm_status_t rtm_allocator_check(const rtm_allocator_t *a)
{
    if (a == NULL || a->ops == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    return HAS_SLOT(a->ops, check) ? a->ops->check(a->ctx) : RTM_OK;
}
