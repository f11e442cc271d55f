/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-privsep.c: the codec of the setuid helper's one request.  The
 * helper (privileged) decodes whatever the caller's process sends, and the
 * user controls that process, so every malformed buffer must be refused
 * before anything is acted on.  No privileges. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privsep.h"
#include "unit-main.h"

/* A request as the wire carries it: four host-order words. */
static void
put_words (uint8_t *buf, uint32_t magic, uint32_t op, uint32_t uid, uint32_t gid)
{
  uint32_t w[4] = { magic, op, uid, gid };
  memcpy (buf, w, sizeof w);
}

/* Decoding must fail with -EINVAL, a message containing want, and leave
 * the output untouched (the helper must not see half a request). */
static void
assert_rejected (const uint8_t *buf, size_t len, const char *want)
{
  struct privsep_request out = { 0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef };
  struct bwrap_error err = { 0 };
  int r = privsep_decode (buf, len, &out, &err);

  ck_assert_int_eq (r, -EINVAL);
  ck_assert_ptr_nonnull (err.message);
  ck_assert_msg (strstr (err.message, want) != NULL, "message '%s' lacks '%s'",
                 err.message, want);
  ck_assert_uint_eq (out.magic, 0xdeadbeef);
  ck_assert_uint_eq (out.op, 0xdeadbeef);
  ck_assert_uint_eq (out.inside_uid, 0xdeadbeef);
  ck_assert_uint_eq (out.inside_gid, 0xdeadbeef);
  /* A NULL error is allowed (the helper passes one) and changes nothing. */
  ck_assert_int_eq (privsep_decode (buf, len, &out, NULL), -EINVAL);
  bwrap_error_clear (&err);
}

/* ---- round trip ---------------------------------------------------------- */

static const uint32_t ids[][2] = {
  { 0, 0 },
  { 1000, 1000 },
  { 0, 65534 },
  { 65534, 0 },
  { 4294967294u, 4294967294u },   /* the largest valid id */
  { 1, 4294967294u },
};

START_TEST (test_round_trip)
{
  struct privsep_request in = {
    .magic = PRIVSEP_MAGIC,
    .op = PRIVSEP_OP_CREATE_USERNS,
    .inside_uid = ids[_i][0],
    .inside_gid = ids[_i][1],
  };
  struct privsep_request out;
  struct bwrap_error err = { 0 };
  uint8_t buf[PRIVSEP_REQUEST_SIZE];

  memset (&out, 0xa5, sizeof out);
  ck_assert_int_eq (privsep_encode (&in, buf, sizeof buf), (int) PRIVSEP_REQUEST_SIZE);
  ck_assert_int_eq (privsep_decode (buf, sizeof buf, &out, &err), 0);
  ck_assert_ptr_null (err.message);
  ck_assert_uint_eq (out.magic, PRIVSEP_MAGIC);
  ck_assert_uint_eq (out.op, PRIVSEP_OP_CREATE_USERNS);
  ck_assert_uint_eq (out.inside_uid, ids[_i][0]);
  ck_assert_uint_eq (out.inside_gid, ids[_i][1]);
}
END_TEST

START_TEST (test_encode_buffer_sizes)
{
  struct privsep_request in = { PRIVSEP_MAGIC, PRIVSEP_OP_CREATE_USERNS, 7, 8 };
  uint8_t big[64];
  uint8_t exact[PRIVSEP_REQUEST_SIZE];

  ck_assert_uint_eq (PRIVSEP_REQUEST_SIZE, 16);
  /* Too small: nothing written, -ENOBUFS. */
  memset (big, 0x5a, sizeof big);
  ck_assert_int_eq (privsep_encode (&in, big, 0), -ENOBUFS);
  ck_assert_int_eq (privsep_encode (&in, big, PRIVSEP_REQUEST_SIZE - 1), -ENOBUFS);
  for (size_t i = 0; i < sizeof big; i++)
    ck_assert_uint_eq (big[i], 0x5a);
  /* A larger buffer gets exactly the request, nothing past it. */
  ck_assert_int_eq (privsep_encode (&in, big, sizeof big), (int) PRIVSEP_REQUEST_SIZE);
  for (size_t i = PRIVSEP_REQUEST_SIZE; i < sizeof big; i++)
    ck_assert_uint_eq (big[i], 0x5a);
  ck_assert_int_eq (privsep_encode (&in, exact, sizeof exact), (int) PRIVSEP_REQUEST_SIZE);
  ck_assert_mem_eq (big, exact, PRIVSEP_REQUEST_SIZE);
}
END_TEST

/* ---- decoder refusals ---------------------------------------------------- */

/* Every length but the exact one: truncated and trailing data. */
static const size_t bad_lengths[] = { 0, 1, 4, 8, 12, 15, 17, 20, 32, 64 };

START_TEST (test_reject_length)
{
  uint8_t buf[64];
  char want[64];

  memset (buf, 0, sizeof buf);
  put_words (buf, PRIVSEP_MAGIC, PRIVSEP_OP_CREATE_USERNS, 1000, 1000);
  snprintf (want, sizeof want, "request of %zu bytes, expected 16", bad_lengths[_i]);
  assert_rejected (buf, bad_lengths[_i], want);
}
END_TEST

/* The magic, corrupted in each byte, and a request of all zeros. */
START_TEST (test_reject_magic)
{
  uint8_t buf[PRIVSEP_REQUEST_SIZE];

  put_words (buf, PRIVSEP_MAGIC, PRIVSEP_OP_CREATE_USERNS, 0, 0);
  buf[_i] ^= 0x01;
  assert_rejected (buf, sizeof buf, "bad magic");
  put_words (buf, 0, 0, 0, 0);
  assert_rejected (buf, sizeof buf, "bad magic");
  put_words (buf, __builtin_bswap32 (PRIVSEP_MAGIC), PRIVSEP_OP_CREATE_USERNS, 0, 0);
  assert_rejected (buf, sizeof buf, "bad magic");
}
END_TEST

static const uint32_t bad_ops[] = { 0, 2, 3, 0x100, 0x01000000, UINT32_MAX };

START_TEST (test_reject_op)
{
  uint8_t buf[PRIVSEP_REQUEST_SIZE];
  char want[64];

  put_words (buf, PRIVSEP_MAGIC, bad_ops[_i], 1000, 1000);
  snprintf (want, sizeof want, "unknown operation %u", bad_ops[_i]);
  assert_rejected (buf, sizeof buf, want);
}
END_TEST

/* (uid_t)-1 means "leave unchanged" to set*id(2): never a mappable id. */
START_TEST (test_reject_minus_one_ids)
{
  uint8_t buf[PRIVSEP_REQUEST_SIZE];

  put_words (buf, PRIVSEP_MAGIC, PRIVSEP_OP_CREATE_USERNS, UINT32_MAX, 0);
  assert_rejected (buf, sizeof buf, "invalid id");
  put_words (buf, PRIVSEP_MAGIC, PRIVSEP_OP_CREATE_USERNS, 0, UINT32_MAX);
  assert_rejected (buf, sizeof buf, "invalid id");
  put_words (buf, PRIVSEP_MAGIC, PRIVSEP_OP_CREATE_USERNS, UINT32_MAX, UINT32_MAX);
  assert_rejected (buf, sizeof buf, "invalid id");
}
END_TEST

/* The checks come in a fixed order: length, magic, op, ids. */
START_TEST (test_reject_order)
{
  uint8_t buf[PRIVSEP_REQUEST_SIZE + 4];

  memset (buf, 0, sizeof buf);
  put_words (buf, 1, 99, UINT32_MAX, UINT32_MAX);
  assert_rejected (buf, sizeof buf, "request of 20 bytes");
  assert_rejected (buf, PRIVSEP_REQUEST_SIZE, "bad magic");
  put_words (buf, PRIVSEP_MAGIC, 99, UINT32_MAX, UINT32_MAX);
  assert_rejected (buf, PRIVSEP_REQUEST_SIZE, "unknown operation 99");
}
END_TEST

/* Ban detection: a fake sysctl directory with the two knobs set to the
 * given contents (NULL: the file does not exist). */
static const struct
{
  const char *clone, *apparmor;
  bool banned;
} ban_cases[] = {
  { NULL, NULL, false },      /* neither knob: upstream kernels */
  { "1\n", NULL, false },
  { "0\n", NULL, true },     /* Debian's switch off */
  { NULL, "0\n", false },
  { NULL, "1\n", true },     /* Ubuntu's AppArmor restriction */
  { "1\n", "1\n", true },
  { "0\n", "0\n", true },
  { "", "", false },          /* unreadable content counts as no ban */
};

static void
put_knob (const char *dir, const char *name, const char *content)
{
  char path[4096];
  FILE *f;

  if (content == NULL)
    return;
  snprintf (path, sizeof path, "%s/%s", dir, name);
  f = fopen (path, "w");
  ck_assert_ptr_nonnull (f);
  fputs (content, f);
  fclose (f);
}

START_TEST (test_userns_ban)
{
  char dir[] = "/tmp/test-privsep-XXXXXX";
  char path[4096];

  ck_assert_ptr_nonnull (mkdtemp (dir));
  put_knob (dir, "unprivileged_userns_clone", ban_cases[_i].clone);
  put_knob (dir, "apparmor_restrict_unprivileged_userns", ban_cases[_i].apparmor);
  ck_assert_int_eq (privsep_userns_banned (dir), ban_cases[_i].banned);
  snprintf (path, sizeof path, "%s/unprivileged_userns_clone", dir);
  (void) unlink (path);
  snprintf (path, sizeof path, "%s/apparmor_restrict_unprivileged_userns", dir);
  (void) unlink (path);
  ck_assert_int_eq (rmdir (dir), 0);
}
END_TEST

static Suite *
privsep_suite (void)
{
  Suite *s = suite_create ("privsep");
  TCase *tc = tcase_create ("codec");

  tcase_add_loop_test (tc, test_round_trip, 0, N_ELEMENTS (ids));
  tcase_add_test (tc, test_encode_buffer_sizes);
  tcase_add_loop_test (tc, test_reject_length, 0, N_ELEMENTS (bad_lengths));
  tcase_add_loop_test (tc, test_reject_magic, 0, 4);
  tcase_add_loop_test (tc, test_reject_op, 0, N_ELEMENTS (bad_ops));
  tcase_add_test (tc, test_reject_minus_one_ids);
  tcase_add_test (tc, test_reject_order);
  tcase_add_loop_test (tc, test_userns_ban, 0, N_ELEMENTS (ban_cases));
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (privsep_suite ());
}
