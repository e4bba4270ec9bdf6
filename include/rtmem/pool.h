/**
 * @file rtmem/pool.h
 */
#ifndef RTMEM_POOL_H
#define RTMEM_POOL_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_POOL_H */
