/**
 * @file rtmem/memmap.h
 */
#ifndef RTMEM_MEMMAP_H
#define RTMEM_MEMMAP_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_MEMMAP_H */
