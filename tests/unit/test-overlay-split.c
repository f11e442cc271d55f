/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-overlay-split.c: unit tests for overlay-split.c: which filesystems can be layers, and the split points and skeleton
 * computed from a mount table and layer list.  Pure: no files, no mounts. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "overlay-split.h"
#include "unit-main.h"

static void
table_of (struct mount_table *t, const char *const *pairs)
{
  memset (t, 0, sizeof *t);
  for (size_t i = 0; pairs[i]; i += 2)
    {
      t->entries = xappend (t->entries, &t->n, sizeof *t->entries);
      t->entries[t->n - 1] = (struct mount_entry) {
        (int) t->n, 1, xstrdup (pairs[i]), xstrdup ("rw"), xstrdup (pairs[i + 1]), xstrdup ("rw"),
      };
    }
}

/* "rel:K rel:K ..." with K one of s o b x: the whole split, in order. */
static char *
describe (const struct overlay_split *split)
{
  char *out = xstrdup ("");

  for (size_t i = 0; split && i < split->n_nodes; i++)
    {
      static const char kinds[] = "sobx";
      char *next = xasprintf ("%s%s%s:%c", out, i ? " " : "", split->nodes[i].rel,
                              kinds[split->nodes[i].kind]);
      free (out);
      out = next;
    }
  return out;
}

static char *
compute (char **layers, size_t n_layers, const char *const *pairs,
         char **excluded, size_t n_excluded)
{
  struct mount_table t;
  struct overlay_split *split = NULL;
  char *d;

  table_of (&t, pairs);
  overlay_split_compute (layers, n_layers, &t, excluded, n_excluded, &split);
  d = describe (split);
  overlay_split_free (split);
  mount_table_clear (&t);
  return d;
}

START_TEST (test_fstypes)
{
  ck_assert (split_fstype_is_layer ("ext4"));
  ck_assert (split_fstype_is_layer ("tmpfs"));
  ck_assert (split_fstype_is_layer ("fuse.squashfuse"));
  ck_assert (!split_fstype_is_layer ("proc"));
  ck_assert (!split_fstype_is_layer ("sysfs"));
  ck_assert (!split_fstype_is_layer ("devpts"));
  ck_assert (!split_fstype_is_layer ("cgroup2"));
  ck_assert (!split_fstype_is_layer ("devtmpfs"));
}
END_TEST

START_TEST (test_relative)
{
  ck_assert_str_eq (split_relative ("/a/b", "/"), "a/b");
  ck_assert_str_eq (split_relative ("/", "/"), "");
  ck_assert_str_eq (split_relative ("/a/b", "/a"), "b");
  ck_assert_str_eq (split_relative ("/a", "/a"), "");
  ck_assert_ptr_null (split_relative ("/ab", "/a"));
  ck_assert_ptr_null (split_relative ("/b", "/a"));

  /* split_relative_child: the name directly in a directory only. */
  ck_assert_str_eq (split_relative_child ("a", ""), "a");
  ck_assert_str_eq (split_relative_child ("a/b", "a"), "b");
  ck_assert_ptr_null (split_relative_child ("", ""));
  ck_assert_ptr_null (split_relative_child ("a/b", ""));
  ck_assert_ptr_null (split_relative_child ("a/b/c", "a"));
  ck_assert_ptr_null (split_relative_child ("ab/c", "a"));
  ck_assert_ptr_null (split_relative_child ("a", "a"));
}
END_TEST

START_TEST (test_no_mounts_below)
{
  char *layers[] = { "/srv/a", "/srv/b" };
  const char *m[] = { "/", "ext4", "/srv", "ext4", "/srv/a", "tmpfs", "/srv/bb/x", "tmpfs", "/proc", "proc", NULL };
  cleanup_free char *d = compute (layers, 2, m, NULL, 0);
  ck_assert_str_eq (d, "");   /* mounts at or above a layer do not split */
}
END_TEST

START_TEST (test_root)
{
  char *layers[] = { "/" };
  const char *m[] = {
    "/", "ext4", "/proc", "proc", "/sys", "sysfs", "/sys/fs/cgroup", "cgroup2",
    "/dev", "devtmpfs", "/dev/pts", "devpts", "/run", "tmpfs", "/run/user/1000", "tmpfs",
    "/home/u/mnt/img", "fuse.squashfuse", NULL
  };
  cleanup_free char *d = compute (layers, 1, m, NULL, 0);
  ck_assert_str_eq (d, ":s dev:b home:s home/u:s home/u/mnt:s home/u/mnt/img:o proc:b "
                    "run:s run/user:s run/user/1000:o sys:b");
}
END_TEST

START_TEST (test_several_layers)
{
  /* A mount in either layer splits both; the topmost layer's mount kind
   * wins at a shared point. */
  char *layers[] = { "/l/low", "/l/high" };
  const char *m[] = {
    "/l/low/a/t", "tmpfs", "/l/high/b/f/g", "fuse.x",
    "/l/low/c", "proc", "/l/high/c", "tmpfs", "/l/high/p", "proc", "/l/low/p", "tmpfs", NULL
  };
  cleanup_free char *d = compute (layers, 2, m, NULL, 0);
  struct mount_table t;
  struct overlay_split *split = NULL;

  ck_assert_str_eq (d, ":s a:s a/t:o b:s b/f:s b/f/g:o c:o p:b");
  table_of (&t, m);
  overlay_split_compute (layers, 2, &t, NULL, 0, &split);
  ck_assert_uint_eq (overlay_split_find (split, "p")->layer, 1);
  ck_assert_ptr_null (overlay_split_find (split, "q"));
  ck_assert_str_eq (overlay_split_find (split, "b/f")->rel, "b/f");
  overlay_split_free (split);
  mount_table_clear (&t);
}
END_TEST

START_TEST (test_nested_and_covered)
{
  /* A mount below a bound pseudo filesystem is covered by the bind; a
   * mount point with a mount below it becomes a skeleton directory. */
  char *layers[] = { "/x" };
  const char *m[] = {
    "/x/sys", "sysfs", "/x/sys/fs/cgroup", "cgroup2", "/x/m", "tmpfs", "/x/m/a/b", "fuse.sq",
    "/x/m", "ext4", NULL
  };
  cleanup_free char *d = compute (layers, 1, m, NULL, 0);
  ck_assert_str_eq (d, ":s m:s m/a:s m/a/b:o sys:b");
}
END_TEST

START_TEST (test_excluded)
{
  /* RWSRC and WORKDIR inside the layer: excluded, their ancestors split;
   * a mount inside RWSRC is dropped; outside any layer they change nothing. */
  char *layers[] = { "/" };
  char *excluded[] = { "/tmp/rw", "/tmp/work" };
  const char *m[] = { "/", "ext4", "/tmp/rw/sub", "tmpfs", NULL };
  cleanup_free char *d = compute (layers, 1, m, excluded, 2);
  char *layers2[] = { "/data" };
  cleanup_free char *d2 = compute (layers2, 1, m, excluded, 2);
  char *layers3[] = { "/tmp" };
  cleanup_free char *d3 = compute (layers3, 1, m, excluded, 2);

  ck_assert_str_eq (d, ":s tmp:s tmp/rw:x tmp/work:x");
  ck_assert_str_eq (d2, "");
  ck_assert_str_eq (d3, ":s rw:x work:x");
}
END_TEST

START_TEST (test_excluded_no_split_point)
{
  /* Issue 27: RWSRC and WORKDIR alone split nothing; their parent is no
   * recreated directory unless a real mount makes it one.  Where they
   * would be a piece (an entry of a recreated directory, a mount point)
   * they are excluded: nothing is mounted there. */
  char *layers[] = { "/" };
  char *excluded[] = { "/tmp/try/changes", "/tmp/try/work" };
  const char *no_mounts[] = { "/", "ext4", NULL };
  cleanup_free char *d = compute (layers, 1, no_mounts, excluded, 2);
  const char *proc[] = { "/", "ext4", "/proc", "proc", NULL };
  cleanup_free char *d2 = compute (layers, 1, proc, excluded, 2);
  const char *in_try[] = { "/proc", "proc", "/tmp/try/mnt", "fuse.sq", NULL };
  cleanup_free char *d3 = compute (layers, 1, in_try, excluded, 2);
  const char *at_tmp[] = { "/tmp", "tmpfs", NULL };
  char *excluded_top[] = { "/rw", "/tmp" };
  cleanup_free char *d4 = compute (layers, 1, at_tmp, excluded_top, 2);

  ck_assert_str_eq (d, "");
  ck_assert_str_eq (d2, ":s proc:b");
  ck_assert_str_eq (d3, ":s proc:b tmp:s tmp/try:s tmp/try/changes:x tmp/try/mnt:o tmp/try/work:x");
  ck_assert_str_eq (d4, ":s rw:x tmp:x");
}
END_TEST

START_TEST (test_sorted_parents_first)
{
  char *layers[] = { "/" };
  const char *m[] = { "/a-b", "tmpfs", "/a/b", "tmpfs", "/a.c", "tmpfs", NULL };
  cleanup_free char *d = compute (layers, 1, m, NULL, 0);
  ck_assert_str_eq (d, ":s a:s a-b:o a.c:o a/b:o");
}
END_TEST

static Suite *
split_suite (void)
{
  Suite *s = suite_create ("overlay-split");
  TCase *tc = tcase_create ("split");

  tcase_add_test (tc, test_fstypes);
  tcase_add_test (tc, test_relative);
  tcase_add_test (tc, test_no_mounts_below);
  tcase_add_test (tc, test_root);
  tcase_add_test (tc, test_several_layers);
  tcase_add_test (tc, test_nested_and_covered);
  tcase_add_test (tc, test_excluded);
  tcase_add_test (tc, test_excluded_no_split_point);
  tcase_add_test (tc, test_sorted_parents_first);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (split_suite ());
}
