/**
 * @file rtmem/heap.h
 */
#ifndef RTMEM_HEAP_H
#define RTMEM_HEAP_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_HEAP_H */
