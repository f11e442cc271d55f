/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-mount-error.c: the one wording of a failed mount (mount-error.c):
 * bubblewrap's "/newroot/DEST" form, the kernel's own text preferred to
 * the errno text, bubblewrap's ENOSPC hint, the overlap and the extra
 * part of the classic overlay message.  Pure: no mounts. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "mount-error.h"
#include "unit-main.h"

/* The line die_error prints for err, without "bwrap: ". */
static char *
line_of (const struct bwrap_error *err)
{
  return err->errnum != 0 ? xasprintf ("%s: %s", err->message, strerror (err->errnum))
                          : xstrdup (err->message);
}

static void
check_line (int r, struct bwrap_error *err, int errnum, const char *expected)
{
  cleanup_free char *line = line_of (err);

  ck_assert_int_eq (r, -errnum);
  ck_assert_str_eq (line, expected);
  bwrap_error_clear (err);
}

START_TEST (test_errno_text)
{
  struct bwrap_error err = { 0 };
  int r = mount_error_newroot (&err, EACCES, NULL, "Can't mount tmpfs", "//a/b", NULL);
  check_line (r, &err, EACCES, "Can't mount tmpfs on /newroot/a/b: Permission denied");
}
END_TEST

START_TEST (test_kernel_text_wins)
{
  struct bwrap_error err = { 0 };
  int r = mount_error (&err, EINVAL, "tmpfs: Bad value for 'size'",
                       "Can't mount tmpfs for --tmp-overlay", "/x", NULL);
  check_line (r, &err, EINVAL, "Can't mount tmpfs for --tmp-overlay on /x: tmpfs: Bad value for 'size'");
}
END_TEST

START_TEST (test_enospc_hint)
{
  struct bwrap_error err = { 0 };
  int r = mount_error_newroot (&err, ENOSPC, NULL, "Can't mount proc", "/proc", NULL);
  check_line (r, &err, ENOSPC, "Can't mount proc on /newroot/proc: Limit exceeded (ENOSPC). "
              "(Hint: Check that /proc/sys/fs/mount-max is sufficient, typically 100000)");
  /* The kernel's own words, when it said something, are the reason. */
  r = mount_error_newroot (&err, ENOSPC, "overlay: no room", MOUNT_ERROR_OVERLAY, "/m", NULL);
  check_line (r, &err, ENOSPC, "Can't make overlay mount on /newroot/m: overlay: no room");
}
END_TEST

START_TEST (test_overlap_and_extra)
{
  struct bwrap_error err = { 0 };
  int r = mount_error_newroot (&err, ELOOP, NULL, MOUNT_ERROR_OVERLAY, "/m",
                               " with options lowerdir=1");
  check_line (r, &err, ELOOP, "Can't make overlay mount on /newroot/m with options lowerdir=1: "
              "Overlay directories may not overlap");
  r = mount_error_newroot (&err, ELOOP, "overlay: overlapping layers", MOUNT_ERROR_OVERLAY, "/m", NULL);
  check_line (r, &err, ELOOP, "Can't make overlay mount on /newroot/m: overlay: overlapping layers: "
              "Overlay directories may not overlap");
}
END_TEST

static Suite *
mount_error_suite (void)
{
  Suite *s = suite_create ("mount-error");
  TCase *tc = tcase_create ("wording");

  tcase_add_test (tc, test_errno_text);
  tcase_add_test (tc, test_kernel_text_wins);
  tcase_add_test (tc, test_enospc_hint);
  tcase_add_test (tc, test_overlap_and_extra);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (mount_error_suite ());
}
