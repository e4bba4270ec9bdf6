/**
 * @file rtmem/stack.h
 */
#ifndef RTMEM_STACK_H
#define RTMEM_STACK_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_STACK_H */
