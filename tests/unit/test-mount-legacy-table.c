/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-mount-legacy-table.c: unit tests for mount-legacy-table.c: the
 * mountinfo parser, per-mount option words as MS_* bits (unknown ones
 * refused, never dropped), and the structure the classic recursive
 * remount relies on: the new tree, stacks, paths shown twice, FUSE
 * owners, id maps.  Pure: no files, no mounts. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "mount-legacy-table.h"
#include "unit-main.h"
#include "utils.h"

/* A table from "ID PARENT MOUNT-POINT" triples (text, as mountinfo has
 * them, with fixed other fields), parsed by the real parser. */
static void
table_of (struct mount_table *t, const char *const *rows)
{
  cleanup_free char *text = xstrdup ("");

  for (size_t i = 0; rows[i] != NULL; i++)
    {
      char *next = xasprintf ("%s%s 0:1 / %s rw,relatime - tmpfs t rw\n", text,
                              rows[i], rows[i] + strlen (rows[i]) + 1);
      free (text);
      text = next;
    }
  memset (t, 0, sizeof *t);
  ck_assert_int_eq (mount_table_parse (text, t), 0);
}

START_TEST (test_parse)
{
  const char *text =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
    "\n"
    "24 22 0:6 /sub /mnt/with\\040space ro,nosuid,nodev,nosymfollow master:3 shared:4 "
    "- fuse.squashfuse sq\\040src rw,user_id=1000,group_id=1000\n"
    "25 24 0:7 / /mnt/with\\040space/x rw - tmpfs - rw";
  struct mount_table t = { 0 };

  ck_assert_int_eq (mount_table_parse (text, &t), 0);
  ck_assert_uint_eq (t.n, 3);
  ck_assert_int_eq (t.entries[0].id, 22);
  ck_assert_int_eq (t.entries[0].parent, 1);
  ck_assert_str_eq (t.entries[0].mount_point, "/");
  ck_assert_str_eq (t.entries[0].options, "rw,relatime");
  ck_assert_str_eq (t.entries[0].fstype, "ext4");
  ck_assert_str_eq (t.entries[0].super_options, "rw,errors=remount-ro");
  ck_assert_str_eq (t.entries[1].mount_point, "/mnt/with space");
  ck_assert_str_eq (t.entries[1].options, "ro,nosuid,nodev,nosymfollow");
  ck_assert_str_eq (t.entries[1].fstype, "fuse.squashfuse");
  ck_assert_str_eq (t.entries[1].super_options, "rw,user_id=1000,group_id=1000");
  ck_assert_str_eq (t.entries[2].mount_point, "/mnt/with space/x");
  ck_assert_int_eq (mount_table_find (&t, 25), 2);
  ck_assert_int_eq (mount_table_find (&t, 26), -1);
  mount_table_clear (&t);
  ck_assert_uint_eq (t.n, 0);
}
END_TEST

/* A line the parser does not understand must not drop a mount. */
START_TEST (test_parse_refuses_other_shapes)
{
  static const char *const bad[] = {
    "1 2 3 4 5\n",
    "22 1 8:1 / / rw - ext4 src\n",                      /* no super options */
    "22 1 8:1 / / rw shared:1 ext4 src rw\n",            /* no separator */
    "x 1 8:1 / / rw - ext4 src rw\n",
    "22 1x 8:1 / / rw - ext4 src rw\n",
    "22 1 8:1 / / rw - ext4 src rw extra\n",
    "22 1 8:1 / / rw - ext4 src rw\ngarbage\n",
  };

  for (size_t i = 0; i < N_ELEMENTS (bad); i++)
    {
      struct mount_table t = { 0 };
      ck_assert_msg (mount_table_parse (bad[i], &t) == -EINVAL, "accepted: %s", bad[i]);
      mount_table_clear (&t);
    }
}
END_TEST

START_TEST (test_options_to_flags)
{
  unsigned long flags = 0;
  char *unknown = NULL;

  ck_assert_int_eq (mount_options_to_flags ("rw", &flags, &unknown), 0);
  ck_assert_uint_eq (flags, 0);
  ck_assert_ptr_null (unknown);
  ck_assert_int_eq (mount_options_to_flags ("ro,nosuid,nodev,noexec,noatime,nodiratime,"
                                            "nosymfollow,idmapped", &flags, &unknown), 0);
  ck_assert_uint_eq (flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME
                            | MS_NODIRATIME | MS_NOSYMFOLLOW);
  ck_assert_int_eq (mount_options_to_flags ("rw,relatime", &flags, &unknown), 0);
  ck_assert_uint_eq (flags, MS_RELATIME);
  /* A word of a newer kernel: refused with its name, not dropped. */
  flags = 77;
  ck_assert_int_eq (mount_options_to_flags ("ro,nosuid,noflux,nodev", &flags, &unknown), -EINVAL);
  ck_assert_str_eq (unknown, "noflux");
  ck_assert_uint_eq (flags, 77);
  free (unknown);
  ck_assert_int_eq (mount_options_to_flags ("rw,", &flags, &unknown), 0);
  ck_assert_int_eq (mount_options_to_flags ("rw,,ro", &flags, &unknown), -EINVAL);
  ck_assert_str_eq (unknown, "");
  free (unknown);
  ck_assert_int_eq (mount_options_to_flags ("nosuidx", &flags, &unknown), -EINVAL);
  ck_assert_str_eq (unknown, "nosuidx");
  free (unknown);
}
END_TEST

START_TEST (test_tree)
{
  const char *const rows[] = {
    "1 1\0/", "10 1\0/newroot", "20 10\0/newroot/mnt", "21 20\0/newroot/mnt/a",
    "22 21\0/newroot/mnt/a/b", "23 10\0/newroot/other", "24 22\0/newroot/mnt/a/b/c", NULL,
  };
  struct mount_table t;
  bool in_tree[7] = { false };

  table_of (&t, rows);
  mount_table_mark_tree (&t, 20, in_tree);
  ck_assert (!in_tree[0] && !in_tree[1] && in_tree[2] && in_tree[3] && in_tree[4]);
  ck_assert (!in_tree[5] && in_tree[6]);
  ck_assert (mount_table_is_ancestor (&t, 20, 6));
  ck_assert (mount_table_is_ancestor (&t, 1, 6));
  ck_assert (!mount_table_is_ancestor (&t, 24, 6));   /* strict */
  ck_assert (!mount_table_is_ancestor (&t, 23, 6));
  ck_assert_int_eq (mount_table_child_toward (&t, 6, 20), 3);
  ck_assert_int_eq (mount_table_child_toward (&t, 3, 20), 3);
  ck_assert_int_eq (mount_table_child_toward (&t, 5, 20), -1);
  mount_table_clear (&t);
}
END_TEST

/* Stacks: b and c stand on a's root, d inside c, e beside a. */
START_TEST (test_stacked)
{
  const char *const rows[] = {
    "20 10\0/newroot/mnt", "21 20\0/newroot/mnt/s", "22 21\0/newroot/mnt/s",
    "23 22\0/newroot/mnt/s", "24 23\0/newroot/mnt/s/d", "25 20\0/newroot/mnt/s2",
    "26 21\0/newroot/mnt/s/in", NULL,
  };
  struct mount_table t;

  table_of (&t, rows);
  ck_assert (mount_table_is_stacked (&t, 2, 1));
  ck_assert (mount_table_is_stacked (&t, 3, 1));
  ck_assert (mount_table_is_stacked (&t, 3, 2));
  ck_assert (!mount_table_is_stacked (&t, 1, 1));
  ck_assert (!mount_table_is_stacked (&t, 1, 3));      /* the other way round */
  ck_assert (!mount_table_is_stacked (&t, 4, 3));      /* inside, not on the root */
  ck_assert (!mount_table_is_stacked (&t, 4, 1));
  ck_assert (!mount_table_is_stacked (&t, 6, 1));
  ck_assert (!mount_table_is_stacked (&t, 1, 0));      /* below its parent's root */
  ck_assert (!mount_table_is_stacked (&t, 5, 1));
  mount_table_clear (&t);
}
END_TEST

/* The first twin mount_table_unstacked_twin finds in the tree of mount
 * 20 of rows. */
static ssize_t
twin_in (const char *const *rows)
{
  struct mount_table t;
  bool in_tree[8] = { false };
  ssize_t twin;

  table_of (&t, rows);
  ck_assert_uint_le (t.n, N_ELEMENTS (in_tree));
  mount_table_mark_tree (&t, 20, in_tree);
  twin = mount_table_unstacked_twin (&t, in_tree);
  mount_table_clear (&t);
  return twin;
}

/* mountinfo read while a directory was renamed: two mounts show one
 * path without being a stack.  Neither may pass for covered. */
START_TEST (test_twins)
{
  const char *const siblings[] = {
    "20 10\0/newroot/mnt", "21 20\0/newroot/mnt/p/s", "22 20\0/newroot/mnt/p/s", NULL,
  };
  const char *const cousins[] = {
    "20 10\0/newroot/mnt", "21 20\0/newroot/mnt/p", "22 21\0/newroot/mnt/p/s",
    "23 20\0/newroot/mnt/p/s", NULL,
  };
  /* The same path as the top: one of the new tree's own mounts. */
  const char *const on_top[] = {
    "20 10\0/newroot/mnt", "21 20\0/newroot/mnt/a", "22 21\0/newroot/mnt", NULL,
  };
  const char *const stack[] = {
    "20 10\0/newroot/mnt", "21 20\0/newroot/mnt/s", "22 21\0/newroot/mnt/s",
    "23 22\0/newroot/mnt/s", NULL,
  };
  /* Only the new tree counts: other mounts are never walked to. */
  const char *const outside[] = {
    "20 10\0/newroot/mnt", "21 20\0/newroot/mnt/a", "30 10\0/newroot/mnt/a", NULL,
  };

  ck_assert_int_eq (twin_in (siblings), 1);
  ck_assert_int_eq (twin_in (cousins), 2);
  ck_assert_int_eq (twin_in (on_top), 0);
  ck_assert_int_eq (twin_in (stack), -1);
  ck_assert_int_eq (twin_in (outside), -1);
}
END_TEST

static bool
foreign (const char *fstype, const char *super_options, unsigned uid, unsigned gid)
{
  struct mount_entry e = {
    1, 1, (char *) "/m", (char *) "rw", (char *) fstype, (char *) super_options,
  };
  return mount_entry_is_foreign_fuse (&e, uid, gid);
}

START_TEST (test_foreign_fuse)
{
  const char *own = "rw,user_id=1000,group_id=100";

  ck_assert (!foreign ("fuse.sshfs", own, 1000, 100));
  ck_assert (foreign ("fuse.sshfs", own, 1001, 100));
  ck_assert (foreign ("fuse.sshfs", own, 1000, 101));
  ck_assert (foreign ("fuse", own, 0, 0));
  ck_assert (foreign ("fuseblk", own, 0, 0));
  ck_assert (foreign ("fuseblk.ntfs", own, 0, 0));
  /* allow_other admits everyone: the daemon decides, which can change. */
  ck_assert (!foreign ("fuse.sshfs", "rw,user_id=1000,group_id=100,allow_other", 0, 0));
  ck_assert (!foreign ("fuse.sshfs", "rw,allow_other,user_id=1000,group_id=100", 0, 0));
  /* Unknown owner: cannot tell. */
  ck_assert (!foreign ("fuse.sshfs", "rw,user_id=1000", 0, 0));
  ck_assert (!foreign ("fuse.sshfs", "rw,user_id=x,group_id=100", 0, 0));
  ck_assert (!foreign ("fuse.sshfs", "rw,user_id=,group_id=100", 0, 0));
  ck_assert (!foreign ("fusectl", own, 0, 0));
  ck_assert (!foreign ("tmpfs", own, 0, 0));
  ck_assert (!foreign ("virtiofs", own, 0, 0));
}
END_TEST

START_TEST (test_id_map)
{
  unsigned out = 0;

  ck_assert_int_eq (mount_id_map_outside ("         0       1000          1\n", 0, &out), 0);
  ck_assert_uint_eq (out, 1000);
  ck_assert_int_eq (mount_id_map_outside ("0 1000 1\n", 1, &out), -ENOENT);
  ck_assert_int_eq (mount_id_map_outside ("0 0 4294967295\n", 1000, &out), 0);
  ck_assert_uint_eq (out, 1000);
  ck_assert_int_eq (mount_id_map_outside ("0 65534 1\n1000 1000 1\n", 1000, &out), 0);
  ck_assert_uint_eq (out, 1000);
  ck_assert_int_eq (mount_id_map_outside ("", 0, &out), -ENOENT);
}
END_TEST

static Suite *
table_suite (void)
{
  Suite *s = suite_create ("mount-legacy-table");
  TCase *tc = tcase_create ("table");

  tcase_add_test (tc, test_parse);
  tcase_add_test (tc, test_parse_refuses_other_shapes);
  tcase_add_test (tc, test_options_to_flags);
  tcase_add_test (tc, test_tree);
  tcase_add_test (tc, test_stacked);
  tcase_add_test (tc, test_twins);
  tcase_add_test (tc, test_foreign_fuse);
  tcase_add_test (tc, test_id_map);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (table_suite ());
}
