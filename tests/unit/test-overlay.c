/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-overlay.c: unit tests for overlay.c's pure builders: option strings,
 * escaping, layer order and overlap detection.  No privileges, no files.
 * Sibling files: test-overlay-preflight.c (preflight on real directories)
 * and test-overlay-mount.c (real overlay mounts, as root). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "overlay-fixture.h"
#include "unit-main.h"

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

static Suite *
overlay_suite (void)
{
  Suite *s = suite_create ("overlay");
  TCase *pure = tcase_create ("pure");

  tcase_add_test (pure, test_escape);
  tcase_add_test (pure, test_options_rw_order);
  tcase_add_test (pure, test_options_ro);
  tcase_add_test (pure, test_options_escaped);
  tcase_add_test (pure, test_options_limit);
  tcase_add_test (pure, test_overlap);
  suite_add_tcase (s, pure);
  return s;
}

int
main (void)
{
  return unit_run_suite (overlay_suite ());
}
