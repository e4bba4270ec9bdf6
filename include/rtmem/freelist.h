/**
 * @file rtmem/freelist.h
 */
#ifndef RTMEM_FREELIST_H
#define RTMEM_FREELIST_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_FREELIST_H */
