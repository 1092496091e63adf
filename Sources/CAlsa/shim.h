#ifndef EARSHOT_CALSA_SHIM_H
#define EARSHOT_CALSA_SHIM_H
#include <alsa/asoundlib.h>

/* libasound prints every configuration-evaluation failure ("ALSA lib confmisc.c:855:
   (parse_card) cannot find card '0'", about 8 lines per open attempt) on stderr; Earshot
   reports each failure itself, in one line naming the device. The handler is variadic,
   so it is written here in C. */
static inline void earshot_alsa_quiet_handler(const char *file, int line, const char *function,
                                              int err, const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}

/* Installs the quiet handler (process-wide); `snd_lib_error_set_handler(NULL)` restores libasound's. */
static inline void earshot_alsa_silence_errors(void) {
    snd_lib_error_set_handler(earshot_alsa_quiet_handler);
}
#endif
