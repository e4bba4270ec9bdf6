/**
 * @file rtmem/leak.h
 */
#ifndef RTMEM_LEAK_H
#define RTMEM_LEAK_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_LEAK_H */
