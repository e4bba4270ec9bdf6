/**
 * @file rtmem/lock.h
 */
#ifndef RTMEM_LOCK_H
#define RTMEM_LOCK_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_LOCK_H */
