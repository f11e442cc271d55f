/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-setuid-helper.c: the codec of the setuid helper's one request
 * (SETUID_HELPER_OP_CLONE_SANDBOX) and the id maps it writes.  The helper runs
 * as root and decodes whatever the caller's process sends; the user
 * controls that process, so every malformed buffer must be refused, with
 * a reason, before anything is acted on.  No privileges. */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "setuid-helper.h"
#include "unit-main.h"

/* The namespaces a request may name (the helper adds NEWUSER|NEWNS, and a
 * request may repeat them).  Written out here rather than taken from
 * setuid-helper.c: this is the contract the helper is tested against. */
#define ALLOWED (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET \
                 | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const uint32_t allowed_bits[] = {
  CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET,
  CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWCGROUP,
};

/* A request as the wire carries it: six host-order words. */
static void
put_words (uint8_t *buf, uint32_t magic, uint32_t op, uint32_t clone_flags,
           uint32_t uid, uint32_t gid, uint32_t flags)
{
  uint32_t w[6] = { magic, op, clone_flags, uid, gid, flags };
  memcpy (buf, w, sizeof w);
}

/* A valid request with one word replaced. */
static void
put_valid_but (uint8_t *buf, size_t word, uint32_t value)
{
  uint32_t w[6] = { SETUID_HELPER_MAGIC, SETUID_HELPER_OP_CLONE_SANDBOX, CLONE_NEWUSER | CLONE_NEWNS,
                    1000, 1000, 0 };
  w[word] = value;
  memcpy (buf, w, sizeof w);
}

/* Decoding must fail with -EINVAL, a message containing want, and leave
 * the output untouched (the helper must not see half a request). */
static void
assert_rejected (const uint8_t *buf, size_t len, const char *want)
{
  struct setuid_helper_request out, before;
  struct bwrap_error err = { 0 };
  int r;

  memset (&out, 0xa5, sizeof out);
  before = out;
  r = setuid_helper_decode (buf, len, &out, &err);
  ck_assert_int_eq (r, -EINVAL);
  ck_assert_ptr_nonnull (err.message);
  ck_assert_msg (strstr (err.message, want) != NULL, "message '%s' lacks '%s'",
                 err.message, want);
  ck_assert_int_eq (err.errnum, 0);
  ck_assert_mem_eq (&out, &before, sizeof out);
  /* A NULL error is allowed (the helper passes one) and changes nothing. */
  ck_assert_int_eq (setuid_helper_decode (buf, len, &out, NULL), -EINVAL);
  ck_assert_mem_eq (&out, &before, sizeof out);
  bwrap_error_clear (&err);
}

static void
assert_accepted (const uint8_t *buf, size_t len)
{
  struct setuid_helper_request out;
  struct bwrap_error err = { 0 };
  int r = setuid_helper_decode (buf, len, &out, &err);

  ck_assert_msg (r == 0, "refused: %s", err.message != NULL ? err.message : "(no message)");
  ck_assert_ptr_null (err.message);
}

/* ---- round trip ---------------------------------------------------------- */

static const uint32_t ids[][2] = {
  { 0, 0 },
  { 1000, 1000 },
  { 4294967294u, 4294967294u },   /* the largest valid id */
  { 0, 4294967294u },
  { 4294967294u, 0 },
  { 1000, 65534 },
};

/* Every id pair with every combination of the allowed namespaces, with
 * and without SETUID_HELPER_DEV: each field comes back as it went in. */
START_TEST (test_round_trip)
{
  for (uint32_t combo = 0; combo < (1u << N_ELEMENTS (allowed_bits)); combo++)
    for (uint32_t flags = 0; flags <= SETUID_HELPER_DEV; flags += SETUID_HELPER_DEV)
      {
        struct setuid_helper_request in = {
          .magic = SETUID_HELPER_MAGIC,
          .op = SETUID_HELPER_OP_CLONE_SANDBOX,
          .inside_uid = ids[_i][0],
          .inside_gid = ids[_i][1],
          .flags = flags,
        };
        struct setuid_helper_request out;
        struct bwrap_error err = { 0 };
        uint8_t buf[SETUID_HELPER_REQUEST_SIZE];

        for (size_t b = 0; b < N_ELEMENTS (allowed_bits); b++)
          if (combo & (1u << b))
            in.clone_flags |= allowed_bits[b];
        memset (&out, 0xa5, sizeof out);
        ck_assert_int_eq (setuid_helper_encode (&in, buf, sizeof buf), (int) SETUID_HELPER_REQUEST_SIZE);
        ck_assert_int_eq (setuid_helper_decode (buf, sizeof buf, &out, &err), 0);
        ck_assert_ptr_null (err.message);
        ck_assert_uint_eq (out.magic, SETUID_HELPER_MAGIC);
        ck_assert_uint_eq (out.op, SETUID_HELPER_OP_CLONE_SANDBOX);
        ck_assert_uint_eq (out.clone_flags, in.clone_flags);
        ck_assert_uint_eq (out.inside_uid, ids[_i][0]);
        ck_assert_uint_eq (out.inside_gid, ids[_i][1]);
        ck_assert_uint_eq (out.flags, flags);
      }
}
END_TEST

/* The request process.c sends for a plain --unshare-all: named here so
 * that its failure reads as what it is. */
START_TEST (test_round_trip_newuser_newns)
{
  struct setuid_helper_request in = {
    SETUID_HELPER_MAGIC, SETUID_HELPER_OP_CLONE_SANDBOX, CLONE_NEWUSER | CLONE_NEWNS, 0, 0, SETUID_HELPER_DEV,
  };
  struct setuid_helper_request out = { 0 };
  uint8_t buf[SETUID_HELPER_REQUEST_SIZE];

  ck_assert_int_eq (setuid_helper_encode (&in, buf, sizeof buf), (int) SETUID_HELPER_REQUEST_SIZE);
  ck_assert_int_eq (setuid_helper_decode (buf, sizeof buf, &out, NULL), 0);
  ck_assert_mem_eq (&out, &in, sizeof out);
}
END_TEST

START_TEST (test_encode_buffer_sizes)
{
  struct setuid_helper_request in = {
    SETUID_HELPER_MAGIC, SETUID_HELPER_OP_CLONE_SANDBOX, CLONE_NEWUSER, 7, 8, SETUID_HELPER_DEV,
  };
  uint8_t big[64];
  uint8_t exact[SETUID_HELPER_REQUEST_SIZE];

  ck_assert_uint_eq (SETUID_HELPER_REQUEST_SIZE, 24);
  /* Too small: nothing written, -ENOBUFS. */
  memset (big, 0x5a, sizeof big);
  ck_assert_int_eq (setuid_helper_encode (&in, big, 0), -ENOBUFS);
  ck_assert_int_eq (setuid_helper_encode (&in, big, 1), -ENOBUFS);
  ck_assert_int_eq (setuid_helper_encode (&in, big, SETUID_HELPER_REQUEST_SIZE - 1), -ENOBUFS);
  for (size_t i = 0; i < sizeof big; i++)
    ck_assert_uint_eq (big[i], 0x5a);
  /* A larger buffer gets exactly the request, nothing past it. */
  ck_assert_int_eq (setuid_helper_encode (&in, big, sizeof big), (int) SETUID_HELPER_REQUEST_SIZE);
  for (size_t i = SETUID_HELPER_REQUEST_SIZE; i < sizeof big; i++)
    ck_assert_uint_eq (big[i], 0x5a);
  ck_assert_int_eq (setuid_helper_encode (&in, exact, sizeof exact), (int) SETUID_HELPER_REQUEST_SIZE);
  ck_assert_mem_eq (big, exact, SETUID_HELPER_REQUEST_SIZE);
}
END_TEST

/* ---- decoder refusals ---------------------------------------------------- */

/* Every length but the exact one: nothing, truncated, trailing data
 * (16 is the old protocol's size). */
static const size_t bad_lengths[] = { 0, 1, 4, 16, 20, 23, 25, 28, 32, 48, 64 };

START_TEST (test_reject_length)
{
  uint8_t buf[64];
  char want[64];

  memset (buf, 0, sizeof buf);
  put_valid_but (buf, 0, SETUID_HELPER_MAGIC);
  snprintf (want, sizeof want, "request of %zu bytes, expected 24", bad_lengths[_i]);
  assert_rejected (buf, bad_lengths[_i], want);
}
END_TEST

/* The magic, corrupted in each byte; all zeros; the other byte order. */
START_TEST (test_reject_magic)
{
  uint8_t buf[SETUID_HELPER_REQUEST_SIZE];

  put_valid_but (buf, 0, SETUID_HELPER_MAGIC);
  buf[_i] ^= 0x01;
  assert_rejected (buf, sizeof buf, "bad magic");
  put_words (buf, 0, 0, 0, 0, 0, 0);
  assert_rejected (buf, sizeof buf, "bad magic");
  put_valid_but (buf, 0, __builtin_bswap32 (SETUID_HELPER_MAGIC));
  assert_rejected (buf, sizeof buf, "bad magic");
}
END_TEST

/* 1 is the old SETUID_HELPER_OP_CREATE_USERNS: a stale binary on the other end
 * must not get a namespace out of it. */
static const uint32_t bad_ops[] = { 0, 1, 3, 0x100, 0x02000000, UINT32_MAX };

START_TEST (test_reject_op)
{
  uint8_t buf[SETUID_HELPER_REQUEST_SIZE];
  char want[64];

  put_valid_but (buf, 1, bad_ops[_i]);
  snprintf (want, sizeof want, "unknown operation %u", bad_ops[_i]);
  assert_rejected (buf, sizeof buf, want);
}
END_TEST

/* Flags that would share the caller's memory, files or thread group with
 * a root process, reparent it, or ask for a namespace we do not hand
 * out; alone and next to valid namespaces. */
static const uint32_t bad_clone_flags[] = {
  CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_PTRACE, CLONE_VFORK,
  CLONE_PARENT, CLONE_THREAD, CLONE_SYSVSEM, CLONE_SETTLS, CLONE_PARENT_SETTID,
  CLONE_CHILD_CLEARTID, CLONE_UNTRACED, CLONE_CHILD_SETTID, CLONE_IO,
  CLONE_NEWTIME,
  17,                                      /* SIGCHLD in the exit-signal byte */
  CLONE_NEWUSER | CLONE_NEWNS | CLONE_VM,
  ALLOWED | CLONE_PARENT,
  ALLOWED | CLONE_NEWTIME,
  UINT32_MAX,
};

START_TEST (test_reject_clone_flags)
{
  uint8_t buf[SETUID_HELPER_REQUEST_SIZE];
  char want[64];

  put_valid_but (buf, 2, bad_clone_flags[_i]);
  snprintf (want, sizeof want, "clone flags 0x%x not allowed", bad_clone_flags[_i]);
  assert_rejected (buf, sizeof buf, want);
}
END_TEST

/* Each of the 32 bits alone: accepted exactly when it is a namespace we
 * hand out. */
START_TEST (test_clone_flag_bits)
{
  uint32_t bit = 1u << _i;
  uint8_t buf[SETUID_HELPER_REQUEST_SIZE];
  char want[64];

  put_valid_but (buf, 2, bit);
  if (bit & ALLOWED)
    assert_accepted (buf, sizeof buf);
  else
    {
      snprintf (want, sizeof want, "clone flags 0x%x not allowed", bit);
      assert_rejected (buf, sizeof buf, want);
      /* Next to every allowed namespace too. */
      put_valid_but (buf, 2, bit | ALLOWED);
      snprintf (want, sizeof want, "clone flags 0x%x not allowed", bit | ALLOWED);
      assert_rejected (buf, sizeof buf, want);
    }
}
END_TEST

/* (uid_t)-1 means "leave unchanged" to set*id(2): never a mappable id. */
START_TEST (test_reject_minus_one_ids)
{
  uint8_t buf[SETUID_HELPER_REQUEST_SIZE];

  put_valid_but (buf, 3, UINT32_MAX);
  assert_rejected (buf, sizeof buf, "invalid id");
  put_valid_but (buf, 4, UINT32_MAX);
  assert_rejected (buf, sizeof buf, "invalid id");
  put_words (buf, SETUID_HELPER_MAGIC, SETUID_HELPER_OP_CLONE_SANDBOX, CLONE_NEWUSER, UINT32_MAX,
             UINT32_MAX, 0);
  assert_rejected (buf, sizeof buf, "invalid id");
  put_words (buf, SETUID_HELPER_MAGIC, SETUID_HELPER_OP_CLONE_SANDBOX, CLONE_NEWUSER, 0, UINT32_MAX,
             SETUID_HELPER_DEV);
  assert_rejected (buf, sizeof buf, "invalid id");
}
END_TEST

/* Each flag bit alone: only SETUID_HELPER_DEV is known. */
START_TEST (test_flag_bits)
{
  uint32_t bit = 1u << _i;
  uint8_t buf[SETUID_HELPER_REQUEST_SIZE];
  char want[64];

  put_valid_but (buf, 5, bit);
  if (bit == SETUID_HELPER_DEV)
    assert_accepted (buf, sizeof buf);
  else
    {
      snprintf (want, sizeof want, "unknown flags 0x%x", bit);
      assert_rejected (buf, sizeof buf, want);
      put_valid_but (buf, 5, bit | SETUID_HELPER_DEV);
      snprintf (want, sizeof want, "unknown flags 0x%x", bit | SETUID_HELPER_DEV);
      assert_rejected (buf, sizeof buf, want);
    }
}
END_TEST

/* With everything wrong, the checks come in a fixed order: length,
 * magic, op, namespaces, ids, flags. */
START_TEST (test_reject_order)
{
  uint8_t buf[SETUID_HELPER_REQUEST_SIZE + 4];

  memset (buf, 0, sizeof buf);
  put_words (buf, 1, 99, CLONE_VM, UINT32_MAX, UINT32_MAX, 2);
  assert_rejected (buf, sizeof buf, "request of 28 bytes");
  assert_rejected (buf, SETUID_HELPER_REQUEST_SIZE, "bad magic");
  put_words (buf, SETUID_HELPER_MAGIC, 99, CLONE_VM, UINT32_MAX, UINT32_MAX, 2);
  assert_rejected (buf, SETUID_HELPER_REQUEST_SIZE, "unknown operation 99");
  put_words (buf, SETUID_HELPER_MAGIC, SETUID_HELPER_OP_CLONE_SANDBOX, CLONE_VM, UINT32_MAX, UINT32_MAX, 2);
  assert_rejected (buf, SETUID_HELPER_REQUEST_SIZE, "clone flags 0x100 not allowed");
  put_words (buf, SETUID_HELPER_MAGIC, SETUID_HELPER_OP_CLONE_SANDBOX, 0, UINT32_MAX, UINT32_MAX, 2);
  assert_rejected (buf, SETUID_HELPER_REQUEST_SIZE, "invalid id");
  put_words (buf, SETUID_HELPER_MAGIC, SETUID_HELPER_OP_CLONE_SANDBOX, 0, 0, 0, 2);
  assert_rejected (buf, SETUID_HELPER_REQUEST_SIZE, "unknown flags 0x2");
}
END_TEST

/* ---- id maps ------------------------------------------------------------- */

static const struct
{
  uint32_t inside, real, overflow;
  bool dev;
  const char *map;
} map_cases[] = {
  { 1000, 1000, 65534, false, "1000 1000 1\n" },
  { 0, 1000, 65534, false, "0 1000 1\n" },
  { 5, 1000, 65534, false, "5 1000 1\n" },
  { 4294967294u, 4294967294u, 65534, false, "4294967294 4294967294 1\n" },
  /* --dev with neither id 0: devpts needs 0 mapped, to the overflow id. */
  { 1000, 1000, 65534, true, "0 65534 1\n1000 1000 1\n" },
  { 5, 1001, 65534, true, "0 65534 1\n5 1001 1\n" },
  { 4294967294u, 4294967294u, 65534, true, "0 65534 1\n4294967294 4294967294 1\n" },
  { 1000, 1000, 4294967294u, true, "0 4294967294 1\n1000 1000 1\n" },
  /* 0 already mapped inside, or outside, or the overflow id is ours. */
  { 0, 1000, 65534, true, "0 1000 1\n" },
  { 1000, 0, 65534, true, "1000 0 1\n" },
  { 0, 0, 65534, true, "0 0 1\n" },
  { 1000, 65534, 65534, true, "1000 65534 1\n" },
};

START_TEST (test_format_map)
{
  char buf[128];

  memset (buf, 'X', sizeof buf);
  setuid_helper_format_map (buf, sizeof buf, map_cases[_i].inside, map_cases[_i].real,
                      map_cases[_i].overflow, map_cases[_i].dev);
  ck_assert_str_eq (buf, map_cases[_i].map);
}
END_TEST

/* Every buffer size up to one past the map: never a byte past len, the
 * result NUL-terminated within len and a prefix of the whole map. */
START_TEST (test_format_map_truncated)
{
  const char *full = map_cases[_i].map;
  size_t n = strlen (full);
  char buf[128];

  for (size_t len = 0; len <= n + 1; len++)
    {
      memset (buf, 'X', sizeof buf);
      setuid_helper_format_map (buf, len, map_cases[_i].inside, map_cases[_i].real,
                          map_cases[_i].overflow, map_cases[_i].dev);
      for (size_t i = len; i < sizeof buf; i++)
        ck_assert_msg (buf[i] == 'X', "len %zu: byte %zu written", len, i);
      if (len == 0)
        continue;
      ck_assert_uint_lt (strnlen (buf, len), len);
      ck_assert_uint_eq (strlen (buf), len - 1 < n ? len - 1 : n);
      ck_assert_int_eq (strncmp (buf, full, strlen (buf)), 0);
    }
}
END_TEST

static Suite *
setuid_helper_suite (void)
{
  Suite *s = suite_create ("setuid-helper");
  TCase *tc = tcase_create ("codec");
  TCase *maps = tcase_create ("maps");

  tcase_add_loop_test (tc, test_round_trip, 0, N_ELEMENTS (ids));
  tcase_add_test (tc, test_round_trip_newuser_newns);
  tcase_add_test (tc, test_encode_buffer_sizes);
  tcase_add_loop_test (tc, test_reject_length, 0, N_ELEMENTS (bad_lengths));
  tcase_add_loop_test (tc, test_reject_magic, 0, 4);
  tcase_add_loop_test (tc, test_reject_op, 0, N_ELEMENTS (bad_ops));
  tcase_add_loop_test (tc, test_reject_clone_flags, 0, N_ELEMENTS (bad_clone_flags));
  tcase_add_loop_test (tc, test_clone_flag_bits, 0, 32);
  tcase_add_test (tc, test_reject_minus_one_ids);
  tcase_add_loop_test (tc, test_flag_bits, 0, 32);
  tcase_add_test (tc, test_reject_order);
  suite_add_tcase (s, tc);
  tcase_add_loop_test (maps, test_format_map, 0, N_ELEMENTS (map_cases));
  tcase_add_loop_test (maps, test_format_map_truncated, 0, N_ELEMENTS (map_cases));
  suite_add_tcase (s, maps);
  return s;
}

int
main (void)
{
  return unit_run_suite (setuid_helper_suite ());
}
