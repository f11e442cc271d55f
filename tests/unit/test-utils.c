/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-utils.c: the pure helpers of utils.c (number parsing with
 * bubblewrap's rules for fds and ids, paths, growth of arrays, errors)
 * and the fd helpers on pipes.  No privileges. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utils.h"
#include "unit-main.h"

/* ---- parse_fd ----------------------------------------------------------- */

static const struct
{
  const char *str;
  int rc;
  int value;
} fd_cases[] = {
  { "0", 0, 0 },
  { "3", 0, 3 },
  { " 3", 0, 3 },        /* strtol leniency: leading blanks */
  { "\t7", 0, 7 },
  { "+4", 0, 4 },        /* and a sign */
  { "-0", 0, 0 },
  { "0010", 0, 10 },     /* base 10, not octal */
  { "2147483647", 0, 2147483647 },
  { "", -EINVAL, 0 },
  { " ", -EINVAL, 0 },
  { "x", -EINVAL, 0 },
  { "3x", -EINVAL, 0 },
  { "3 ", -EINVAL, 0 },
  { "0x3", -EINVAL, 0 },
  { "1.0", -EINVAL, 0 },
  { "-1", -EINVAL, 0 },
  { "-", -EINVAL, 0 },
  { "2147483648", -ERANGE, 0 },
  { "99999999999999999999", -ERANGE, 0 },
};

START_TEST (test_parse_fd)
{
  int fd = -42;
  int r = parse_fd (fd_cases[_i].str, &fd);

  ck_assert_msg (r == fd_cases[_i].rc, "\"%s\": %d", fd_cases[_i].str, r);
  ck_assert_int_eq (fd, r == 0 ? fd_cases[_i].value : -42);
}
END_TEST

/* ---- parse_id ----------------------------------------------------------- */

static const struct
{
  const char *str;
  int rc;
  uint32_t value;
} id_cases[] = {
  { "0", 0, 0 },
  { "1000", 0, 1000 },
  { " 7", 0, 7 },
  { "+8", 0, 8 },
  { "4294967294", 0, 4294967294u },
  { "4294967295", -ERANGE, 0 },  /* (uid_t) -1 is never an id */
  { "4294967296", -ERANGE, 0 },  /* bubblewrap would wrap to 0 */
  { "99999999999999999999999", -ERANGE, 0 },
  { "-1", -ERANGE, 0 },
  { "", -EINVAL, 0 },
  { "x", -EINVAL, 0 },
  { "1e3", -EINVAL, 0 },
  { "10 ", -EINVAL, 0 },
};

START_TEST (test_parse_id)
{
  uint32_t id = 42;
  int r = parse_id (id_cases[_i].str, &id);

  ck_assert_msg (r == id_cases[_i].rc, "\"%s\": %d", id_cases[_i].str, r);
  ck_assert_uint_eq (id, r == 0 ? id_cases[_i].value : 42);
}
END_TEST

/* ---- parse_mode --------------------------------------------------------- */

static const struct
{
  const char *str;
  int rc;
  mode_t value;
} mode_cases[] = {
  { "0", 0, 0 },
  { "0755", 0, 0755 },
  { "755", 0, 0755 },    /* always octal */
  { "07777", 0, 07777 },
  { "7777", 0, 07777 },
  { "01777", 0, 01777 },
  { " 0644", 0, 0644 },  /* strtoul rules */
  { "-0", 0, 0 },
  { "10000", -EINVAL, 0 },
  { "8", -EINVAL, 0 },
  { "0758", -EINVAL, 0 },
  { "", -EINVAL, 0 },
  { "x", -EINVAL, 0 },
  { "0x7", -EINVAL, 0 },
  { "0755 ", -EINVAL, 0 },
  { "-1", -EINVAL, 0 },
  { "99999999999999999999999999", -EINVAL, 0 },
};

START_TEST (test_parse_mode)
{
  mode_t mode = 0123;
  int r = parse_mode (mode_cases[_i].str, &mode);

  ck_assert_msg (r == mode_cases[_i].rc, "\"%s\": %d", mode_cases[_i].str, r);
  ck_assert_uint_eq (mode, r == 0 ? mode_cases[_i].value : 0123);
}
END_TEST

/* ---- parse_size --------------------------------------------------------- */

static const struct
{
  const char *str;
  int rc;
  uint64_t value;
} size_cases[] = {
  { "1", 0, 1 },
  { "4096", 0, 4096 },
  { "0x10", 0, 16 },
  { "0X10", 0, 16 },
  { "010", 0, 8 },
  { "9223372036854775807", 0, 9223372036854775807ull },
  { "0x7fffffffffffffff", 0, 9223372036854775807ull },
  { "9223372036854775808", -ERANGE, 0 },     /* above SIZE_MAX / 2 */
  { "18446744073709551615", -ERANGE, 0 },
  { "18446744073709551616", -EINVAL, 0 },    /* does not fit at all */
  { "0", -EINVAL, 0 },
  { "0x0", -EINVAL, 0 },
  { "00", -EINVAL, 0 },
  { "", -EINVAL, 0 },
  { " 1", -EINVAL, 0 },   /* must start with a digit */
  { "+1", -EINVAL, 0 },
  { "-1", -EINVAL, 0 },
  { "1k", -EINVAL, 0 },
  { "1M", -EINVAL, 0 },
  { "08", -EINVAL, 0 },
  { "0x", -EINVAL, 0 },
  { "1 ", -EINVAL, 0 },
};

START_TEST (test_parse_size)
{
  uint64_t size = 42;
  int r = parse_size (size_cases[_i].str, &size);

  ck_assert_msg (r == size_cases[_i].rc, "\"%s\": %d", size_cases[_i].str, r);
  ck_assert_uint_eq (size, r == 0 ? size_cases[_i].value : 42);
}
END_TEST

/* ---- Paths -------------------------------------------------------------- */

START_TEST (test_path_is_same_or_below)
{
  ck_assert (path_is_same_or_below ("/a/b", "/a"));
  ck_assert (path_is_same_or_below ("/a/b/c", "/a"));
  ck_assert (path_is_same_or_below ("/a", "/a"));
  ck_assert (path_is_same_or_below ("/x", "/"));
  ck_assert (path_is_same_or_below ("/", "/"));
  ck_assert (!path_is_same_or_below ("/ab", "/a"));
  ck_assert (!path_is_same_or_below ("/a", "/a/b"));
  ck_assert (!path_is_same_or_below ("/", "/a"));
  ck_assert (!path_is_same_or_below ("/b/a", "/a"));
  ck_assert (!path_is_same_or_below ("/a.b", "/a"));
}
END_TEST

START_TEST (test_path_skip_slashes)
{
  ck_assert_str_eq (path_skip_slashes ("//x/y"), "x/y");
  ck_assert_str_eq (path_skip_slashes ("/"), "");
  ck_assert_str_eq (path_skip_slashes ("x"), "x");
  ck_assert_str_eq (path_skip_slashes (""), "");
}
END_TEST

/* ---- Allocation and strings ----------------------------------------------- */

START_TEST (test_xappend_growth)
{
  struct item
  {
    int a;
    char pad[13];
    long b;
  } *items = NULL;
  size_t n = 0;

  for (size_t i = 0; i < 1000; i++)
    {
      items = xappend (items, &n, sizeof *items);
      ck_assert_uint_eq (n, i + 1);
      /* The new element is zeroed, even where realloc reused memory. */
      ck_assert_int_eq (items[i].a, 0);
      ck_assert_int_eq (items[i].b, 0);
      for (size_t k = 0; k < sizeof items[i].pad; k++)
        ck_assert_int_eq (items[i].pad[k], 0);
      items[i].a = (int) i;
      items[i].b = -(long) i;
      memset (items[i].pad, 'x', sizeof items[i].pad);
    }
  for (size_t i = 0; i < 1000; i++)
    {
      ck_assert_int_eq (items[i].a, (int) i);
      ck_assert_int_eq (items[i].b, -(long) i);
      ck_assert_int_eq (items[i].pad[12], 'x');
    }
  free (items);
}
END_TEST

START_TEST (test_strings)
{
  char *s;
  char **v;

  ck_assert_ptr_null (xstrdup (NULL));
  s = strconcat ("a", NULL);
  ck_assert_str_eq (s, "a");
  free (s);
  s = strconcat3 ("a", "b", "c");
  ck_assert_str_eq (s, "abc");
  free (s);
  s = xasprintf ("%s-%d", "x", 7);
  ck_assert_str_eq (s, "x-7");
  free (s);

  v = xcalloc (3, sizeof (char *));
  v[0] = xstrdup ("one");
  v[1] = xstrdup ("two");
  ck_assert_uint_eq (strv_length (v), 2);
  ck_assert_uint_eq (strv_length (NULL), 0);
  strv_free (v);
  strv_free (NULL);
}
END_TEST

START_TEST (test_bwrap_error)
{
  struct bwrap_error err = { 0 };

  ck_assert_int_eq (bwrap_error_set (&err, 0, "first %d", 1), -EINVAL);
  ck_assert_str_eq (err.message, "first 1");
  ck_assert_int_eq (err.errnum, 0);
  ck_assert_int_eq (bwrap_error_set (&err, ENOENT, "second"), -ENOENT);
  ck_assert_str_eq (err.message, "second");
  ck_assert_int_eq (err.errnum, ENOENT);
  ck_assert_int_eq (bwrap_error_set (NULL, EIO, "nowhere"), -EIO);
  bwrap_error_clear (&err);
  ck_assert_ptr_null (err.message);
  ck_assert_int_eq (err.errnum, 0);
  bwrap_error_clear (NULL);
}
END_TEST

/* ---- diagnostics -------------------------------------------------------- */

/* die_with_error() with a 6000-byte path, in a child with stderr on a
 * pipe: the line must be complete, errno text included (it used to be cut
 * at 4 KiB, losing the part that says what went wrong). */
START_TEST (test_die_long_message)
{
  size_t path_len = 6000;
  char *path = xmalloc (path_len + 1);
  char *out = NULL;
  char *expected;
  size_t len = 0;
  int fds[2];
  int status = -1;
  pid_t pid;

  memset (path, 'p', path_len);
  path[path_len] = '\0';
  expected = xasprintf ("bwrap: Can't mkdir %s: %s\n", path, strerror (ENAMETOOLONG));
  ck_assert_int_eq (pipe (fds), 0);
  pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      dup2 (fds[1], STDERR_FILENO);
      close (fds[0]);
      errno = ENAMETOOLONG;
      die_with_error ("Can't mkdir %s", path);
    }
  close (fds[1]);
  ck_assert_int_eq (read_fd_all (fds[0], 1 << 16, &out, &len), 0);
  close (fds[0]);
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 1);
  ck_assert_uint_eq (len, strlen (expected));
  ck_assert_str_eq (out, expected);
  free (out);
  free (expected);
  free (path);
}
END_TEST

/* ---- fd helpers ------------------------------------------------------------ */

START_TEST (test_read_fd_all)
{
  static const char data[] = "abc\0def";
  int fds[2];
  char *out = NULL;
  size_t len = 0;

  ck_assert_int_eq (pipe (fds), 0);
  ck_assert_int_eq (write_all (fds[1], data, sizeof data - 1), 0);
  close (fds[1]);
  ck_assert_int_eq (read_fd_all (fds[0], 1024, &out, &len), 0);
  close (fds[0]);
  ck_assert_uint_eq (len, 7);
  ck_assert_mem_eq (out, data, 8);   /* includes the appended NUL */
  free (out);

  /* Larger than the initial buffer, and then past max_len. */
  {
    size_t big = 10000;
    char *buf = xmalloc (big);
    pid_t pid;
    int status = -1;
    memset (buf, 'z', big);
    ck_assert_int_eq (pipe (fds), 0);
    pid = fork ();
    ck_assert_int_ge (pid, 0);
    if (pid == 0)
      {
        close (fds[0]);
        _exit (write_all (fds[1], buf, big) == 0 ? 0 : 1);
      }
    close (fds[1]);
    ck_assert_int_eq (read_fd_all (fds[0], 1 << 20, &out, &len), 0);
    close (fds[0]);
    ck_assert_int_eq (waitpid (pid, &status, 0), pid);
    ck_assert_int_eq (status, 0);
    ck_assert_uint_eq (len, big);
    ck_assert_mem_eq (out, buf, big);
    ck_assert_int_eq (out[big], '\0');
    free (out);

    ck_assert_int_eq (pipe (fds), 0);
    ck_assert_int_eq (write_all (fds[1], buf, 5000), 0);
    close (fds[1]);
    out = NULL;
    ck_assert_int_eq (read_fd_all (fds[0], 4096, &out, &len), -E2BIG);
    ck_assert_ptr_null (out);
    close (fds[0]);
    free (buf);
  }

  ck_assert_int_eq (read_fd_all (-1, 16, &out, &len), -EBADF);
}
END_TEST

static Suite *
utils_suite (void)
{
  Suite *s = suite_create ("utils");
  TCase *tc = tcase_create ("utils");

  tcase_add_loop_test (tc, test_parse_fd, 0, N_ELEMENTS (fd_cases));
  tcase_add_loop_test (tc, test_parse_id, 0, N_ELEMENTS (id_cases));
  tcase_add_loop_test (tc, test_parse_mode, 0, N_ELEMENTS (mode_cases));
  tcase_add_loop_test (tc, test_parse_size, 0, N_ELEMENTS (size_cases));
  tcase_add_test (tc, test_path_is_same_or_below);
  tcase_add_test (tc, test_path_skip_slashes);
  tcase_add_test (tc, test_xappend_growth);
  tcase_add_test (tc, test_strings);
  tcase_add_test (tc, test_bwrap_error);
  tcase_add_test (tc, test_die_long_message);
  tcase_add_test (tc, test_read_fd_all);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (utils_suite ());
}
