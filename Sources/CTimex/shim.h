// The kernel clock discipline, read with adjtimex(2) in C, so that `struct timex`
// has the layout of the target's own <sys/timex.h>: on 32-bit ARM its longs are
// 4 bytes (and glibc picks the matching entry point when _TIME_BITS=64), which a
// Swift caller reading the struct by byte offset gets wrong. Only
// Sources/EarshotAgent/Localisation/KernelClock.swift imports this module.
#ifndef EARSHOT_CTIMEX_SHIM_H
#define EARSHOT_CTIMEX_SHIM_H
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/timex.h>

/// One read-only query of the kernel clock (modes = 0: nothing is changed).
typedef struct {
    int32_t state;          ///< adjtimex's return: TIME_OK..TIME_ERROR (5), or -1
    int32_t error;          ///< errno when state is -1 (EPERM under a seccomp filter), else 0
    int64_t maxerror_us;    ///< timex.maxerror, µs (16 000 000 = the kernel's "unsynchronised" limit)
    int64_t esterror_us;    ///< timex.esterror, µs (0 when the daemon does not set it)
    int32_t status;         ///< timex.status (STA_UNSYNC = 0x40, ...)
} earshot_timex_reading;

static inline earshot_timex_reading earshot_timex_read(void) {
    struct timex t;
    memset(&t, 0, sizeof t);
    earshot_timex_reading r;
    memset(&r, 0, sizeof r);
    errno = 0;
    r.state = adjtimex(&t);
    if (r.state < 0) {
        r.error = errno;
        return r;
    }
    r.maxerror_us = (int64_t)t.maxerror;
    r.esterror_us = (int64_t)t.esterror;
    r.status = (int32_t)t.status;
    return r;
}

/// sizeof(struct timex) on this target (the test checks 208 on 64-bit Linux).
static inline int32_t earshot_timex_size(void) { return (int32_t)sizeof(struct timex); }
#endif
