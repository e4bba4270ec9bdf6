/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Stand-in for FreeRTOS's task.h: the two scheduler calls the heap uses,
 * with their documented prototypes (the test defines them). */
#ifndef FREERTOS_STUB_TASK_H
#define FREERTOS_STUB_TASK_H

#include "FreeRTOS.h"

void vTaskSuspendAll(void);
BaseType_t xTaskResumeAll(void);

#endif /* FREERTOS_STUB_TASK_H */
