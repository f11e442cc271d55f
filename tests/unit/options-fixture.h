/* SPDX-License-Identifier: LGPL-2.0-or-later
 * options-fixture.h: the fixture every test-options-*.c shares: a fresh
 * plan and context per test, --args data served from in-memory buffers
 * through a fake read_fd callback, and the PARSE/OK/FAILS/WARNINGS
 * shorthands.  Include it once per test executable: the state is static. */
#pragma once

#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

struct fake_fd
{
  int fd;
  const char *data;
  size_t len;
  int error;
};

static struct fake_fd fakes[16];
static size_t n_fakes;
static struct options_context ctx;
static struct plan plan;
static struct bwrap_error err;
static int rc;

static inline void
add_fake (int fd, const char *data, size_t len, int error)
{
  ck_assert_uint_lt (n_fakes, N_ELEMENTS (fakes));
  fakes[n_fakes++] = (struct fake_fd) { fd, data, len, error };
}
/* Keeps embedded NULs: the length comes from the literal, not strlen. */
#define FAKE(fd, literal) add_fake (fd, literal, sizeof (literal) - 1, 0)

static inline int
fake_read_fd (int fd, char **ret_data, size_t *ret_len, void *userdata)
{
  ck_assert_ptr_eq (userdata, fakes);
  for (size_t i = 0; i < n_fakes; i++)
    if (fakes[i].fd == fd)
      {
        char *data;
        if (fakes[i].error != 0)
          return -fakes[i].error;
        data = xmalloc (fakes[i].len + 1);
        memcpy (data, fakes[i].data, fakes[i].len);
        data[fakes[i].len] = '\0';
        *ret_data = data;
        *ret_len = fakes[i].len;
        return 0;
      }
  return -EBADF;
}

static inline void
setup (void)
{
  memset (&ctx, 0, sizeof ctx);
  ctx.read_fd = fake_read_fd;
  ctx.userdata = fakes;
  ctx.real_uid = 1000;
  ctx.real_gid = 1001;
  n_fakes = 0;
  plan_init (&plan);
  memset (&err, 0, sizeof err);
}

static inline void
teardown (void)
{
  plan_free (&plan);
  bwrap_error_clear (&err);
}

/* Parse a NULL-terminated argv into a fresh plan. */
static inline int
parse_v (const char *const *argv)
{
  int argc = 0;

  while (argv[argc] != NULL)
    argc++;
  plan_free (&plan);
  bwrap_error_clear (&err);
  rc = options_parse (argc, (char **) argv, &ctx, &plan, &err);
  if (rc < 0)
    ck_assert_ptr_nonnull (err.message);
  return rc;
}
#define PARSE(...) parse_v ((const char *const[]) { "bwrap", __VA_ARGS__, NULL })
#define OK(...) ck_assert_int_eq (PARSE (__VA_ARGS__), OPTIONS_RUN)

static inline void
assert_error (int expected_rc, int errnum, const char *message)
{
  ck_assert_int_eq (rc, expected_rc);
  ck_assert_ptr_nonnull (err.message);
  ck_assert_str_eq (err.message, message);
  ck_assert_int_eq (err.errnum, errnum);
}
#define FAILS(msg, ...) do { PARSE (__VA_ARGS__); assert_error (-EINVAL, 0, msg); } while (0)

static inline int
validate (void)
{
  bwrap_error_clear (&err);
  rc = options_validate (&plan, &ctx, &err);
  return rc;
}

static inline const struct setup_op *
op_at (size_t i, enum setup_op_kind kind)
{
  ck_assert_uint_gt (plan.n_ops, i);
  ck_assert_int_eq (plan.ops[i].kind, kind);
  return &plan.ops[i];
}

static inline void
assert_warnings (const char *const *expected)
{
  size_t n = 0;
  while (expected[n] != NULL)
    n++;
  ck_assert_uint_eq (plan.n_warnings, n);
  for (size_t i = 0; i < n; i++)
    ck_assert_str_eq (plan.warnings[i], expected[i]);
}
#define WARNINGS(...) assert_warnings ((const char *const[]) { __VA_ARGS__, NULL })

/* argv = "bwrap", head..., filler x n_fill, tail...; freed by the caller. */
static inline const char **
long_argv (const char *const *head, const char *filler, size_t n_fill,
           const char *const *tail)
{
  const char **v = xcalloc (n_fill + 64, sizeof (char *));
  size_t n = 0;

  v[n++] = "bwrap";
  for (; *head != NULL; head++)
    v[n++] = *head;
  for (size_t i = 0; i < n_fill; i++)
    v[n++] = filler;
  for (; *tail != NULL; tail++)
    v[n++] = *tail;
  return v;
}
#define LIST(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define NONE ((const char *const[]) { NULL })
