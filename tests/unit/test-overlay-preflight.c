/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-overlay-preflight.c: overlay_preflight on real directories under a
 * per-test temporary directory: path resolution, missing and non-directory
 * paths, overlaps, WORKDIR contents, filesystems that cannot hold an upper
 * layer, limits; and (as root, in forked children that own a private mount
 * namespace) read-only mounts, bind-mount aliases and an unprivileged
 * caller.  Uses overlay-fixture.h. */
#include <check.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "overlay-fixture.h"
#include "unit-main.h"

/* ---- preflight on real directories --------------------------------------- */

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
  struct statfs sf;

  make_basic_tree ();
  ck_assert_int_lt (preflight_rw ("l1", "l2", "/proc", "w", &msg, NULL), 0);
  ck_assert_str_eq (msg, "--overlay: RWSRC /proc is on a proc filesystem, "
                         "which cannot hold an overlay upper layer");
  free (steal_pointer (&msg));
  if (statfs ("/sys", &sf) != 0 || sf.f_type != SYSFS_MAGIC)
    {
      /* a chroot without /sys mounted, as package builds can be */
      fprintf (stderr, "# SKIP: /sys is not a sysfs mount\n");
      return;
    }
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

static Suite *
overlay_suite (void)
{
  Suite *s = suite_create ("overlay");
  TCase *pre = tcase_create ("preflight");

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
  return s;
}

int
main (void)
{
  return unit_run_suite (overlay_suite ());
}
