/**
 * @file rtmem/integrity.h
 */
#ifndef RTMEM_INTEGRITY_H
#define RTMEM_INTEGRITY_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_INTEGRITY_H */
