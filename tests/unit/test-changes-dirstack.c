/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-changes-dirstack.c: bwrap-changes' directory listings and its
 * bounded-fd directory stack (changes/dirstack.c) on a real tree in a
 * mktemp -d directory: sorted listings, a chain deeper than the fd
 * budget walked down and back up with the closed levels reopened, and a
 * directory moved away meanwhile detected.  No privileges. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirstack.h"
#include "utils.h"
#include "unit-main.h"

#define DEPTH 50

static char top[64];
static int top_fd = -1;

static void
setup (void)
{
  int fd;

  snprintf (top, sizeof top, "/tmp/bwrap-dirstack.XXXXXX");
  ck_assert_ptr_nonnull (mkdtemp (top));
  top_fd = open (top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ck_assert_int_ge (top_fd, 0);
  /* A chain d/d/d/... DEPTH deep. */
  fd = dup (top_fd);
  for (int i = 0; i < DEPTH; i++)
    {
      int next;
      ck_assert_int_eq (mkdirat (fd, "d", 0755), 0);
      next = openat (fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ck_assert_int_ge (next, 0);
      close (fd);
      fd = next;
    }
  close (fd);
}

static void
teardown (void)
{
  char cmd[128];

  close (top_fd);
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", top);
  ck_assert_int_eq (system (cmd), 0);
}

static int
count_open_fds (void)
{
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *de;
  int n = 0;

  if (d == NULL)
    return -1;
  while ((de = readdir (d)) != NULL)
    n += de->d_name[0] != '.';
  closedir (d);
  return n - 1;   /* the DIR's own */
}

START_TEST (test_listing)
{
  static const char *const names[] = { "b", "a.b", "a", "A", "a-", "\xff" };
  int fd = openat (top_fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct listing l;

  for (size_t i = 0; i < N_ELEMENTS (names); i++)
    {
      int f = openat (fd, names[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      ck_assert_int_ge (f, 0);
      close (f);
    }
  ck_assert_int_eq (listing_read (fd, &l), 0);
  ck_assert_uint_eq (l.n, N_ELEMENTS (names) + 1);   /* and the "d" below */
  /* strcmp order: bytes, as status sorts paths. */
  ck_assert_str_eq (listing_name (&l, 0), "A");
  ck_assert_str_eq (listing_name (&l, 1), "a");
  ck_assert_str_eq (listing_name (&l, 2), "a-");
  ck_assert_str_eq (listing_name (&l, 3), "a.b");
  ck_assert_str_eq (listing_name (&l, 4), "b");
  ck_assert_str_eq (listing_name (&l, 5), "d");
  ck_assert_str_eq (listing_name (&l, 6), "\xff");
  ck_assert_int_eq (listing_find (&l, "a.b"), 3);
  ck_assert_int_eq (listing_find (&l, "c"), -1);
  listing_free (&l);
  close (fd);
}
END_TEST

/* Down DEPTH levels with room for 3 open fds, then back up: each level
 * on top is the right directory, and never more than 3 + the root are
 * open. */
START_TEST (test_deep)
{
  struct dirstack s;
  struct stat want[DEPTH + 1];
  int base = count_open_fds ();
  int fd = dup (top_fd);

  dirstack_init (&s, 3);
  ck_assert_int_eq (dirstack_push (&s, fd), 0);
  ck_assert_int_eq (fstat (fd, &want[0]), 0);
  for (int i = 1; i <= DEPTH; i++)
    {
      fd = openat (dirstack_top (&s), "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ck_assert_int_ge (fd, 0);
      ck_assert_int_eq (fstat (fd, &want[i]), 0);
      ck_assert_int_eq (dirstack_push (&s, fd), 0);
      ck_assert_int_le (count_open_fds () - base, 4);
    }
  for (int i = DEPTH - 1; i >= 0; i--)
    {
      struct stat st;
      ck_assert_int_eq (dirstack_pop (&s), 0);
      ck_assert_int_ge (dirstack_top (&s), 0);
      ck_assert_int_eq (fstat (dirstack_top (&s), &st), 0);
      ck_assert_msg (st.st_ino == want[i].st_ino, "level %d: not the same directory", i);
      ck_assert_int_le (count_open_fds () - base, 4);
    }
  dirstack_free (&s);
  ck_assert_int_eq (count_open_fds (), base);
}
END_TEST

/* Absent levels (a tree without a directory there) and one filled in
 * later, as apply makes a directory. */
START_TEST (test_absent)
{
  struct dirstack s;

  dirstack_init (&s, 2);
  ck_assert_int_eq (dirstack_push (&s, dup (top_fd)), 0);
  ck_assert_int_eq (dirstack_push (&s, -1), 0);
  ck_assert_int_eq (dirstack_top (&s), -1);
  ck_assert_int_eq (dirstack_fill (&s, 1, openat (top_fd, "d", O_PATH | O_DIRECTORY | O_CLOEXEC)), 0);
  ck_assert_int_ge (dirstack_top (&s), 0);
  ck_assert_int_ge (dirstack_fd (&s, 0), 0);
  ck_assert_int_eq (dirstack_pop (&s), 0);
  ck_assert_int_eq (dirstack_pop (&s), 0);
  dirstack_free (&s);
  ck_assert_uint_ge (dirstack_budget (2), 2);
  ck_assert_uint_le (dirstack_budget (2), 128);
}
END_TEST

/* A closed level whose directory was moved away: going back up must not
 * land in the directory's new parent. */
START_TEST (test_moved)
{
  struct dirstack s;
  char from[128], to[128];
  int fd;

  dirstack_init (&s, 1);
  ck_assert_int_eq (dirstack_push (&s, dup (top_fd)), 0);
  fd = openat (top_fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ck_assert_int_eq (dirstack_push (&s, fd), 0);                 /* top/d */
  fd = openat (fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ck_assert_int_eq (dirstack_push (&s, fd), 0);                 /* top/d/d, closes top/d */
  fd = openat (fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ck_assert_int_eq (dirstack_push (&s, fd), 0);                 /* top/d/d/d */
  /* Move top/d/d to top/moved: its ".." is now top, not top/d. */
  snprintf (from, sizeof from, "%s/d/d", top);
  snprintf (to, sizeof to, "%s/moved", top);
  ck_assert_int_eq (rename (from, to), 0);
  ck_assert_int_eq (dirstack_pop (&s), 0);                      /* back to (moved) d/d */
  ck_assert_int_eq (dirstack_pop (&s), -ESTALE);
  dirstack_free (&s);
}
END_TEST

static Suite *
dirstack_suite (void)
{
  Suite *s = suite_create ("changes-dirstack");
  TCase *tc = tcase_create ("dirstack");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_listing);
  tcase_add_test (tc, test_deep);
  tcase_add_test (tc, test_absent);
  tcase_add_test (tc, test_moved);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (dirstack_suite ());
}
