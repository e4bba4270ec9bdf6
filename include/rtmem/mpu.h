/**
 * @file rtmem/mpu.h
 */
#ifndef RTMEM_MPU_H
#define RTMEM_MPU_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_MPU_H */
