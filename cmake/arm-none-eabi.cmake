# SPDX-License-Identifier: MIT OR Apache-2.0
# CMake toolchain file for Cortex-M with Debian's arm-none-eabi-gcc and newlib.
#
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=path/to/rtmem/cmake/arm-none-eabi.cmake \
#         -DRTMEM_CPU=cortex-m4f
#
# RTMEM_CPU: cortex-m0plus, cortex-m3, cortex-m4 (soft float), cortex-m4f,
# cortex-m7f, cortex-m33f (default cortex-m4f). Linking needs the firmware's
# own linker script and start-up (examples/board has one for QEMU's MPS2).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar CACHE FILEPATH "")
set(CMAKE_RANLIB arm-none-eabi-ranlib CACHE FILEPATH "")
# Test programs of try_compile cannot link without a linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(RTMEM_CPU "cortex-m4f" CACHE STRING "Cortex-M core: cortex-m0plus, -m3, -m4, -m4f, -m7f, -m33f")
set(_rtmem_cpu_flags_cortex-m0plus "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft")
set(_rtmem_cpu_flags_cortex-m3 "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft")
set(_rtmem_cpu_flags_cortex-m4 "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft")
set(_rtmem_cpu_flags_cortex-m4f "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(_rtmem_cpu_flags_cortex-m7f "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16")
set(_rtmem_cpu_flags_cortex-m33f "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16")
if(NOT DEFINED _rtmem_cpu_flags_${RTMEM_CPU})
    message(FATAL_ERROR "RTMEM_CPU '${RTMEM_CPU}' is not one of cortex-m0plus, cortex-m3, cortex-m4, cortex-m4f, cortex-m7f, cortex-m33f")
endif()
set(_rtmem_flags "${_rtmem_cpu_flags_${RTMEM_CPU}} -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_INIT "${_rtmem_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_rtmem_flags} -fno-exceptions -fno-rtti")
set(CMAKE_ASM_FLAGS_INIT "${_rtmem_flags}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections")

# Host programs come from the host; packages (find_package(rtmem) after a
# cross install) from CMAKE_PREFIX_PATH as usual.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
