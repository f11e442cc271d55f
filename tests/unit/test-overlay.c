/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-overlay.c: unit tests for overlay.c: option strings, escaping,
 * layer order, overlap detection, preflight on real directories, and (as
 * root) real overlay mounts made in forked children that own a private
 * mount namespace, through both the new mount API and mount(2). */
#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "overlay.h"
#include "plan.h"
#include "utils.h"
#include "unit-main.h"

#define SKIP_STATUS 77

/* ---- helpers ------------------------------------------------------------ */

static char *
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

static int
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

static int
chmod_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) ftw;
  if (flag == FTW_D || flag == FTW_DNR)
    (void) chmod (path, (st->st_mode & 07777) | 0700);
  return 0;
}

static void
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
static char * __attribute__ ((format (printf, 1, 2)))
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

static void
mkdir_at (const char *base, const char *name)
{
  cleanup_free char *p = pathf ("%s/%s", base, name);
  ck_assert_msg (mkdir (p, 0755) == 0, "mkdir %s: %s", p, strerror (errno));
}

static void
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

static void
write_at (const char *base, const char *name, const char *text)
{
  cleanup_free char *p = pathf ("%s/%s", base, name);
  write_text (p, text);
}

/* Contents of a small file, or NULL (errno set) */
static char *
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

static bool
exists (const char *path)
{
  struct stat st;
  return lstat (path, &st) == 0;
}

/* An overlay op in a fresh plan; layers are given bottom first. */
static struct setup_op *
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

static struct setup_op *
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
static void BWRAP_PRINTF (1, 2)
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

static void
write_proc (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  CHILD_ASSERT (fd >= 0 && write_all (fd, text, strlen (text)) == 0, "write %s: %s", path, strerror (errno));
  close (fd);
}

static void
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
  CHILD_ASSERT (mount (NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) == 0,
                "make / private: %s", strerror (errno));
}

/* Run fn in a child in a private mount namespace (and a user namespace
 * mapping the caller to root, with user_ns).  Returns the exit status:
 * 0 passed, SKIP_STATUS skipped, else failed; msg gets the child's text. */
static int
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

static bool
need_root (void)
{
  if (geteuid () == 0)
    return true;
  fprintf (stderr, "# SKIP: needs root (mount namespaces, real overlay mounts)\n");
  return false;
}

#define RUN_CHILD(user_ns, fn, arg) \
  do { \
    char msg_[4096]; \
    int st_ = run_child ((user_ns), (fn), (arg), msg_, sizeof msg_); \
    if (st_ == SKIP_STATUS) \
      fprintf (stderr, "# SKIP: %s\n", msg_); \
    else \
      ck_assert_msg (st_ == 0, "child failed (status %d): %s", st_, msg_); \
  } while (0)

/* ---- pure helpers -------------------------------------------------------- */

START_TEST (test_escape)
{
  cleanup_free char *a = overlay_escape_path ("/a\\b,c:d=e f");
  cleanup_free char *b = overlay_escape_path ("/plain/path");
  cleanup_free char *c = overlay_escape_path (",,::\\\\");
  cleanup_free char *d = overlay_escape_path ("");
  ck_assert_str_eq (a, "/a\\\\b\\,c\\:d=e f");
  ck_assert_str_eq (b, "/plain/path");
  ck_assert_str_eq (c, "\\,\\,\\:\\:\\\\\\\\");
  ck_assert_str_eq (d, "");
}
END_TEST

START_TEST (test_options_rw_order)
{
  char *layers[] = { "/bottom", "/middle", "/top" };
  cleanup_free char *opts = NULL;
  struct bwrap_error err = { 0 };
  int r = overlay_build_options (layers, 3, "/up", "/wk", 4095, &opts, &err);
  ck_assert_int_eq (r, 0);
  ck_assert_str_eq (opts, "upperdir=/up,workdir=/wk,lowerdir=/top:/middle:/bottom,userxattr");
  ck_assert_ptr_null (err.message);
}
END_TEST

START_TEST (test_options_ro)
{
  char *layers[] = { "/b", "/t" };
  cleanup_free char *opts = NULL;
  cleanup_free char *one = NULL;
  ck_assert_int_eq (overlay_build_options (layers, 2, NULL, NULL, 4095, &opts, NULL), 0);
  ck_assert_str_eq (opts, "lowerdir=/t:/b,userxattr");
  ck_assert_int_eq (overlay_build_options (layers, 1, NULL, NULL, 4095, &one, NULL), 0);
  ck_assert_str_eq (one, "lowerdir=/b,userxattr");
}
END_TEST

START_TEST (test_options_escaped)
{
  char *layers[] = { "/lo,w", "/x:y" };
  cleanup_free char *opts = NULL;
  ck_assert_int_eq (overlay_build_options (layers, 2, "/u\\p", "/w=k", 4095, &opts, NULL), 0);
  ck_assert_str_eq (opts, "upperdir=/u\\\\p,workdir=/w=k,lowerdir=/x\\:y:/lo\\,w,userxattr");
}
END_TEST

START_TEST (test_options_limit)
{
  char *layers[] = { "/aaaa", "/bbbb", "/cc:c" };
  cleanup_free char *full = NULL;
  cleanup_free char *at_limit = NULL;
  char *over = NULL;
  cleanup_free char *expect = NULL;
  struct bwrap_error err = { 0 };
  size_t len;

  ck_assert_int_eq (overlay_build_options (layers, 3, "/u", "/w", 100000, &full, NULL), 0);
  len = strlen (full);
  ck_assert_int_eq (overlay_build_options (layers, 3, "/u", "/w", len, &at_limit, &err), 0);
  ck_assert_str_eq (at_limit, full);
  ck_assert_int_eq (overlay_build_options (layers, 3, "/u", "/w", len - 1, &over, &err), -E2BIG);
  ck_assert_ptr_null (over);
  expect = xasprintf ("mount option limit of %zu bytes", len - 1);
  ck_assert_contains (err.message, expect);
  ck_assert_contains (err.message, "--overlay-src");
  bwrap_error_clear (&err);
  ck_assert_int_lt (overlay_build_options (layers, 0, NULL, NULL, 4095, &over, &err), 0);
  ck_assert_ptr_null (over);
  bwrap_error_clear (&err);
}
END_TEST

static int
overlap (char *const *paths, size_t n, char **ret_msg)
{
  char **names = xcalloc (n + 1, sizeof (char *));
  struct bwrap_error err = { 0 };
  int r;
  for (size_t i = 0; i < n; i++)
    names[i] = xasprintf ("name%zu %s", i, paths[i]);
  r = overlay_check_overlap (paths, names, n, &err);
  strv_free (names);
  *ret_msg = err.message;
  return r;
}

START_TEST (test_overlap)
{
  cleanup_free char *msg = NULL;
  char *equal[] = { "/a", "/b", "/a" };
  char *below[] = { "/x/y/z", "/a", "/x/y" };
  char *above[] = { "/x", "/x/y" };
  char *sibling[] = { "/a", "/ab", "/a-b", "/b/a", "/abc/a" };
  char *root[] = { "/srv/x", "/" };

  ck_assert_int_eq (overlap (equal, 3, &msg), -ELOOP);
  ck_assert_contains (msg, "name2 /a overlaps name0 /a");
  ck_assert_contains (msg, "overlap");
  free (steal_pointer (&msg));

  ck_assert_int_eq (overlap (below, 3, &msg), -ELOOP);
  ck_assert_contains (msg, "name0 /x/y/z overlaps name2 /x/y");
  free (steal_pointer (&msg));

  ck_assert_int_eq (overlap (above, 2, &msg), -ELOOP);
  ck_assert_contains (msg, "name1 /x/y overlaps name0 /x");
  free (steal_pointer (&msg));

  ck_assert_int_eq (overlap (sibling, 5, &msg), 0);
  ck_assert_ptr_null (msg);

  ck_assert_int_eq (overlap (root, 2, &msg), -ELOOP);
  ck_assert_contains (msg, "name0 /srv/x overlaps name1 /");
  free (steal_pointer (&msg));

  ck_assert_int_eq (overlap (root, 1, &msg), 0);
  ck_assert_ptr_null (msg);
}
END_TEST

/* ---- preflight on real directories --------------------------------------- */

static char *tdir;   /* per-test temporary directory, canonical */

static void
tdir_setup (void)
{
  tdir = make_tmpdir ("/tmp");
  ck_assert_ptr_nonnull (tdir);
}

static void
tdir_teardown (void)
{
  rm_rf (tdir);
  free (tdir);
  tdir = NULL;
}

/* T/l1 {f=bottom, only-bottom=b}, T/l2 {f=top}, T/u, T/w, T/d, T/hidden */
static void
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

static int
preflight_rw (const char *l1, const char *l2, const char *u, const char *w, char **ret_msg,
              int *ret_errnum)
{
  struct plan plan;
  cleanup_free char *p1 = pathf ("%s/%s", tdir, l1);
  cleanup_free char *p2 = pathf ("%s/%s", tdir, l2);
  cleanup_free char *pu = u[0] == '/' ? xstrdup (u) : pathf ("%s/%s", tdir, u);
  cleanup_free char *pw = w[0] == '/' ? xstrdup (w) : pathf ("%s/%s", tdir, w);
  char *layers[] = { p1, p2 };
  struct bwrap_error err = { 0 };
  struct setup_op *op = new_rw_op (&plan, 2, layers, pu, pw);
  int r = overlay_preflight (op, &err);
  *ret_msg = err.message;
  if (ret_errnum)
    *ret_errnum = err.errnum;
  plan_free (&plan);
  return r;
}

START_TEST (test_preflight_ok_resolves)
{
  struct plan plan;
  struct bwrap_error err = { 0 };
  cleanup_free char *link = pathf ("%s/link", tdir);
  cleanup_free char *via_link = pathf ("%s/link/../l2", tdir);
  cleanup_free char *l1 = pathf ("%s//l1/", tdir);
  cleanup_free char *u = pathf ("%s/u", tdir);
  cleanup_free char *w = pathf ("%s/w", tdir);
  cleanup_free char *expect_l1 = pathf ("%s/l1", tdir);
  cleanup_free char *expect_l2 = pathf ("%s/l2", tdir);
  struct setup_op *op;
  char *layers[2];

  make_basic_tree ();
  mkdir_at (tdir, "target");
  ck_assert (symlink ("target", link) == 0);
  layers[0] = l1;
  layers[1] = via_link;
  op = new_rw_op (&plan, 2, layers, u, w);
  ck_assert_int_eq (overlay_preflight (op, &err), 0);
  ck_assert_ptr_null (err.message);
  ck_assert_ptr_nonnull (op->resolved_layers);
  ck_assert_str_eq (op->resolved_layers[0], expect_l1);
  ck_assert_str_eq (op->resolved_layers[1], expect_l2);
  ck_assert_str_eq (op->resolved_source, u);
  ck_assert_str_eq (op->resolved_workdir, w);
  plan_free (&plan);

  /* tmp and ro overlays need only layers */
  op = new_op (&plan, SETUP_OP_RO_OVERLAY, 2, layers);
  ck_assert_int_eq (overlay_preflight (op, &err), 0);
  ck_assert_ptr_null (op->resolved_source);
  ck_assert_str_eq (op->resolved_layers[1], expect_l2);
  plan_free (&plan);
  op = new_op (&plan, SETUP_OP_TMP_OVERLAY, 1, layers);
  ck_assert_int_eq (overlay_preflight (op, &err), 0);
  ck_assert_str_eq (op->resolved_layers[0], expect_l1);
  plan_free (&plan);
}
END_TEST

START_TEST (test_preflight_missing)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *expect = pathf ("Can't find source path %s/nope", tdir);
  int errnum = 0;

  make_basic_tree ();
  ck_assert_int_eq (preflight_rw ("l1", "nope", "u", "w", &msg, &errnum), -ENOENT);
  ck_assert_str_eq (msg, expect);
  ck_assert_int_eq (errnum, ENOENT);
  free (steal_pointer (&msg));
  ck_assert_int_eq (preflight_rw ("l1", "l2", "nope", "w", &msg, &errnum), -ENOENT);
  ck_assert_str_eq (msg, expect);
  free (steal_pointer (&msg));
  ck_assert_int_eq (preflight_rw ("l1", "l2", "u", "nope", &msg, &errnum), -ENOENT);
  ck_assert_str_eq (msg, expect);
}
END_TEST

START_TEST (test_preflight_not_dir)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *expect = pathf ("--overlay-src %s/file: not a directory", tdir);
  cleanup_free char *expect_u = pathf ("--overlay RWSRC %s/file: not a directory", tdir);
  cleanup_free char *expect_w = pathf ("--overlay WORKDIR %s/file: not a directory", tdir);

  make_basic_tree ();
  write_at (tdir, "file", "x");
  ck_assert_int_eq (preflight_rw ("file", "l2", "u", "w", &msg, NULL), -ENOTDIR);
  ck_assert_str_eq (msg, expect);
  free (steal_pointer (&msg));
  ck_assert_int_eq (preflight_rw ("l1", "l2", "file", "w", &msg, NULL), -ENOTDIR);
  ck_assert_str_eq (msg, expect_u);
  free (steal_pointer (&msg));
  ck_assert_int_eq (preflight_rw ("l1", "l2", "u", "file", &msg, NULL), -ENOTDIR);
  ck_assert_str_eq (msg, expect_w);
}
END_TEST

START_TEST (test_preflight_overlap)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *sub = pathf ("%s/l1/sub", tdir);
  cleanup_free char *lnk = pathf ("%s/lnk", tdir);
  cleanup_free char *expect = pathf ("--overlay-src %s/l1/sub overlaps --overlay-src %s/l1", tdir, tdir);
  cleanup_free char *expect_u = pathf ("--overlay RWSRC %s/l2 overlaps --overlay-src %s/l2", tdir, tdir);
  cleanup_free char *expect_w = pathf ("--overlay WORKDIR %s/u/w overlaps --overlay RWSRC %s/u", tdir, tdir);

  make_basic_tree ();
  ck_assert (mkdir (sub, 0755) == 0);
  ck_assert (symlink ("l1/sub", lnk) == 0);
  /* a symlink hides nothing: lnk is l1/sub */
  ck_assert_int_eq (preflight_rw ("l1", "lnk", "u", "w", &msg, NULL), -ELOOP);
  ck_assert_contains (msg, expect);
  ck_assert_contains (msg, "overlap");
  free (steal_pointer (&msg));
  ck_assert_int_eq (preflight_rw ("l1", "l2", "l2", "w", &msg, NULL), -ELOOP);
  ck_assert_contains (msg, expect_u);
  free (steal_pointer (&msg));
  mkdir_at (tdir, "u/w");
  ck_assert_int_eq (preflight_rw ("l1", "l2", "u", "u/w", &msg, NULL), -ELOOP);
  ck_assert_contains (msg, expect_w);
  free (steal_pointer (&msg));
  /* siblings sharing a name prefix are fine */
  mkdir_at (tdir, "l1x");
  ck_assert_int_eq (preflight_rw ("l1", "l1x", "u", "w", &msg, NULL), 0);
  ck_assert_ptr_null (msg);
}
END_TEST

START_TEST (test_preflight_workdir_not_empty)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *expect = pathf ("--overlay: WORKDIR %s/w is not an empty directory", tdir);
  cleanup_free char *w = pathf ("%s/w", tdir);
  cleanup_free char *stray = pathf ("%s/w/stray", tdir);

  make_basic_tree ();
  write_at (w, "stray", "x");
  ck_assert_int_eq (preflight_rw ("l1", "l2", "u", "w", &msg, NULL), -ENOTEMPTY);
  ck_assert_str_eq (msg, expect);
  free (steal_pointer (&msg));
  ck_assert (unlink (stray) == 0);
  /* "work" must be a directory to count as overlayfs' own leftover */
  write_at (w, "work", "x");
  ck_assert_int_eq (preflight_rw ("l1", "l2", "u", "w", &msg, NULL), -ENOTEMPTY);
  ck_assert_str_eq (msg, expect);
}
END_TEST

START_TEST (test_preflight_workdir_leftovers)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *work = pathf ("%s/w/work", tdir);
  cleanup_free char *index = pathf ("%s/w/index", tdir);

  make_basic_tree ();
  ck_assert (mkdir (work, 0) == 0);
  ck_assert_int_eq (preflight_rw ("l1", "l2", "u", "w", &msg, NULL), 0);
  ck_assert_ptr_null (msg);
  ck_assert (mkdir (index, 0) == 0);
  ck_assert_int_eq (preflight_rw ("l1", "l2", "u", "w", &msg, NULL), 0);
  ck_assert_ptr_null (msg);
}
END_TEST

START_TEST (test_preflight_other_fs)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *shm = make_tmpdir ("/dev/shm");
  cleanup_free char *expect = NULL;
  struct stat a, b;

  make_basic_tree ();
  if (shm == NULL || stat (shm, &a) != 0 || stat (tdir, &b) != 0 || a.st_dev == b.st_dev)
    {
      fprintf (stderr, "# SKIP: /dev/shm and /tmp are not two filesystems\n");
      rm_rf (shm);
      return;
    }
  expect = pathf ("--overlay: WORKDIR %s and RWSRC %s/u must be on the same filesystem", shm, tdir);
  ck_assert_int_eq (preflight_rw ("l1", "l2", "u", shm, &msg, NULL), -EXDEV);
  ck_assert_str_eq (msg, expect);
  rm_rf (shm);
}
END_TEST

START_TEST (test_preflight_unusable_upper)
{
  cleanup_free char *msg = NULL;

  make_basic_tree ();
  ck_assert_int_lt (preflight_rw ("l1", "l2", "/proc", "w", &msg, NULL), 0);
  ck_assert_str_eq (msg, "--overlay: RWSRC /proc is on a proc filesystem, "
                         "which cannot hold an overlay upper layer");
  free (steal_pointer (&msg));
  ck_assert_int_lt (preflight_rw ("l1", "l2", "/sys", "w", &msg, NULL), 0);
  ck_assert_msg (strstr (msg, "read-only filesystem") || strstr (msg, "sysfs filesystem"),
                 "unexpected: %s", msg);
}
END_TEST

START_TEST (test_preflight_limits)
{
  struct plan plan;
  struct bwrap_error err = { 0 };
  cleanup_free char *l1 = pathf ("%s/l1", tdir);
  char **many = xcalloc (PLAN_MAX_LAYERS + 1, sizeof (char *));
  struct setup_op *op;

  make_basic_tree ();
  for (size_t i = 0; i <= PLAN_MAX_LAYERS; i++)
    many[i] = l1;
  op = new_op (&plan, SETUP_OP_RO_OVERLAY, PLAN_MAX_LAYERS + 1, many);
  ck_assert_int_eq (overlay_preflight (op, &err), -E2BIG);
  ck_assert_contains (err.message, "500");
  bwrap_error_clear (&err);
  plan_free (&plan);

  op = new_op (&plan, SETUP_OP_TMP_OVERLAY, 0, many);
  ck_assert_int_lt (overlay_preflight (op, &err), 0);
  bwrap_error_clear (&err);
  plan_free (&plan);

  op = new_op (&plan, SETUP_OP_BIND, 1, many);
  ck_assert_int_lt (overlay_preflight (op, &err), 0);
  ck_assert_ptr_nonnull (err.message);
  bwrap_error_clear (&err);
  plan_free (&plan);
  free (many);
}
END_TEST

/* Children: root-only checks that need mounts of their own. */

static void
child_ro_upper (void *arg)
{
  cleanup_free char *ro = pathf ("%s/ro", tdir);
  cleanup_free char *msg = NULL;
  cleanup_free char *expect = pathf ("--overlay: RWSRC %s/ro/u is on a read-only filesystem", tdir);
  (void) arg;
  CHILD_ASSERT (mount ("tmpfs", ro, "tmpfs", 0, NULL) == 0, "mount tmpfs: %s", strerror (errno));
  mkdir_at (ro, "u");
  mkdir_at (ro, "w");
  CHILD_ASSERT (mount (NULL, ro, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0, "remount: %s", strerror (errno));
  CHILD_ASSERT (preflight_rw ("l1", "l2", "ro/u", "ro/w", &msg, NULL) == -EROFS, "r: %s", msg);
  CHILD_ASSERT (strcmp (msg, expect) == 0, "message: %s", msg);
}

static void
child_bind_tricks (void *arg)
{
  cleanup_free char *l1 = pathf ("%s/l1", tdir);
  cleanup_free char *alias = pathf ("%s/alias", tdir);
  cleanup_free char *w = pathf ("%s/w", tdir);
  cleanup_free char *wb = pathf ("%s/wbind", tdir);
  cleanup_free char *msg = NULL;
  cleanup_free char *expect_same = pathf ("--overlay-src %s/alias overlaps --overlay-src %s/l1 (the same directory)",
                                          tdir, tdir);
  cleanup_free char *expect_mnt = pathf ("--overlay: WORKDIR %s/wbind and RWSRC %s/u must be on the same mount",
                                         tdir, tdir);
  (void) arg;
  /* two paths, one directory: only st_dev/st_ino can tell */
  CHILD_ASSERT (mount (l1, alias, NULL, MS_BIND, NULL) == 0, "bind: %s", strerror (errno));
  CHILD_ASSERT (preflight_rw ("l1", "alias", "u", "w", &msg, NULL) == -ELOOP, "same inode: %s", msg);
  CHILD_ASSERT (strstr (msg, expect_same) != NULL, "message: %s", msg);
  free (steal_pointer (&msg));
  CHILD_ASSERT (mount (w, wb, NULL, MS_BIND, NULL) == 0, "bind: %s", strerror (errno));
  CHILD_ASSERT (preflight_rw ("l1", "l2", "u", "wbind", &msg, NULL) == -EXDEV, "same mount: %s", msg);
  CHILD_ASSERT (strcmp (msg, expect_mnt) == 0, "message: %s", msg);
}

static void
child_not_writable (void *arg)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *expect = pathf ("--overlay: Can't write to RWSRC %s/u", tdir);
  int errnum = 0;
  (void) arg;
  CHILD_ASSERT (setgroups (0, NULL) == 0 && setgid (65534) == 0 && setuid (65534) == 0,
                "drop to nobody: %s", strerror (errno));
  CHILD_ASSERT (preflight_rw ("l1", "l2", "u", "w", &msg, &errnum) == -EACCES, "r: %s", msg);
  CHILD_ASSERT (strcmp (msg, expect) == 0 && errnum == EACCES, "message: %s", msg);
  free (steal_pointer (&msg));
  CHILD_ASSERT (preflight_rw ("l1", "noread", "u", "w", &msg, &errnum) == -EACCES, "r: %s", msg);
  CHILD_ASSERT (strstr (msg, "Can't access --overlay-src") != NULL && errnum == EACCES, "message: %s", msg);
}

START_TEST (test_preflight_as_root)
{
  cleanup_free char *noread = pathf ("%s/noread", tdir);
  if (!need_root ())
    return;
  make_basic_tree ();
  mkdir_at (tdir, "ro");
  mkdir_at (tdir, "alias");
  mkdir_at (tdir, "wbind");
  RUN_CHILD (false, child_ro_upper, NULL);
  RUN_CHILD (false, child_bind_tricks, NULL);
  ck_assert (mkdir (noread, 0700) == 0);
  ck_assert (chmod (tdir, 0755) == 0);
  RUN_CHILD (false, child_not_writable, NULL);
}
END_TEST

/* ---- real mounts (root) ------------------------------------------------- */

struct mount_case
{
  enum overlay_mount_api api;
  struct setup_op *op;
  const char *dest;          /* directory to mount on */
  const char *expect_error;  /* NULL: must succeed */
};

static int
do_mount (struct mount_case *c, struct bwrap_error *err)
{
  cleanup_free char *hidden = pathf ("%s/hidden", tdir);
  cleanup_fd int oldroot = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_fd int hidden_fd = open (hidden, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_fd int dest_fd = open (c->dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHILD_ASSERT (oldroot >= 0 && hidden_fd >= 0 && dest_fd >= 0, "open: %s", strerror (errno));
  return overlay_mount_using (c->api, c->op, oldroot, hidden_fd, dest_fd, "/proc/self/fd", err);
}

static void
child_mount (void *arg)
{
  struct mount_case *c = arg;
  struct bwrap_error err = { 0 };
  int r = do_mount (c, &err);
  if (c->expect_error == NULL)
    CHILD_ASSERT (r == 0, "overlay_mount: %s", err.message);
  else
    {
      CHILD_ASSERT (r < 0, "overlay_mount succeeded, expected %s", c->expect_error);
      CHILD_ASSERT (err.message && strstr (err.message, c->expect_error),
                    "expected \"%s\" in \"%s\"", c->expect_error, err.message);
    }
}

static void
expect_file (const char *dir, const char *name, const char *content)
{
  cleanup_free char *p = pathf ("%s/%s", dir, name);
  cleanup_free char *got = read_text (p);
  CHILD_ASSERT (got != NULL, "read %s: %s", p, strerror (errno));
  CHILD_ASSERT (strcmp (got, content) == 0, "%s: \"%s\", expected \"%s\"", p, got, content);
}

static void
expect_missing (const char *dir, const char *name)
{
  cleanup_free char *p = pathf ("%s/%s", dir, name);
  CHILD_ASSERT (!exists (p), "%s should not exist", p);
}

static void
child_rw (void *arg)
{
  struct mount_case *c = arg;
  cleanup_free char *d = pathf ("%s/d", tdir);
  cleanup_free char *u = pathf ("%s/u", tdir);
  cleanup_free char *l1 = pathf ("%s/l1", tdir);
  cleanup_free char *l2 = pathf ("%s/l2", tdir);
  cleanup_free char *df = pathf ("%s/d/f", tdir);
  cleanup_free char *dob = pathf ("%s/d/only-bottom", tdir);
  cleanup_free char *dnew = pathf ("%s/d/new", tdir);

  c->dest = d;
  child_mount (c);
  expect_file (d, "f", "top");             /* top layer wins */
  expect_file (d, "only-bottom", "b");
  write_text (dnew, "n");                  /* writes land in RWSRC */
  expect_file (u, "new", "n");
  expect_missing (l1, "new");
  expect_missing (l2, "new");
  write_text (dob, "changed");             /* copy-up, lower untouched */
  expect_file (u, "only-bottom", "changed");
  expect_file (l1, "only-bottom", "b");
  CHILD_ASSERT (unlink (df) == 0, "unlink: %s", strerror (errno));
  CHILD_ASSERT (!exists (df), "whiteout: f still visible");
  expect_file (l2, "f", "top");
  expect_file (l1, "f", "bottom");
}

static void
test_rw_with (enum overlay_mount_api api, bool user_ns)
{
  struct plan plan;
  struct bwrap_error err = { 0 };
  cleanup_free char *l1 = pathf ("%s/l1", tdir);
  cleanup_free char *l2 = pathf ("%s/l2", tdir);
  cleanup_free char *u = pathf ("%s/u", tdir);
  cleanup_free char *w = pathf ("%s/w", tdir);
  cleanup_free char *d = pathf ("%s/d", tdir);
  char *layers[] = { l1, l2 };
  struct mount_case c = { api, NULL, NULL, NULL };

  if (!need_root ())
    return;
  make_basic_tree ();
  c.op = new_rw_op (&plan, 2, layers, u, w);
  ck_assert_msg (overlay_preflight (c.op, &err) == 0, "%s", err.message);
  RUN_CHILD (user_ns, child_rw, &c);
  /* the namespace is gone; the upper layer keeps the writes */
  {
    cleanup_free char *got = pathf ("%s/new", u);
    ck_assert (exists (got));
  }
  /* overlayfs left work/ in WORKDIR: a second run must still pass */
  ck_assert_msg (overlay_preflight (c.op, &err) == 0, "reuse: %s", err.message);
  c.dest = d;
  RUN_CHILD (user_ns, child_mount, &c);
  plan_free (&plan);
}

START_TEST (test_mount_rw) { test_rw_with (OVERLAY_API_AUTO, false); }
END_TEST
START_TEST (test_mount_rw_legacy) { test_rw_with (OVERLAY_API_LEGACY, false); }
END_TEST
START_TEST (test_mount_rw_userns) { test_rw_with (OVERLAY_API_AUTO, true); }
END_TEST
START_TEST (test_mount_rw_userns_legacy) { test_rw_with (OVERLAY_API_LEGACY, true); }
END_TEST

static void
child_tmp (void *arg)
{
  struct mount_case *c = arg;
  cleanup_free char *d = pathf ("%s/d", tdir);
  cleanup_free char *l1 = pathf ("%s/l1", tdir);
  cleanup_free char *hidden = pathf ("%s/hidden", tdir);
  cleanup_free char *root = pathf ("%s/hidden/tmp-overlay-3", tdir);
  cleanup_free char *upper = pathf ("%s/hidden/tmp-overlay-3/upper", tdir);
  cleanup_free char *small = pathf ("%s/d/small", tdir);
  cleanup_free char *big = pathf ("%s/d/big", tdir);
  static char chunk[65536];
  struct stat st_hidden, st_root, st_d;
  int fd, saved = 0;

  c->dest = d;
  child_mount (c);
  expect_file (d, "f", "top");
  write_text (small, "s");
  expect_file (upper, "small", "s");
  expect_missing (l1, "small");
  CHILD_ASSERT (stat (hidden, &st_hidden) == 0 && stat (root, &st_root) == 0, "stat hidden: %s",
                strerror (errno));
  CHILD_ASSERT (st_hidden.st_dev != st_root.st_dev, "tmp-overlay-3 is not a fresh tmpfs");
  CHILD_ASSERT (stat (d, &st_d) == 0 && (st_d.st_mode & 07777) == 0755, "overlay root mode %o",
                st_d.st_mode & 07777);
  /* --size 1 MiB: 2 MiB cannot fit */
  fd = open (big, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  CHILD_ASSERT (fd >= 0, "create big: %s", strerror (errno));
  for (int i = 0; i < 32 && saved == 0; i++)
    if (write_all (fd, chunk, sizeof chunk) < 0)
      saved = errno;
  close (fd);
  CHILD_ASSERT (saved == ENOSPC, "writing past --size gave %s", saved ? strerror (saved) : "no error");
}

static void
test_tmp_with (enum overlay_mount_api api)
{
  struct plan plan;
  struct bwrap_error err = { 0 };
  cleanup_free char *l1 = pathf ("%s/l1", tdir);
  cleanup_free char *l2 = pathf ("%s/l2", tdir);
  cleanup_free char *stray = pathf ("%s/hidden/tmp-overlay-3", tdir);
  char *layers[] = { l1, l2 };
  struct mount_case c = { api, NULL, NULL, NULL };

  if (!need_root ())
    return;
  make_basic_tree ();
  c.op = new_op (&plan, SETUP_OP_TMP_OVERLAY, 2, layers);
  c.op->overlay_index = 3;
  c.op->flags |= SETUP_OP_FLAG_HAS_SIZE;
  c.op->size = 1 << 20;
  ck_assert_msg (overlay_preflight (c.op, &err) == 0, "%s", err.message);
  RUN_CHILD (false, child_tmp, &c);
  /* nothing reached the host: the tmpfs went away with the namespace */
  {
    cleanup_free char *upper = pathf ("%s/upper", stray);
    ck_assert (!exists (upper));
  }
  plan_free (&plan);
}

START_TEST (test_mount_tmp) { test_tmp_with (OVERLAY_API_AUTO); }
END_TEST
START_TEST (test_mount_tmp_legacy) { test_tmp_with (OVERLAY_API_LEGACY); }
END_TEST

static void
child_ro (void *arg)
{
  struct mount_case *c = arg;
  cleanup_free char *d = pathf ("%s/d", tdir);
  cleanup_free char *dnew = pathf ("%s/d/new", tdir);
  int fd;

  c->dest = d;
  child_mount (c);
  expect_file (d, "f", "top");
  expect_file (d, "only-bottom", "b");
  fd = open (dnew, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  CHILD_ASSERT (fd < 0 && errno == EROFS, "create in ro overlay: %s", fd < 0 ? strerror (errno) : "worked");
}

static void
test_ro_with (enum overlay_mount_api api)
{
  struct plan plan;
  struct bwrap_error err = { 0 };
  cleanup_free char *l1 = pathf ("%s/l1", tdir);
  cleanup_free char *l2 = pathf ("%s/l2", tdir);
  char *layers[] = { l1, l2 };
  struct mount_case c = { api, NULL, NULL, NULL };

  if (!need_root ())
    return;
  make_basic_tree ();
  c.op = new_op (&plan, SETUP_OP_RO_OVERLAY, 2, layers);
  ck_assert_msg (overlay_preflight (c.op, &err) == 0, "%s", err.message);
  RUN_CHILD (false, child_ro, &c);
  plan_free (&plan);
}

START_TEST (test_mount_ro) { test_ro_with (OVERLAY_API_AUTO); }
END_TEST
START_TEST (test_mount_ro_legacy) { test_ro_with (OVERLAY_API_LEGACY); }
END_TEST

/* n layers T/cas/<64 hex>/root, layer i holding "layer-<i>" and "which"=i */
static char **
make_cas_layers (size_t n)
{
  char **layers = xcalloc (n + 1, sizeof (char *));
  mkdir_at (tdir, "cas");
  for (size_t i = 0; i < n; i++)
    {
      char name[32];
      cleanup_free char *hash = pathf ("%s/cas/%064zx", tdir, i * 0x9e3779b97f4a7c15u);
      layers[i] = pathf ("%s/root", hash);
      ck_assert (mkdir (hash, 0755) == 0 && mkdir (layers[i], 0755) == 0);
      snprintf (name, sizeof name, "layer-%zu", i);
      write_at (layers[i], name, "");
      snprintf (name, sizeof name, "%zu", i);
      write_at (layers[i], "which", name);
    }
  return layers;
}

static void
child_many (void *arg)
{
  struct mount_case *c = arg;
  cleanup_free char *d = pathf ("%s/d", tdir);
  char top[32];

  c->dest = d;
  child_mount (c);
  snprintf (top, sizeof top, "%zu", c->op->n_layers - 1);
  expect_file (d, "which", top);
  expect_file (d, "layer-0", "");
  expect_file (d, "layer-499", "");
}

static void
test_many_with (enum overlay_mount_api api)
{
  struct plan plan;
  struct bwrap_error err = { 0 };
  cleanup_strv char **layers = NULL;
  struct mount_case c = { api, NULL, NULL, NULL };

  if (!need_root ())
    return;
  make_basic_tree ();
  layers = make_cas_layers (PLAN_MAX_LAYERS);
  ck_assert_int_gt (strlen (layers[0]), 90);
  c.op = new_op (&plan, SETUP_OP_RO_OVERLAY, PLAN_MAX_LAYERS, layers);
  ck_assert_msg (overlay_preflight (c.op, &err) == 0, "%s", err.message);
  RUN_CHILD (false, child_many, &c);
  plan_free (&plan);
}

START_TEST (test_mount_500) { test_many_with (OVERLAY_API_AUTO); }
END_TEST
START_TEST (test_mount_500_legacy) { test_many_with (OVERLAY_API_LEGACY); }
END_TEST

/* Past preflight's check, the kernel's own words must reach the message. */
START_TEST (test_mount_501_kernel_message)
{
  struct plan plan;
  cleanup_strv char **layers = NULL;
  cleanup_free char *d = pathf ("%s/d", tdir);
  struct mount_case c = { OVERLAY_API_AUTO, NULL, NULL, NULL };

  if (!need_root ())
    return;
  make_basic_tree ();
  layers = make_cas_layers (PLAN_MAX_LAYERS + 1);
  c.op = new_op (&plan, SETUP_OP_RO_OVERLAY, PLAN_MAX_LAYERS + 1, layers);
  c.op->resolved_layers = xcalloc (PLAN_MAX_LAYERS + 1, sizeof (char *));
  for (size_t i = 0; i <= PLAN_MAX_LAYERS; i++)
    c.op->resolved_layers[i] = xstrdup (layers[i]);
  c.expect_error = "Can't make overlay mount on /newroot/dest: overlay: too many lower directories, limit is 500";
  c.dest = d;
  RUN_CHILD (false, child_mount, &c);
  plan_free (&plan);
}
END_TEST

/* A layer that vanished between preflight and mount is named. */
static void
test_vanished_with (enum overlay_mount_api api)
{
  struct plan plan;
  struct bwrap_error err = { 0 };
  cleanup_free char *l1 = pathf ("%s/l1", tdir);
  cleanup_free char *gone = pathf ("%s/gone", tdir);
  cleanup_free char *d = pathf ("%s/d", tdir);
  cleanup_free char *expect = pathf ("Can't open overlay layer %s", gone);
  char *layers[] = { l1, gone };
  struct mount_case c = { api, NULL, d, expect };

  if (!need_root ())
    return;
  make_basic_tree ();
  mkdir_at (tdir, "gone");
  c.op = new_op (&plan, SETUP_OP_RO_OVERLAY, 2, layers);
  ck_assert_msg (overlay_preflight (c.op, &err) == 0, "%s", err.message);
  ck_assert (rmdir (gone) == 0);
  RUN_CHILD (false, child_mount, &c);
  plan_free (&plan);
}

START_TEST (test_mount_vanished) { test_vanished_with (OVERLAY_API_AUTO); }
END_TEST
START_TEST (test_mount_vanished_legacy) { test_vanished_with (OVERLAY_API_LEGACY); }
END_TEST

static Suite *
overlay_suite (void)
{
  Suite *s = suite_create ("overlay");
  TCase *pure = tcase_create ("pure");
  TCase *pre = tcase_create ("preflight");
  TCase *mnt = tcase_create ("mount");

  tcase_add_test (pure, test_escape);
  tcase_add_test (pure, test_options_rw_order);
  tcase_add_test (pure, test_options_ro);
  tcase_add_test (pure, test_options_escaped);
  tcase_add_test (pure, test_options_limit);
  tcase_add_test (pure, test_overlap);
  suite_add_tcase (s, pure);

  tcase_add_checked_fixture (pre, tdir_setup, tdir_teardown);
  tcase_add_test (pre, test_preflight_ok_resolves);
  tcase_add_test (pre, test_preflight_missing);
  tcase_add_test (pre, test_preflight_not_dir);
  tcase_add_test (pre, test_preflight_overlap);
  tcase_add_test (pre, test_preflight_workdir_not_empty);
  tcase_add_test (pre, test_preflight_workdir_leftovers);
  tcase_add_test (pre, test_preflight_other_fs);
  tcase_add_test (pre, test_preflight_unusable_upper);
  tcase_add_test (pre, test_preflight_limits);
  tcase_add_test (pre, test_preflight_as_root);
  suite_add_tcase (s, pre);

  tcase_add_checked_fixture (mnt, tdir_setup, tdir_teardown);
  tcase_set_timeout (mnt, 60);
  tcase_add_test (mnt, test_mount_rw);
  tcase_add_test (mnt, test_mount_rw_legacy);
  tcase_add_test (mnt, test_mount_rw_userns);
  tcase_add_test (mnt, test_mount_rw_userns_legacy);
  tcase_add_test (mnt, test_mount_tmp);
  tcase_add_test (mnt, test_mount_tmp_legacy);
  tcase_add_test (mnt, test_mount_ro);
  tcase_add_test (mnt, test_mount_ro_legacy);
  tcase_add_test (mnt, test_mount_500);
  tcase_add_test (mnt, test_mount_500_legacy);
  tcase_add_test (mnt, test_mount_501_kernel_message);
  tcase_add_test (mnt, test_mount_vanished);
  tcase_add_test (mnt, test_mount_vanished_legacy);
  suite_add_tcase (s, mnt);
  return s;
}

int
main (void)
{
  return unit_run_suite (overlay_suite ());
}
