/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Lock decorator (layer 4): every call of the inner allocator between the
 * port's lock and unlock callbacks. See rtmem/lock.h.
 */
#include "rtmem/lock.h"

#include "rtm_internal.h"

#define LOCK_MAGIC ((uintptr_t)0x4c4f434bu) /* "LOCK" */

/* The object behind rtm_lock_t: pointer-sized fields only, so the public
 * storage (pointer words) is large and aligned enough. The storage is only ever
 * accessed through this type, inside this file. */
typedef struct lock_impl {
    rtm_allocator_t inner;
    void (*lock)(void *user);
    void (*unlock)(void *user);
    void *user;
    uintptr_t magic;
} lock_impl_t;

RTM_STORAGE_FITS(lock_impl_t, rtm_lock_t, lock_storage);
RTM_STATIC_ASSERT(sizeof(void (*)(void *)) == sizeof(void *), fn_pointer_is_a_word);

rtm_status_t rtm_lock_init(rtm_lock_t *l, const rtm_allocator_t *inner, void (*lock)(void *user),
                           void (*unlock)(void *user), void *user)
{
    if (l == NULL || inner == NULL || lock == NULL || unlock == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    const rtm_allocator_ops_t *ops = inner->ops;
    if (ops == NULL || ops->size < offsetof(rtm_allocator_ops_t, deallocate) + sizeof ops->deallocate ||
        ops->allocate == NULL || ops->deallocate == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    lock_impl_t *d = (lock_impl_t *)(void *)l;
    d->inner = *inner;
    d->lock = lock;
    d->unlock = unlock;
    d->user = user;
    d->magic = LOCK_MAGIC;
    return RTM_OK;
}

static rtm_status_t op_allocate(void *ctx, size_t size, size_t align, void **out)
{
    const lock_impl_t *d = (const lock_impl_t *)ctx;
    d->lock(d->user);
    rtm_status_t s = rtm_allocator_allocate(&d->inner, size, align, out);
    d->unlock(d->user);
    return s;
}

static rtm_status_t op_deallocate(void *ctx, void *ptr, size_t size)
{
    const lock_impl_t *d = (const lock_impl_t *)ctx;
    d->lock(d->user);
    rtm_status_t s = rtm_allocator_deallocate(&d->inner, ptr, size);
    d->unlock(d->user);
    return s;
}

static rtm_status_t op_reallocate(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align,
                                  void **out)
{
    const lock_impl_t *d = (const lock_impl_t *)ctx;
    d->lock(d->user);
    rtm_status_t s = rtm_allocator_reallocate(&d->inner, ptr, old_size, new_size, align, out);
    d->unlock(d->user);
    return s;
}

static void op_stats(const void *ctx, rtm_alloc_stats_t *out)
{
    const lock_impl_t *d = (const lock_impl_t *)ctx;
    d->lock(d->user);
    rtm_allocator_stats(&d->inner, out);
    d->unlock(d->user);
}

static rtm_status_t op_check(const void *ctx)
{
    const lock_impl_t *d = (const lock_impl_t *)ctx;
    d->lock(d->user);
    rtm_status_t s = rtm_allocator_check(&d->inner);
    d->unlock(d->user);
    return s;
}

static const rtm_allocator_ops_t lock_ops = {
    (uint32_t)sizeof(rtm_allocator_ops_t), 0u, op_allocate, op_deallocate, op_reallocate, op_stats, op_check,
};

rtm_allocator_t rtm_lock_allocator(rtm_lock_t *l)
{
    rtm_allocator_t a = {NULL, NULL};
    if (l != NULL && ((const lock_impl_t *)(void *)l)->magic == LOCK_MAGIC) {
        a.ops = &lock_ops;
        a.ctx = l;
    }
    return a;
}
