/**
 * @file rtmem/multipool.h
 */
#ifndef RTMEM_MULTIPOOL_H
#define RTMEM_MULTIPOOL_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_MULTIPOOL_H */
