/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-fixture.h: what every test-overlay-*.c shares: a per-test
 * temporary directory (tdir) with a basic layer tree, file helpers, overlay
 * ops in a fresh plan, and run_child(), which forks a child into a private
 * mount namespace (optionally a user namespace too) so root-only tests can
 * mount without touching the host.  Include it once per test executable:
 * the state is static. */
#pragma once

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel-api.h"
#include "overlay.h"
#include "overlay-options.h"
#include "overlay-preflight.h"
#include "plan.h"
#include "utils.h"

#define SKIP_STATUS 77

/* ---- helpers ------------------------------------------------------------ */

static inline char *
make_tmpdir (const char *base)
{
  char *templ = xasprintf ("%s/test-overlay-XXXXXX", base);
  char *real;
  if (mkdtemp (templ) == NULL)
    {
      free (templ);
      return NULL;
    }
  real = realpath (templ, NULL);
  free (templ);
  return real;
}

static inline int
rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st, (void) ftw;
  /* best effort: a failure leaves a stray temp dir, not a wrong result */
  if (flag == FTW_DP)
    (void) rmdir (path);
  else
    (void) unlink (path);
  return 0;
}

static inline int
chmod_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) ftw;
  if (flag == FTW_D || flag == FTW_DNR)
    (void) chmod (path, (st->st_mode & 07777) | 0700);
  return 0;
}

static inline void
rm_rf (const char *path)
{
  if (path == NULL)
    return;
  /* overlayfs leaves work/work mode 000 in a workdir */
  (void) nftw (path, chmod_entry, 64, FTW_PHYS);
  (void) nftw (path, chmod_entry, 64, FTW_PHYS);
  (void) nftw (path, rm_entry, 64, FTW_DEPTH | FTW_PHYS);
}

/* The attribute lets clang's -Wformat=2 check the callers instead of
 * refusing the non-literal format below. */
static inline char * __attribute__ ((format (printf, 1, 2)))
pathf (const char *fmt, ...)
{
  char *p = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&p, fmt, ap) < 0)
    abort ();
  va_end (ap);
  return p;
}

static inline void
mkdir_at (const char *base, const char *name)
{
  cleanup_free char *p = pathf ("%s/%s", base, name);
  ck_assert_msg (mkdir (p, 0755) == 0, "mkdir %s: %s", p, strerror (errno));
}

static inline void
write_text (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write_all (fd, text, strlen (text)) < 0)
    {
      fprintf (stderr, "# write %s: %s\n", path, strerror (errno));
      abort ();
    }
  close (fd);
}

static inline void
write_at (const char *base, const char *name, const char *text)
{
  cleanup_free char *p = pathf ("%s/%s", base, name);
  write_text (p, text);
}

/* Contents of a small file, or NULL (errno set) */
static inline char *
read_text (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  char *data = NULL;
  size_t len;
  int r;
  if (fd < 0)
    return NULL;
  r = read_fd_all (fd, 1 << 20, &data, &len);
  close (fd);
  if (r < 0)
    errno = -r;
  return r < 0 ? NULL : data;
}

static inline bool
exists (const char *path)
{
  struct stat st;
  return lstat (path, &st) == 0;
}

/* An overlay op in a fresh plan; layers are given bottom first. */
static inline struct setup_op *
new_op (struct plan *plan, enum setup_op_kind kind, size_t n, char *const *layers)
{
  struct setup_op *op;
  plan_init (plan);
  op = plan_add_op (plan, kind);
  op->dest = xstrdup ("/dest");
  op->layers = xcalloc (n ? n : 1, sizeof (char *));
  op->n_layers = n;
  for (size_t i = 0; i < n; i++)
    op->layers[i] = xstrdup (layers[i]);
  return op;
}

static inline struct setup_op *
new_rw_op (struct plan *plan, size_t n, char *const *layers, const char *upper, const char *work)
{
  struct setup_op *op = new_op (plan, SETUP_OP_OVERLAY, n, layers);
  op->source = xstrdup (upper);
  op->workdir = xstrdup (work);
  return op;
}

#define ck_assert_contains(haystack, needle) \
  ck_assert_msg ((haystack) != NULL && strstr ((haystack), (needle)) != NULL, \
                 "expected \"%s\" in \"%s\"", (needle), (haystack) ? (haystack) : "(null)")

/* ---- forked children with their own mount namespace --------------------- */

static int report_fd = -1;

/* Child side: send the reason to the parent and exit 1. */
static inline void BWRAP_PRINTF (1, 2)
child_fail (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  (void) vdprintf (report_fd, fmt, ap);
  va_end (ap);
  _exit (1);
}

#define CHILD_ASSERT(cond, ...) \
  do { if (!(cond)) child_fail (__VA_ARGS__); } while (0)

static inline void
write_proc (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  CHILD_ASSERT (fd >= 0 && write_all (fd, text, strlen (text)) == 0, "write %s: %s", path, strerror (errno));
  close (fd);
}

static inline void
enter_namespaces (bool user_ns)
{
  if (user_ns)
    {
      uid_t uid = geteuid ();
      gid_t gid = getegid ();
      char map[64];
      if (unshare (CLONE_NEWUSER | CLONE_NEWNS) != 0)
        {
          dprintf (report_fd, "no user namespace: %s", strerror (errno));
          _exit (SKIP_STATUS);
        }
      snprintf (map, sizeof map, "0 %d 1", (int) uid);
      write_proc ("/proc/self/uid_map", map);
      write_proc ("/proc/self/setgroups", "deny");
      snprintf (map, sizeof map, "0 %d 1", (int) gid);
      write_proc ("/proc/self/gid_map", map);
    }
  else
    CHILD_ASSERT (unshare (CLONE_NEWNS) == 0, "unshare: %s", strerror (errno));
  if (mount (NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) != 0)
    {
      int saved = errno;
      /* EINVAL: / is no mount point, as in a chroot (pbuilder, a plain
       * chroot package build), where nothing can be mounted safely. */
      if (saved == EINVAL)
        {
          dprintf (report_fd, "/ is not a mount point (a chroot?)");
          _exit (SKIP_STATUS);
        }
      CHILD_ASSERT (false, "make / private: %s", strerror (saved));
    }
}

/* Run fn in a child in a private mount namespace (and a user namespace
 * mapping the caller to root, with user_ns).  Returns the exit status:
 * 0 passed, SKIP_STATUS skipped (no user namespace, or a chroot), else
 * failed; msg gets the child's text. */
static inline int
run_child (bool user_ns, void (*fn) (void *), void *arg, char *msg, size_t msg_len)
{
  int pipefd[2], status;
  ssize_t n;
  pid_t pid;

  ck_assert (pipe2 (pipefd, O_CLOEXEC) == 0);
  pid = fork ();
  ck_assert (pid >= 0);
  if (pid == 0)
    {
      close (pipefd[0]);
      report_fd = pipefd[1];
      enter_namespaces (user_ns);
      fn (arg);
      _exit (0);
    }
  close (pipefd[1]);
  n = read (pipefd[0], msg, msg_len - 1);
  msg[n > 0 ? n : 0] = '\0';
  close (pipefd[0]);
  ck_assert (waitpid (pid, &status, 0) == pid);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static inline bool
need_root (void)
{
  if (geteuid () == 0)
    return true;
  fprintf (stderr, "# SKIP: needs root (mount namespaces, real overlay mounts)\n");
  return false;
}

/* Runs the child; when it skipped, returns from the calling test, whose
 * later checks would only look for what the child never did. */
#define RUN_CHILD(user_ns, fn, arg) \
  do { \
    char msg_[4096]; \
    int st_ = run_child ((user_ns), (fn), (arg), msg_, sizeof msg_); \
    if (st_ == SKIP_STATUS) \
      { \
        fprintf (stderr, "# SKIP: %s\n", msg_); \
        return; \
      } \
    ck_assert_msg (st_ == 0, "child failed (status %d): %s", st_, msg_); \
  } while (0)

/* ---- per-test temporary directory ---------------------------------------- */

static char *tdir;   /* per-test temporary directory, canonical */

static inline void
tdir_setup (void)
{
  tdir = make_tmpdir ("/tmp");
  ck_assert_ptr_nonnull (tdir);
}

static inline void
tdir_teardown (void)
{
  rm_rf (tdir);
  free (tdir);
  tdir = NULL;
}

/* T/l1 {f=bottom, only-bottom=b}, T/l2 {f=top}, T/u, T/w, T/d, T/hidden */
static inline void
make_basic_tree (void)
{
  cleanup_free char *l1 = pathf ("%s/l1", tdir);
  cleanup_free char *l2 = pathf ("%s/l2", tdir);
  mkdir_at (tdir, "l1");
  mkdir_at (tdir, "l2");
  mkdir_at (tdir, "u");
  mkdir_at (tdir, "w");
  mkdir_at (tdir, "d");
  mkdir_at (tdir, "hidden");
  write_at (l1, "f", "bottom");
  write_at (l1, "only-bottom", "b");
  write_at (l2, "f", "top");
}
