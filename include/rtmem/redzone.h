/**
 * @file rtmem/redzone.h
 */
#ifndef RTMEM_REDZONE_H
#define RTMEM_REDZONE_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_REDZONE_H */
