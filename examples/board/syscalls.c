/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * newlib's system calls for the example firmware over Arm semihosting:
 * stdout and stderr go to the console, exit() ends the QEMU run with its
 * status. There is deliberately no _sbrk: the C library's malloc is rtmem's
 * (ports/newlib/rtm_malloc.c), and linking newlib's own would fail here.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

#include "board.h"

#define SYS_WRITE0 0x04u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

int _write(int fd, const char *buf, int len);
int _read(int fd, char *buf, int len);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
int _lseek(int fd, int off, int whence);
int _kill(int pid, int sig);
int _getpid(void);
void _exit(int code) __attribute__((noreturn));

static uint32_t semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void board_puts(const char *s)
{
    (void)semihost(SYS_WRITE0, s);
}

void board_put_hex(uint32_t v)
{
    char buf[11] = "0x";
    for (int i = 0; i < 8; i++) {
        uint32_t d = (v >> (28 - 4 * i)) & 0xfu;
        buf[2 + i] = (char)(d < 10u ? '0' + (int)d : 'a' + (int)d - 10);
    }
    buf[10] = '\0';
    board_puts(buf);
}

void board_exit(int code)
{
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
    for (;;) {
        (void)semihost(SYS_EXIT_EXTENDED, block);
    }
}

int _write(int fd, const char *buf, int len)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    char chunk[65];
    int done = 0;
    while (done < len) {
        int n = len - done < 64 ? len - done : 64;
        for (int i = 0; i < n; i++) {
            chunk[i] = buf[done + i];
        }
        chunk[n] = '\0';
        board_puts(chunk);
        done += n;
    }
    return len;
}

int _read(int fd, char *buf, int len)
{
    (void)fd;
    (void)buf;
    (void)len;
    return 0; /* no input: end of file */
}

int _close(int fd)
{
    (void)fd;
    errno = EBADF;
    return -1;
}

int _fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR; /* a terminal: line-buffered stdout */
    return 0;
}

int _isatty(int fd)
{
    return fd >= 0 && fd <= 2;
}

int _lseek(int fd, int off, int whence)
{
    (void)fd;
    (void)off;
    (void)whence;
    errno = ESPIPE;
    return -1;
}

int _kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

int _getpid(void)
{
    return 1;
}

void _exit(int code)
{
    board_exit(code);
}
