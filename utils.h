/* SPDX-License-Identifier: LGPL-2.0-or-later
 * utils.h: diagnostics, allocation, cleanup attributes, fd and string
 * helpers shared by every module.  Runs in any of bwrap's processes, with
 * whatever privileges that process has; nothing here changes privileges. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#define BWRAP_NORETURN __attribute__ ((noreturn))
#define BWRAP_PRINTF(a, b) __attribute__ ((format (printf, a, b)))
#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

/* ---- Errors -------------------------------------------------------------
 * Builders (pure code) never print or exit: they return a negative errno and
 * fill a caller-owned struct bwrap_error.  Drivers turn that into die_error(). */
struct bwrap_error
{
  int errnum;          /* errno to append as ": <strerror>", 0 for none */
  char *message;       /* owned; NULL when no error was recorded */
};

/* Record an error (replacing any earlier one) and return -errnum, or -EINVAL
 * when errnum is 0.  err may be NULL. */
int bwrap_error_set (struct bwrap_error *err, int errnum, const char *fmt, ...) BWRAP_PRINTF (3, 4);
void bwrap_error_clear (struct bwrap_error *err);

/* ---- Diagnostics -------------------------------------------------------
 * Every line is "bwrap: " (or the name log_set_program_name gave) + message, optionally after a syslog severity tag
 * ("<3>" fatal, "<4>" warning) once --level-prefix has been parsed.  The tag
 * setting is process-wide state because die() may run anywhere. */
void log_set_level_prefix (bool enabled);
/* "bwrap" unless changed: the second program, bwrap-changes, sets its own
 * name; name must live for the whole run. */
void log_set_program_name (const char *name);
void warn_msg (const char *fmt, ...) BWRAP_PRINTF (1, 2);
BWRAP_NORETURN void die (const char *fmt, ...) BWRAP_PRINTF (1, 2);
/* Like die() with ": <strerror(errno)>" appended (errno read on entry). */
BWRAP_NORETURN void die_with_error (const char *fmt, ...) BWRAP_PRINTF (1, 2);
/* Print a recorded builder error and exit 1. */
BWRAP_NORETURN void die_error (const struct bwrap_error *err);
BWRAP_NORETURN void die_oom (void);

/* ---- Allocation (die on OOM) -------------------------------------------- */
void *xmalloc (size_t size);
void *xcalloc (size_t nmemb, size_t size);
void *xrealloc (void *ptr, size_t size);
/* Grow an array of n elements of elem_size by one; returns the new array. */
void *xappend (void *array, size_t *n, size_t elem_size);
char *xstrdup (const char *str);   /* NULL in, NULL out */
char *xasprintf (const char *fmt, ...) BWRAP_PRINTF (1, 2);
char *strconcat (const char *a, const char *b);
char *strconcat3 (const char *a, const char *b, const char *c);
void strv_free (char **strv);
size_t strv_length (char *const *strv);

/* ---- Cleanup attributes ------------------------------------------------- */
static inline void cleanup_freep (void *p) { free (*(void **) p); }
static inline void cleanup_fdp (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      (void) close (*fd);   /* nothing useful to do on failure here */
      errno = saved;
    }
}
static inline void cleanup_strvp (char ***p) { strv_free (*p); }
#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_fd __attribute__ ((cleanup (cleanup_fdp)))
#define cleanup_strv __attribute__ ((cleanup (cleanup_strvp)))

static inline void *steal_pointer_impl (void *pp)
{
  void **p = pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define steal_pointer(pp) ((__typeof__ (*(pp))) steal_pointer_impl (pp))
static inline int steal_fd (int *fd)
{
  int v = *fd;
  *fd = -1;
  return v;
}

/* ---- Number parsing (pure) ----------------------------------------------
 * Each returns 0 on success, -EINVAL on malformed input, -ERANGE when out of
 * range.  Rules follow bubblewrap 0.11: what it accepts is accepted, what
 * it refuses is refused (tests/unit/test-utils.c lists the cases). */
int parse_fd (const char *str, int *ret_fd);          /* base 10, >= 0 */
int parse_id (const char *str, uint32_t *ret_id);     /* uid/gid: base 10, < 2^32-1 */
int parse_mode (const char *str, mode_t *ret_mode);   /* octal, <= 07777 */
int parse_size (const char *str, uint64_t *ret_size); /* auto base, non-zero, <= SIZE_MAX/2 */

/* ---- fds ---------------------------------------------------------------- */
#define FDS_PASS_MAX 3   /* fds one message may carry (SCM_RIGHTS) */
/* One message on a SOCK_SEQPACKET socket, with n_fds (<= FDS_PASS_MAX)
 * fds.  Returns what sendmsg(2) returns; never raises SIGPIPE. */
ssize_t send_with_fds (int sock, const void *buf, size_t len, const int *fds, size_t n_fds);
/* Receive one message and the fds sent with it (O_CLOEXEC), retrying on
 * EINTR.  Returns the length, 0 at EOF, -1 with errno on error; *n_fds
 * counts the fds.  A cut message, or one with more than max_fds (<=
 * FDS_PASS_MAX) fds, is an error (EMSGSIZE) and its fds are closed. */
ssize_t recv_with_fds (int sock, void *buf, size_t len, int *fds, size_t max_fds,
                       size_t *n_fds);
/* Read fd to EOF into a NUL-terminated buffer (length excluding the NUL in
 * *ret_len).  Fails with -E2BIG past max_len bytes.  Returns 0 or -errno. */
int read_fd_all (int fd, size_t max_len, char **ret_data, size_t *ret_len);
/* Write all of buf, retrying on EINTR and short writes.  0 or -errno. */
int write_all (int fd, const void *buf, size_t len);
/* Copy everything from in (a file, pipe or socket) to out, in chunks,
 * until end of file.  0 or -errno. */
int copy_fd_data (int in, int out);
/* Write a string to a path (procfs/sysfs files).  0 or -errno. */
int write_file_at (int dirfd, const char *path, const char *content);
/* The directory name in dir_fd, created with exactly mode (no umask; an
 * existing one is fine), as an O_PATH fd (not following a symlink), or
 * -errno. */
int open_subdir (int dir_fd, const char *name, mode_t mode);
/* Block until the process holding the other end of the go pipe fd has
 * written its one byte, then close fd.  EOF instead means that process
 * died before it was ready: we must not carry on behind its back, so
 * this exits 1 (_exit: no exit handlers, safe in any of our processes). */
void wait_go (int fd);
/* Read one byte (or EOF) from fd, retrying on EINTR; errors ignored. */
int wait_readable_byte (int fd);   /* 0, or -errno for an invalid fd */

/* ---- Paths (pure) -------------------------------------------------------- */
/* True when a equals b or lies below it ("/a/b" is below "/a", "/ab" is not).
 * Both must be canonical absolute paths. */
bool path_is_same_or_below (const char *a, const char *b);
/* Skip leading slashes: "//x/y" -> "x/y", "/" -> "". */
const char *path_skip_slashes (const char *path);
