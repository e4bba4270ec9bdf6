/**
 * @file rtmem/bump.h
 */
#ifndef RTMEM_BUMP_H
#define RTMEM_BUMP_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_BUMP_H */
