/* SPDX-License-Identifier: LGPL-2.0-or-later
 * utils.c: diagnostics, allocation, number parsing and fd helpers.
 * Runs in every bwrap process; privilege-neutral. */
#include "utils.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Process-wide because die() can be reached from any module and process;
 * set once by main() when --level-prefix has been parsed. */
static bool level_prefix_enabled;
/* The name each line starts with: "bwrap", or "bwrap-changes" for the
 * second program, which shares this library.  Set once by main(). */
static const char *program_name = "bwrap";

void
log_set_level_prefix (bool enabled)
{
  level_prefix_enabled = enabled;
}

void
log_set_program_name (const char *name)
{
  program_name = name;
}

/* format (printf, 2, 0): a va_list wrapper, so clang's -Wformat-nonliteral
 * (from -Werror=format=2) checks the callers instead of failing here. */
static void BWRAP_PRINTF (2, 0)
vlog_line (int severity, const char *fmt, va_list ap, const char *suffix)
{
  char buf[4096];
  char *msg = NULL;
  char *line = NULL;
  va_list ap_copy;
  int n = 0;

  /* Build the whole line first and write it with one call so lines from
   * several of our processes never interleave.  On the heap: a path
   * argument may be far longer than PATH_MAX, and cutting the line short
   * would drop the errno text at its end, the part that says what went
   * wrong.  The fixed buffer below is only the fallback without memory. */
  va_copy (ap_copy, ap);
  if (vasprintf (&msg, fmt, ap_copy) >= 0)
    {
      char prefix[16] = "";
      if (level_prefix_enabled)
        (void) snprintf (prefix, sizeof prefix, "<%d>", severity);
      n = asprintf (&line, "%s%s: %s%s%s\n", prefix, program_name, msg,
                    suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
      free (msg);
    }
  va_end (ap_copy);
  if (line != NULL && n > 0)
    {
      (void) write_all (STDERR_FILENO, line, n);  /* nowhere left to report to */
      free (line);
      return;
    }
  n = 0;
  if (level_prefix_enabled)
    n = snprintf (buf, sizeof buf, "<%d>", severity);
  n += snprintf (buf + n, sizeof buf - n, "%s: ", program_name);
  if (n < (int) sizeof buf)
    n += vsnprintf (buf + n, sizeof buf - n, fmt, ap);
  if (suffix != NULL && n < (int) sizeof buf)
    n += snprintf (buf + n, sizeof buf - n, ": %s", suffix);
  if (n > (int) sizeof buf - 2)
    n = sizeof buf - 2;
  buf[n++] = '\n';
  (void) write_all (STDERR_FILENO, buf, n);  /* nowhere left to report to */
}

void
warn_msg (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vlog_line (4, fmt, ap, NULL);
  va_end (ap);
}

void
die (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vlog_line (3, fmt, ap, NULL);
  va_end (ap);
  _exit (1);
}

void
die_with_error (const char *fmt, ...)
{
  int saved = errno;
  va_list ap;
  va_start (ap, fmt);
  vlog_line (3, fmt, ap, strerror (saved));
  va_end (ap);
  _exit (1);
}

void
die_error (const struct bwrap_error *err)
{
  if (err->errnum != 0)
    die ("%s: %s", err->message ? err->message : "error", strerror (err->errnum));
  die ("%s", err->message ? err->message : "error");
}

void
die_oom (void)
{
  /* bubblewrap's bare line, without "bwrap: " (allocation may be what failed). */
  static const char msg[] = "Out of memory\n";
  (void) write_all (STDERR_FILENO, msg, sizeof msg - 1);
  _exit (1);
}

int
bwrap_error_set (struct bwrap_error *err, int errnum, const char *fmt, ...)
{
  if (err != NULL)
    {
      va_list ap;
      char *msg = NULL;
      va_start (ap, fmt);
      if (vasprintf (&msg, fmt, ap) < 0)
        die_oom ();
      va_end (ap);
      free (err->message);
      err->message = msg;
      err->errnum = errnum;
    }
  return errnum > 0 ? -errnum : -EINVAL;
}

void
bwrap_error_clear (struct bwrap_error *err)
{
  if (err == NULL)
    return;
  free (err->message);
  err->message = NULL;
  err->errnum = 0;
}

void *
xmalloc (size_t size)
{
  void *p = malloc (size ? size : 1);
  if (p == NULL)
    die_oom ();
  return p;
}

void *
xcalloc (size_t nmemb, size_t size)
{
  void *p = calloc (nmemb ? nmemb : 1, size ? size : 1);
  if (p == NULL)
    die_oom ();
  return p;
}

void *
xrealloc (void *ptr, size_t size)
{
  void *p = realloc (ptr, size ? size : 1);
  if (p == NULL)
    die_oom ();
  return p;
}

void *
xappend (void *array, size_t *n, size_t elem_size)
{
  /* Grow geometrically: capacity is the next power of two >= n + 1. */
  size_t cap = 1;
  while (cap < *n + 1)
    cap <<= 1;
  if (*n == 0 || (*n & (*n - 1)) == 0)
    {
      if (cap > SIZE_MAX / elem_size)
        die_oom ();
      array = xrealloc (array, cap * elem_size);
    }
  memset ((char *) array + *n * elem_size, 0, elem_size);
  (*n)++;
  return array;
}

char *
xstrdup (const char *str)
{
  char *p;
  if (str == NULL)
    return NULL;
  p = strdup (str);
  if (p == NULL)
    die_oom ();
  return p;
}

char *
xasprintf (const char *fmt, ...)
{
  char *p = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&p, fmt, ap) < 0)
    die_oom ();
  va_end (ap);
  return p;
}

char *
strconcat (const char *a, const char *b)
{
  return xasprintf ("%s%s", a ? a : "", b ? b : "");
}

char *
strconcat3 (const char *a, const char *b, const char *c)
{
  return xasprintf ("%s%s%s", a ? a : "", b ? b : "", c ? c : "");
}

void
strv_free (char **strv)
{
  if (strv == NULL)
    return;
  for (char **s = strv; *s != NULL; s++)
    free (*s);
  free (strv);
}

size_t
strv_length (char *const *strv)
{
  size_t n = 0;
  while (strv != NULL && strv[n] != NULL)
    n++;
  return n;
}

int
parse_fd (const char *str, int *ret_fd)
{
  char *end = NULL;
  long v;

  errno = 0;
  v = strtol (str, &end, 10);
  if (*str == '\0' || end == str || *end != '\0')
    return -EINVAL;
  if (errno == ERANGE || v < 0 || v > INT_MAX)
    return errno == ERANGE || v > INT_MAX ? -ERANGE : -EINVAL;
  *ret_fd = (int) v;
  return 0;
}

int
parse_id (const char *str, uint32_t *ret_id)
{
  char *end = NULL;
  long long v;

  errno = 0;
  v = strtoll (str, &end, 10);
  if (*str == '\0' || end == str || *end != '\0')
    return -EINVAL;
  /* (uid_t) -1 means "no change" to the kernel and is never a valid id. */
  if (errno == ERANGE || v < 0 || v >= (long long) UINT32_MAX)
    return -ERANGE;
  *ret_id = (uint32_t) v;
  return 0;
}

int
parse_mode (const char *str, mode_t *ret_mode)
{
  char *end = NULL;
  unsigned long v;

  /* strtoul rules as in bubblewrap: leading blanks and a sign are
   * accepted ("-0" is 0); a negative value wraps above 07777 and fails. */
  errno = 0;
  v = strtoul (str, &end, 8);
  if (*str == '\0' || end == str || *end != '\0' || errno == ERANGE || v > 07777)
    return -EINVAL;
  *ret_mode = (mode_t) v;
  return 0;
}

int
parse_size (const char *str, uint64_t *ret_size)
{
  char *end = NULL;
  unsigned long long v;

  if (*str < '0' || *str > '9')
    return -EINVAL;
  errno = 0;
  v = strtoull (str, &end, 0);
  /* Overflowing unsigned long long is malformed (bubblewrap: "takes a
   * non-zero number of bytes"); only a representable value above the
   * tmpfs limit is -ERANGE ("is limited to"). */
  if (end == str || *end != '\0' || v == 0 || errno == ERANGE)
    return -EINVAL;
  if (v > SIZE_MAX / 2)
    return -ERANGE;
  *ret_size = v;
  return 0;
}

ssize_t
send_with_fds (int sock, const void *buf, size_t len, const int *fds, size_t n_fds)
{
  char cbuf[CMSG_SPACE (FDS_PASS_MAX * sizeof (int))];
  struct iovec iov = { (void *) buf, len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

  if (n_fds > FDS_PASS_MAX)
    {
      errno = EINVAL;
      return -1;
    }
  if (n_fds > 0)
    {
      struct cmsghdr *c;
      memset (cbuf, 0, sizeof cbuf);
      msg.msg_control = cbuf;
      msg.msg_controllen = CMSG_SPACE (n_fds * sizeof (int));
      c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (n_fds * sizeof (int));
      memcpy (CMSG_DATA (c), fds, n_fds * sizeof (int));
    }
  return sendmsg (sock, &msg, MSG_NOSIGNAL);
}

ssize_t
recv_with_fds (int sock, void *buf, size_t len, int *fds, size_t max_fds, size_t *n_fds)
{
  char cbuf[CMSG_SPACE (FDS_PASS_MAX * sizeof (int))];
  int got[FDS_PASS_MAX];
  size_t n_got = 0;
  bool too_many = false;
  struct iovec iov = { buf, len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  ssize_t n;

  *n_fds = 0;
  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN (0)) / sizeof (int); i++)
        {
          int fd;
          memcpy (&fd, CMSG_DATA (c) + i * sizeof (int), sizeof fd);
          /* (CMSG_SPACE rounds up: a fourth fd may fit in cbuf.) */
          if (n_got < max_fds && n_got < FDS_PASS_MAX)
            got[n_got++] = fd;
          else
            {
              (void) close (fd);
              too_many = true;
            }
        }
  if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || too_many)
    {
      for (size_t i = 0; i < n_got; i++)
        (void) close (got[i]);
      errno = EMSGSIZE;
      return -1;
    }
  memcpy (fds, got, n_got * sizeof (int));
  *n_fds = n_got;
  return n;
}

int
read_fd_all (int fd, size_t max_len, char **ret_data, size_t *ret_len)
{
  size_t len = 0, cap = 4096;
  cleanup_free char *data = xmalloc (cap + 1);

  for (;;)
    {
      ssize_t n;
      if (len == cap)
        {
          if (cap >= max_len)
            return -E2BIG;
          cap = cap * 2 > max_len ? max_len : cap * 2;
          data = xrealloc (data, cap + 1);
        }
      n = read (fd, data + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      if (n == 0)
        break;
      len += n;
    }
  data[len] = '\0';
  *ret_data = steal_pointer (&data);
  *ret_len = len;
  return 0;
}

int
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      p += n;
      len -= n;
    }
  return 0;
}

int
copy_fd_data (int in, int out)
{
  char buf[65536];

  for (;;)
    {
      ssize_t n = read (in, buf, sizeof buf);
      int r;
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      if (n == 0)
        return 0;
      r = write_all (out, buf, n);
      if (r < 0)
        return r;
    }
}

int
write_file_at (int dirfd, const char *path, const char *content)
{
  cleanup_fd int fd = openat (dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return -errno;
  return write_all (fd, content, strlen (content));
}

int
open_subdir (int dir_fd, const char *name, mode_t mode)
{
  int fd;

  if (mkdirat (dir_fd, name, mode) == 0)
    {
      /* The caller's umask must not change the mode, which for an upper
       * root becomes the mode of the overlay's root directory. */
      if (fchmodat (dir_fd, name, mode, 0) != 0)
        return -errno;
    }
  else if (errno != EEXIST)
    return -errno;
  fd = openat (dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

void
wait_go (int fd)
{
  char go;
  ssize_t n;

  do
    n = read (fd, &go, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    _exit (1);
  (void) close (fd);
}

int
wait_readable_byte (int fd)
{
  char c;
  struct pollfd p = { .fd = fd, .events = POLLIN };
  int r;

  /* The caller closing its end (EOF, POLLHUP) is a release too, as in
   * bubblewrap; only an fd that was never valid is an error. */
  while ((r = poll (&p, 1, -1)) < 0 && errno == EINTR)
    ;
  if (r < 0)
    return -errno;
  if (p.revents & POLLNVAL)
    return -EBADF;
  while (read (fd, &c, 1) < 0 && errno == EINTR)
    ;
  return 0;
}

bool
path_is_same_or_below (const char *a, const char *b)
{
  size_t lb = strlen (b);
  if (strcmp (b, "/") == 0)
    return a[0] == '/';
  if (strncmp (a, b, lb) != 0)
    return false;
  return a[lb] == '\0' || a[lb] == '/';
}

const char *
path_skip_slashes (const char *path)
{
  while (*path == '/')
    path++;
  return path;
}
