#ifndef EARSHOT_CGPIOD_SHIM_H
#define EARSHOT_CGPIOD_SHIM_H
/*
 * One small GPIO API over libgpiod v1 (Debian bookworm: 1.6) and v2 (Debian trixie,
 * current Raspberry Pi OS: 2.x), chosen when this header is compiled. Swift
 * (EarshotGPIO/LibgpiodBackend.swift) calls only the earshot_gpiod_* functions below,
 * so one Swift file serves both libraries.
 *
 * Which API: the one of the gpiod.h that pkg-config's `Cflags` for libgpiod put on the
 * include path, that is the libgpiod whose `Libs` are linked. v1's gpiod.h defines
 * GPIOD_LINE_BULK_MAX_LINES (every 1.x release); v2's defines no such macro (its line
 * bulk API is gone). Why the header decides and not a define passed from outside:
 *  - SwiftPM cannot pass -D to a system-library target; a define would have to come
 *    from unsafeFlags (-Xcc -D…) on every importing target and be set by hand;
 *  - an environment variable or a `pkg-config --modversion` probe in Package.swift is a
 *    second source of truth evaluated at a different time (SwiftPM caches the evaluated
 *    manifest), so it can disagree with the header and library actually used, and the
 *    build then fails on missing symbols or, worse, compiles against one API and links
 *    the other;
 *  - the header travels with pkg-config's answer: PKG_CONFIG_PATH pointing at a
 *    libgpiod 2 prefix gives its -I (before /usr/include), its -L and v2 code, with
 *    nothing else to keep in step.
 * Tests (GPIOAPISelectionTests) check that the API chosen here, the library's runtime
 * version and `pkg-config --modversion libgpiod` agree on the major version.
 * Override for an unusual header: -Xcc -DEARSHOT_GPIOD_API=1 (or 2).
 */
#include <gpiod.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EARSHOT_GPIOD_API
#ifdef GPIOD_LINE_BULK_MAX_LINES
#define EARSHOT_GPIOD_API 1
#else
#define EARSHOT_GPIOD_API 2
#endif
#endif

/// The libgpiod API major version this module was compiled for (1 or 2).
static inline int earshot_gpiod_api(void) { return EARSHOT_GPIOD_API; }

/// The version of the linked library, e.g. "1.6.3" or "2.2.1".
static inline const char *earshot_gpiod_version(void)
{
#if EARSHOT_GPIOD_API == 1
	return gpiod_version_string();
#else
	return gpiod_api_version();
#endif
}

/// An open chip: its kernel name (gpiochipN), label and line count.
typedef struct earshot_gpiod_chip {
	struct gpiod_chip *chip;
#if EARSHOT_GPIOD_API == 2
	struct gpiod_chip_info *info;
#endif
} earshot_gpiod_chip;

/// Opens the character device at PATH (e.g. /dev/gpiochip0); NULL with errno on failure.
static inline earshot_gpiod_chip *earshot_gpiod_chip_open(const char *path)
{
	earshot_gpiod_chip *c = calloc(1, sizeof(*c));
	if (!c) return NULL;
	c->chip = gpiod_chip_open(path);
	if (!c->chip) { int e = errno; free(c); errno = e; return NULL; }
#if EARSHOT_GPIOD_API == 2
	c->info = gpiod_chip_get_info(c->chip);
	if (!c->info) { int e = errno; gpiod_chip_close(c->chip); free(c); errno = e; return NULL; }
#endif
	return c;
}

static inline void earshot_gpiod_chip_close(earshot_gpiod_chip *c)
{
	if (!c) return;
#if EARSHOT_GPIOD_API == 2
	gpiod_chip_info_free(c->info);
#endif
	gpiod_chip_close(c->chip);
	free(c);
}

static inline const char *earshot_gpiod_chip_name(earshot_gpiod_chip *c)
{
#if EARSHOT_GPIOD_API == 1
	return gpiod_chip_name(c->chip);
#else
	return gpiod_chip_info_get_name(c->info);
#endif
}

static inline const char *earshot_gpiod_chip_label(earshot_gpiod_chip *c)
{
#if EARSHOT_GPIOD_API == 1
	return gpiod_chip_label(c->chip);
#else
	return gpiod_chip_info_get_label(c->info);
#endif
}

static inline unsigned earshot_gpiod_chip_num_lines(earshot_gpiod_chip *c)
{
#if EARSHOT_GPIOD_API == 1
	return gpiod_chip_num_lines(c->chip);
#else
	return (unsigned)gpiod_chip_info_get_num_lines(c->info);
#endif
}

/// Opens /dev/NAME (NAME = gpiochipN), as v1's gpiod_chip_open_by_name.
static inline earshot_gpiod_chip *earshot_gpiod_chip_open_by_name(const char *name)
{
	char path[256];
	if (snprintf(path, sizeof path, "/dev/%s", name) >= (int)sizeof path) { errno = ENAMETOOLONG; return NULL; }
	return earshot_gpiod_chip_open(path);
}

/// The GPIO chips in /dev in name order, as v1's gpiod_chip_iter (which v2 dropped).
/// A chip that cannot be opened is skipped; its errno is kept in `first_errno`.
typedef struct earshot_gpiod_chip_iter {
	struct dirent **dirs;
	int count, next;
	earshot_gpiod_chip *current;
	int first_errno;
} earshot_gpiod_chip_iter;

static inline int earshot_gpiod_dir_filter(const struct dirent *d) { return !strncmp(d->d_name, "gpiochip", 8); }

static inline earshot_gpiod_chip_iter *earshot_gpiod_chip_iter_new(void)
{
	earshot_gpiod_chip_iter *it = calloc(1, sizeof(*it));
	if (!it) return NULL;
	it->count = scandir("/dev", &it->dirs, earshot_gpiod_dir_filter, alphasort);
	if (it->count < 0) { int e = errno; free(it); errno = e; return NULL; }
	return it;
}

/// The next chip that opens, or NULL at the end; valid until the next call or _free.
static inline earshot_gpiod_chip *earshot_gpiod_chip_iter_next(earshot_gpiod_chip_iter *it)
{
	earshot_gpiod_chip_close(it->current);
	it->current = NULL;
	while (it->next < it->count) {
		const char *name = it->dirs[it->next++]->d_name;
		it->current = earshot_gpiod_chip_open_by_name(name);
		if (it->current) return it->current;
		if (!it->first_errno) it->first_errno = errno;
	}
	return NULL;
}

static inline void earshot_gpiod_chip_iter_free(earshot_gpiod_chip_iter *it)
{
	if (!it) return;
	earshot_gpiod_chip_close(it->current);
	for (int i = 0; i < it->count; i++) free(it->dirs[i]);
	free(it->dirs);
	free(it);
}

/// The chip whose label is LABEL (v1's gpiod_chip_open_by_label); NULL with errno ENOENT,
/// or the errno of a chip that could not be opened (e.g. EACCES), when none matches.
static inline earshot_gpiod_chip *earshot_gpiod_chip_open_by_label(const char *label)
{
	earshot_gpiod_chip_iter *it = earshot_gpiod_chip_iter_new();
	if (!it) return NULL;
	earshot_gpiod_chip *c;
	while ((c = earshot_gpiod_chip_iter_next(it))) {
		if (strcmp(label, earshot_gpiod_chip_label(c)) == 0) {
			it->current = NULL;   /* the caller owns it now */
			earshot_gpiod_chip_iter_free(it);
			return c;
		}
	}
	int e = it->first_errno ? it->first_errno : ENOENT;
	earshot_gpiod_chip_iter_free(it);
	errno = e;
	return NULL;
}

/// v1's gpiod_chip_open_lookup (what gpiodetect-era tools accept): a number N is
/// /dev/gpiochipN; otherwise a label, then a /dev/ path or a gpiochipN name.
static inline earshot_gpiod_chip *earshot_gpiod_chip_open_lookup(const char *s)
{
	bool number = *s != 0;
	for (const char *p = s; *p; p++) if (*p < '0' || *p > '9') number = false;
	if (number) {
		char name[64];
		snprintf(name, sizeof name, "gpiochip%lu", strtoul(s, NULL, 10));
		return earshot_gpiod_chip_open_by_name(name);
	}
	earshot_gpiod_chip *c = earshot_gpiod_chip_open_by_label(s);
	if (c) return c;
	return strncmp(s, "/dev/", 5) ? earshot_gpiod_chip_open_by_name(s) : earshot_gpiod_chip_open(s);
}

/// The offset of the line named NAME, or -1 with errno (ENOENT: no such name).
static inline int earshot_gpiod_chip_find_line(earshot_gpiod_chip *c, const char *name)
{
#if EARSHOT_GPIOD_API == 1
	struct gpiod_line *line = gpiod_chip_find_line(c->chip, name);
	return line ? (int)gpiod_line_offset(line) : -1;
#else
	return gpiod_chip_get_line_offset_from_name(c->chip, name);
#endif
}

/// Copies the consumer holding line OFFSET into BUF ("" when unused or unnamed);
/// 0, or -1 with errno.
static inline int earshot_gpiod_line_consumer(earshot_gpiod_chip *c, unsigned offset, char *buf, size_t len)
{
	const char *user = NULL;
	if (len) buf[0] = 0;
#if EARSHOT_GPIOD_API == 1
	struct gpiod_line *line = gpiod_chip_get_line(c->chip, offset);
	if (!line || gpiod_line_update(line) != 0) return -1;
	user = gpiod_line_consumer(line);
	if (user && len) snprintf(buf, len, "%s", user);
#else
	struct gpiod_line_info *info = gpiod_chip_get_line_info(c->chip, offset);
	if (!info) return -1;
	user = gpiod_line_info_get_consumer(info);
	if (user && len) snprintf(buf, len, "%s", user);
	gpiod_line_info_free(info);
#endif
	return 0;
}

/// Output lines requested together from one chip.
typedef struct earshot_gpiod_request {
	size_t count;
	unsigned *offsets;
#if EARSHOT_GPIOD_API == 1
	struct gpiod_line **lines;
#else
	struct gpiod_line_request *request;
#endif
} earshot_gpiod_request;

static inline void earshot_gpiod_request_release(earshot_gpiod_request *r)
{
	if (!r) return;
#if EARSHOT_GPIOD_API == 1
	for (size_t i = 0; i < r->count; i++) if (r->lines[i]) gpiod_line_release(r->lines[i]);
	free(r->lines);
#else
	if (r->request) gpiod_line_request_release(r->request);
#endif
	free(r->offsets);
	free(r);
}

/// Requests N lines (OFFSETS) as outputs for CONSUMER, line i active-low when
/// ACTIVE_LOW[i], starting at logical value VALUES[i] (0 inactive, 1 active): all or
/// none. NULL with errno on failure, and *FAILED = the index of the line it concerns
/// (N when the library does not say which: v2 requests all lines in one call, so for
/// EBUSY the first line another consumer holds is named, otherwise none).
static inline earshot_gpiod_request *earshot_gpiod_request_output(earshot_gpiod_chip *c, const char *consumer,
		const unsigned *offsets, const bool *active_low, const int *values, size_t n, size_t *failed)
{
	*failed = n;
	earshot_gpiod_request *r = calloc(1, sizeof(*r));
	if (!r) return NULL;
	r->offsets = calloc(n ? n : 1, sizeof(*r->offsets));
	if (!r->offsets) { free(r); errno = ENOMEM; return NULL; }
	memcpy(r->offsets, offsets, n * sizeof(*offsets));
	int e = 0;
#if EARSHOT_GPIOD_API == 1
	r->lines = calloc(n ? n : 1, sizeof(*r->lines));
	if (!r->lines) { free(r->offsets); free(r); errno = ENOMEM; return NULL; }
	for (size_t i = 0; i < n; i++) {
		struct gpiod_line *line = gpiod_chip_get_line(c->chip, offsets[i]);
		int flags = active_low[i] ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
		if (!line || gpiod_line_request_output_flags(line, consumer, flags, values[i] ? 1 : 0) != 0) {
			e = errno ? errno : EIO; *failed = i; break;
		}
		r->lines[i] = line;
		r->count = i + 1;
	}
	if (e) { earshot_gpiod_request_release(r); errno = e; return NULL; }
	r->count = n;
#else
	struct gpiod_line_settings *s = gpiod_line_settings_new();
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();
	if (!s || !lc || !rc) e = ENOMEM;
	for (size_t i = 0; i < n && !e; i++) {
		gpiod_line_settings_reset(s);
		if (gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_OUTPUT)
		    || gpiod_line_settings_set_output_value(s, values[i] ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE)) {
			e = errno ? errno : EIO; *failed = i; break;
		}
		gpiod_line_settings_set_active_low(s, active_low[i]);
		if (gpiod_line_config_add_line_settings(lc, &offsets[i], 1, s)) { e = errno ? errno : EIO; *failed = i; break; }
	}
	if (!e) {
		gpiod_request_config_set_consumer(rc, consumer);
		r->request = gpiod_chip_request_lines(c->chip, rc, lc);
		if (!r->request) {
			e = errno ? errno : EIO;
			if (e == EBUSY) {
				for (size_t i = 0; i < n && *failed == n; i++) {
					struct gpiod_line_info *info = gpiod_chip_get_line_info(c->chip, offsets[i]);
					if (info && gpiod_line_info_is_used(info)) *failed = i;
					gpiod_line_info_free(info);
				}
			} else if (e == EINVAL) {
				for (size_t i = 0; i < n && *failed == n; i++)
					if (offsets[i] >= earshot_gpiod_chip_num_lines(c)) *failed = i;
			}
		}
	}
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(s);
	if (e) { earshot_gpiod_request_release(r); errno = e; return NULL; }
	r->count = n;
#endif
	return r;
}

/// Sets line INDEX of the request (its order in the request) to logical VALUE; 0, or -1 with errno.
static inline int earshot_gpiod_request_set(earshot_gpiod_request *r, size_t index, int value)
{
	if (index >= r->count) { errno = EINVAL; return -1; }
#if EARSHOT_GPIOD_API == 1
	return gpiod_line_set_value(r->lines[index], value ? 1 : 0);
#else
	return gpiod_line_request_set_value(r->request, r->offsets[index], value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
#endif
}

/// The offset of line INDEX of the request.
static inline unsigned earshot_gpiod_request_offset(earshot_gpiod_request *r, size_t index) { return r->offsets[index]; }

#endif
