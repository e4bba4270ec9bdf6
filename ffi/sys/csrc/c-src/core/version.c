/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Version and status names (layer 1). */
#include "rtm_internal.h"

uint32_t rtm_version(void)
{
    return (RTM_VERSION_MAJOR << 16) | (RTM_VERSION_MINOR << 8) | RTM_VERSION_PATCH;
}

const char *rtm_version_string(void)
{
    /* Kept equal to the RTM_VERSION_* macros by test/cases/core.c. */
    static const char version[] = "0.2.0";
    return version;
}

const char *rtm_status_str(rtm_status_t status)
{
    switch (status) {
    case RTM_OK:
        return "RTM_OK";
    case RTM_ERR_NO_MEMORY:
        return "RTM_ERR_NO_MEMORY";
    case RTM_ERR_INVALID_POINTER:
        return "RTM_ERR_INVALID_POINTER";
    case RTM_ERR_OVERLAP:
        return "RTM_ERR_OVERLAP";
    case RTM_ERR_ALIGNMENT:
        return "RTM_ERR_ALIGNMENT";
    case RTM_ERR_ACCESS:
        return "RTM_ERR_ACCESS";
    case RTM_ERR_DOUBLE_FREE:
        return "RTM_ERR_DOUBLE_FREE";
    case RTM_ERR_CORRUPTED:
        return "RTM_ERR_CORRUPTED";
    case RTM_ERR_INVALID_ARG:
        return "RTM_ERR_INVALID_ARG";
    case RTM_ERR_UNSUPPORTED:
        return "RTM_ERR_UNSUPPORTED";
    default:
        return "RTM_ERR_UNKNOWN";
    }
}
