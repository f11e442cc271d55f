/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-overlay-mount.c: real overlay mounts made by overlay_mount_single in
 * forked children that own a private mount namespace (and for some, a user
 * namespace), through both the new mount API and mount(2): rw, tmp and ro
 * overlays, 500 layers, the kernel's message past that, and a layer that
 * vanished after preflight.  Needs root; skips otherwise.  Uses
 * overlay-fixture.h. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "overlay-fixture.h"
#include "unit-main.h"

/* ---- real mounts (root) ------------------------------------------------- */

/* Which path of the mount layer a case takes: its first choice, or the
 * classic mount(2) path, forced in the child with kernel_api_force. */
enum mount_path
{
  PATH_AUTO,
  PATH_LEGACY,
};

struct mount_case
{
  enum mount_path api;
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
  struct setup_ctx ctx = {
    .mnt = mount_backend_local (),
    .oldroot_fd = oldroot,
    .hidden_fd = hidden_fd,
    .newroot_fd = -1,
    .proc_fd_dir = "/proc/self/fd",
  };
  CHILD_ASSERT (oldroot >= 0 && hidden_fd >= 0 && dest_fd >= 0, "open: %s", strerror (errno));
  kernel_api_force (KERNEL_API_MOUNT, c->api == PATH_LEGACY);
  return overlay_mount_single (c->op, &ctx, dest_fd, err);
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
test_rw_with (enum mount_path api, bool user_ns)
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

START_TEST (test_mount_rw) { test_rw_with (PATH_AUTO, false); }
END_TEST
START_TEST (test_mount_rw_legacy) { test_rw_with (PATH_LEGACY, false); }
END_TEST
START_TEST (test_mount_rw_userns) { test_rw_with (PATH_AUTO, true); }
END_TEST
START_TEST (test_mount_rw_userns_legacy) { test_rw_with (PATH_LEGACY, true); }
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
test_tmp_with (enum mount_path api)
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

START_TEST (test_mount_tmp) { test_tmp_with (PATH_AUTO); }
END_TEST
START_TEST (test_mount_tmp_legacy) { test_tmp_with (PATH_LEGACY); }
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
test_ro_with (enum mount_path api)
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

START_TEST (test_mount_ro) { test_ro_with (PATH_AUTO); }
END_TEST
START_TEST (test_mount_ro_legacy) { test_ro_with (PATH_LEGACY); }
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
test_many_with (enum mount_path api)
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

START_TEST (test_mount_500) { test_many_with (PATH_AUTO); }
END_TEST
START_TEST (test_mount_500_legacy) { test_many_with (PATH_LEGACY); }
END_TEST

/* Past preflight's check, the kernel's own words must reach the message. */
START_TEST (test_mount_501_kernel_message)
{
  struct plan plan;
  cleanup_strv char **layers = NULL;
  cleanup_free char *d = pathf ("%s/d", tdir);
  struct mount_case c = { PATH_AUTO, NULL, NULL, NULL };

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
test_vanished_with (enum mount_path api)
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

START_TEST (test_mount_vanished) { test_vanished_with (PATH_AUTO); }
END_TEST
START_TEST (test_mount_vanished_legacy) { test_vanished_with (PATH_LEGACY); }
END_TEST

static Suite *
overlay_suite (void)
{
  Suite *s = suite_create ("overlay");
  TCase *mnt = tcase_create ("mount");

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
