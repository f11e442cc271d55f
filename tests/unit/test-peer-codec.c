/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-peer-codec.c: the codec of setuid mode's privileged setup requests
 * (peer-codec.h).  The setuid peer decodes whatever the unprivileged
 * sandbox process sends, and the user can make that process send anything,
 * so every request outside an operation's shape and whitelist must be
 * refused, with a reason.  No privileges. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "mount.h"
#include "peer-codec.h"
#include "unit-main.h"

/* The wire header (setuid-peer.c): magic, op, flags, n_strings. */
#define HEADER_SIZE (4 * sizeof (uint32_t))
#define REQUEST_MAX (HEADER_SIZE + PEER_PAYLOAD_MAX)
#define MAX_STRINGS (N_ELEMENTS (((struct peer_request *) 0)->strings))

#define BIND_FLAGS (BIND_READONLY | BIND_DEVICES)
#define MOUNT_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV \
                     | MOUNT_ATTR_NOEXEC)

/* What each operation takes, as peer-codec.h describes it. */
static const struct
{
  uint32_t op;
  size_t n_fds;
  uint32_t flags;
} shapes[] = {
  { PEER_SETUP_ROOT, 0, 0 },
  { PEER_BIND, 2, BIND_FLAGS },
  { PEER_MOUNT_FS, 1, MOUNT_ATTRS },
  { PEER_SET_RDONLY, 1, 0 },
  { PEER_HOSTNAME, 0, 0 },
  { PEER_LOOPBACK, 0, 0 },
  { PEER_ENTER_NEW_ROOT, 0, 0 },
};

/* A valid string list for each operation. */
static size_t
valid_strings (uint32_t op, const char **strings)
{
  switch (op)
    {
    case PEER_MOUNT_FS:
      strings[0] = "tmpfs";
      strings[1] = "mode=0755";
      return 2;
    case PEER_HOSTNAME:
      strings[0] = "sandbox";
      return 1;
    default:
      return 0;
    }
}

/* A request as the wire carries it, header and raw payload, built by hand
 * so that it can be anything the encoder would not produce. */
static size_t
put_raw (uint8_t *buf, uint32_t magic, uint32_t op, uint32_t flags, uint32_t n_strings,
         const void *payload, size_t payload_len)
{
  uint32_t w[4] = { magic, op, flags, n_strings };
  memcpy (buf, w, sizeof w);
  if (payload_len > 0)
    memcpy (buf + sizeof w, payload, payload_len);
  return sizeof w + payload_len;
}

static size_t
encode_ok (uint32_t op, uint32_t flags, const char *const *strings, size_t n,
           uint8_t *buf, size_t len)
{
  ssize_t r = peer_encode (op, flags, strings, n, buf, len);
  ck_assert_int_gt (r, 0);
  return (size_t) r;
}

/* Decoding must fail with -EINVAL and a message containing want. */
static void
assert_rejected (uint8_t *buf, size_t len, size_t n_fds, const char *want)
{
  struct peer_request out;
  struct bwrap_error err = { 0 };
  int r = peer_decode (buf, len, n_fds, &out, &err);

  ck_assert_int_eq (r, -EINVAL);
  ck_assert_ptr_nonnull (err.message);
  ck_assert_msg (strstr (err.message, want) != NULL, "message '%s' lacks '%s'",
                 err.message, want);
  ck_assert_int_eq (err.errnum, 0);
  ck_assert_int_eq (peer_decode (buf, len, n_fds, &out, NULL), -EINVAL);
  bwrap_error_clear (&err);
}

static void
assert_accepted (uint8_t *buf, size_t len, size_t n_fds, struct peer_request *out)
{
  struct bwrap_error err = { 0 };
  int r = peer_decode (buf, len, n_fds, out, &err);

  ck_assert_msg (r == 0, "refused: %s", err.message != NULL ? err.message : "(no message)");
  ck_assert_ptr_null (err.message);
}

/* Encode, decode, compare; decoded strings point into buf. */
static void
round_trip (uint32_t op, uint32_t flags, const char *const *strings, size_t n, size_t n_fds)
{
  uint8_t buf[REQUEST_MAX];
  struct peer_request out;
  size_t len = encode_ok (op, flags, strings, n, buf, sizeof buf);
  size_t want_len = HEADER_SIZE;

  for (size_t i = 0; i < n; i++)
    want_len += strlen (strings[i]) + 1;
  ck_assert_uint_eq (len, want_len);
  memset (&out, 0xa5, sizeof out);
  assert_accepted (buf, len, n_fds, &out);
  ck_assert_uint_eq (out.op, op);
  ck_assert_uint_eq (out.flags, flags);
  ck_assert_uint_eq (out.n_fds, n_fds);
  ck_assert_uint_eq (out.n_strings, n);
  for (size_t i = 0; i < n; i++)
    {
      ck_assert_str_eq (out.strings[i], strings[i]);
      ck_assert_msg ((const uint8_t *) out.strings[i] >= buf + HEADER_SIZE
                     && (const uint8_t *) out.strings[i] < buf + len,
                     "string %zu does not point into the request", i);
    }
}

/* ---- round trips ---------------------------------------------------------- */

static const uint32_t simple_ops[] = {
  PEER_SETUP_ROOT, PEER_LOOPBACK, PEER_ENTER_NEW_ROOT,
};

START_TEST (test_round_trip_simple)
{
  round_trip (simple_ops[_i], 0, NULL, 0, 0);
}
END_TEST

START_TEST (test_round_trip_bind)
{
  for (uint32_t flags = 0; flags <= BIND_FLAGS; flags++)
    if ((flags & ~BIND_FLAGS) == 0)
      round_trip (PEER_BIND, flags, NULL, 0, 2);
}
END_TEST

START_TEST (test_round_trip_set_rdonly)
{
  round_trip (PEER_SET_RDONLY, 0, NULL, 0, 1);
}
END_TEST

/* What dev.c and mount-fs.c send, and the limits of each value. */
static const char *const mount_cases[][6] = {
  { "tmpfs" },
  { "tmpfs", "mode=0755" },
  { "tmpfs", "mode=0755", "context=system_u:object_r:tmp_t:s0" },
  { "tmpfs", "mode=01777" },
  { "tmpfs", "mode=7", "context=system_u:object_r:container_file_t:s0:c1,c2" },
  { "devpts", "newinstance", "ptmxmode=0666", "mode=620" },
  { "devpts", "newinstance" },
  { "devpts" },
  { "proc" },
  { "mqueue" },
};

START_TEST (test_round_trip_mount_fs)
{
  const char *const *strings = mount_cases[_i];
  size_t n = 0;

  while (n < N_ELEMENTS (mount_cases[_i]) && strings[n] != NULL)
    n++;
  /* Every subset of the attributes the peer may set. */
  for (uint32_t attrs = 0; attrs <= MOUNT_ATTRS; attrs++)
    if ((attrs & ~MOUNT_ATTRS) == 0)
      round_trip (PEER_MOUNT_FS, attrs, strings, n, 1);
}
END_TEST

/* The longest value of each kind the whitelist allows. */
START_TEST (test_round_trip_mount_fs_limits)
{
  char context[8 + 255 + 1];
  const char *strings[MAX_STRINGS];

  memcpy (context, "context=", 8);
  memset (context + 8, 'a', 255);
  context[8 + 255] = '\0';
  strings[0] = "tmpfs";
  strings[1] = context;
  round_trip (PEER_MOUNT_FS, 0, strings, 2, 1);
  strings[1] = "mode=77777";
  round_trip (PEER_MOUNT_FS, 0, strings, 2, 1);
  /* As many options as a request holds. */
  for (size_t i = 1; i < MAX_STRINGS; i++)
    strings[i] = context;
  round_trip (PEER_MOUNT_FS, MOUNT_ATTRS, strings, MAX_STRINGS, 1);
}
END_TEST

static const char *const hostnames[] = {
  "", "a", "sandbox", "my-host.example.org",
  /* 64 bytes: the kernel's limit */
  "0123456789012345678901234567890123456789012345678901234567890123",
};

START_TEST (test_round_trip_hostname)
{
  ck_assert_uint_le (strlen (hostnames[_i]), 64);
  round_trip (PEER_HOSTNAME, 0, &hostnames[_i], 1, 0);
}
END_TEST

/* ---- refusals: header and shape --------------------------------------------- */

START_TEST (test_reject_magic)
{
  uint8_t buf[REQUEST_MAX];
  size_t len = encode_ok (PEER_SETUP_ROOT, 0, NULL, 0, buf, sizeof buf);

  buf[_i] ^= 0x80;
  assert_rejected (buf, len, 0, "bad magic");
  len = put_raw (buf, 0, PEER_SETUP_ROOT, 0, 0, NULL, 0);
  assert_rejected (buf, len, 0, "bad magic");
  len = put_raw (buf, __builtin_bswap32 (PEER_MAGIC), PEER_SETUP_ROOT, 0, 0, NULL, 0);
  assert_rejected (buf, len, 0, "bad magic");
}
END_TEST

static const uint32_t bad_ops[] = { 0, 8, 9, 0x100, 0x01000000, 0xffffffffu };

START_TEST (test_reject_op)
{
  uint8_t buf[REQUEST_MAX];
  char want[64];
  size_t len = encode_ok (bad_ops[_i], 0, NULL, 0, buf, sizeof buf);

  snprintf (want, sizeof want, "unknown operation %u", bad_ops[_i]);
  for (size_t n_fds = 0; n_fds <= PEER_MAX_FDS; n_fds++)
    assert_rejected (buf, len, n_fds, want);
}
END_TEST

/* Every fd count from 0 to 3 but the operation's own. */
START_TEST (test_reject_fd_count)
{
  const char *strings[2];
  size_t n = valid_strings (shapes[_i].op, strings);
  uint8_t buf[REQUEST_MAX];
  size_t len = encode_ok (shapes[_i].op, 0, strings, n, buf, sizeof buf);
  struct peer_request out;
  char want[64];

  assert_accepted (buf, len, shapes[_i].n_fds, &out);
  for (size_t n_fds = 0; n_fds <= PEER_MAX_FDS + 1; n_fds++)
    if (n_fds != shapes[_i].n_fds)
      {
        snprintf (want, sizeof want, "takes %zu fds, got %zu", shapes[_i].n_fds, n_fds);
        assert_rejected (buf, len, n_fds, want);
      }
}
END_TEST

/* Each of the 32 flag bits alone, then all at once: accepted exactly
 * when in the operation's mask. */
START_TEST (test_flag_bits)
{
  const char *strings[2];
  size_t n = valid_strings (shapes[_i].op, strings);
  uint8_t buf[REQUEST_MAX];
  struct peer_request out;
  char want[64];

  for (unsigned b = 0; b < 32; b++)
    {
      uint32_t bit = 1u << b;
      size_t len = encode_ok (shapes[_i].op, bit, strings, n, buf, sizeof buf);

      if (bit & shapes[_i].flags)
        {
          assert_accepted (buf, len, shapes[_i].n_fds, &out);
          ck_assert_uint_eq (out.flags, bit);
        }
      else
        {
          snprintf (want, sizeof want, "flags 0x%x not allowed", bit);
          assert_rejected (buf, len, shapes[_i].n_fds, want);
          len = encode_ok (shapes[_i].op, bit | shapes[_i].flags, strings, n, buf, sizeof buf);
          snprintf (want, sizeof want, "flags 0x%x not allowed", bit | shapes[_i].flags);
          assert_rejected (buf, len, shapes[_i].n_fds, want);
        }
    }
}
END_TEST

/* String counts outside each operation's range. */
static const struct
{
  uint32_t op;
  size_t n_fds;
  uint32_t n_strings;
} bad_counts[] = {
  { PEER_SETUP_ROOT, 0, 1 },
  { PEER_LOOPBACK, 0, 1 },
  { PEER_ENTER_NEW_ROOT, 0, 2 },
  { PEER_BIND, 2, 1 },
  { PEER_SET_RDONLY, 1, 1 },
  { PEER_HOSTNAME, 0, 0 },
  { PEER_HOSTNAME, 0, 2 },
  { PEER_MOUNT_FS, 1, 0 },
  { PEER_MOUNT_FS, 1, MAX_STRINGS + 1 },
  { PEER_MOUNT_FS, 1, 0xffffffffu },
  { PEER_HOSTNAME, 0, 0xffffffffu },
};

START_TEST (test_reject_string_count)
{
  /* Enough well-formed strings for any count the decoder might read. */
  static const char payload[] = "tmpfs\0mode=1\0mode=2\0mode=3\0mode=4\0mode=5\0mode=6\0"
                                "mode=7\0mode=10\0mode=11\0mode=12\0mode=13";
  uint8_t buf[REQUEST_MAX];
  uint32_t count = bad_counts[_i].n_strings;
  size_t n = count <= MAX_STRINGS + 1 ? count : MAX_STRINGS + 1;
  size_t payload_len = 0;
  size_t len;
  char want[64];

  for (size_t i = 0; i < n; i++)
    payload_len += strlen (payload + payload_len) + 1;
  len = put_raw (buf, PEER_MAGIC, bad_counts[_i].op, 0, count, payload, payload_len);
  snprintf (want, sizeof want, "strings, got %u", count);
  assert_rejected (buf, len, bad_counts[_i].n_fds, want);
}
END_TEST

/* A missing NUL: at the end of the last string, or strings promised
 * that are not there. */
START_TEST (test_reject_unterminated)
{
  const char *two[] = { "tmpfs", "mode=0755" };
  const char *host[] = { "sandbox" };
  uint8_t buf[REQUEST_MAX];
  size_t len;

  len = encode_ok (PEER_HOSTNAME, 0, host, 1, buf, sizeof buf);
  assert_rejected (buf, len - 1, 0, "unterminated string");
  len = encode_ok (PEER_MOUNT_FS, 0, two, 2, buf, sizeof buf);
  assert_rejected (buf, len - 1, 1, "unterminated string");
  /* Three strings announced, two present. */
  len = put_raw (buf, PEER_MAGIC, PEER_MOUNT_FS, 0, 3, "tmpfs\0mode=0755", 16);
  assert_rejected (buf, len, 1, "unterminated string");
  /* One announced, none present. */
  len = put_raw (buf, PEER_MAGIC, PEER_HOSTNAME, 0, 1, NULL, 0);
  assert_rejected (buf, len, 0, "unterminated string");
  /* A payload of bytes without any NUL. */
  len = put_raw (buf, PEER_MAGIC, PEER_HOSTNAME, 0, 1, "abc", 3);
  assert_rejected (buf, len, 0, "unterminated string");
}
END_TEST

/* Bytes after the last announced string. */
START_TEST (test_reject_trailing)
{
  const char *two[] = { "devpts", "newinstance" };
  const char *host[] = { "sandbox" };
  uint8_t buf[REQUEST_MAX];
  size_t len;

  len = encode_ok (PEER_SETUP_ROOT, 0, NULL, 0, buf, sizeof buf);
  buf[len] = 'x';
  assert_rejected (buf, len + 1, 0, "1 trailing bytes");
  buf[len] = '\0';
  assert_rejected (buf, len + 1, 0, "1 trailing bytes");
  len = encode_ok (PEER_HOSTNAME, 0, host, 1, buf, sizeof buf);
  memcpy (buf + len, "evil\0", 5);
  assert_rejected (buf, len + 5, 0, "5 trailing bytes");
  len = encode_ok (PEER_MOUNT_FS, 0, two, 2, buf, sizeof buf);
  memcpy (buf + len, "uid=0", 6);
  assert_rejected (buf, len + 6, 1, "6 trailing bytes");
  len = encode_ok (PEER_BIND, BIND_READONLY, NULL, 0, buf, sizeof buf);
  memset (buf + len, 0, 100);
  assert_rejected (buf, len + 100, 2, "100 trailing bytes");
}
END_TEST

/* Shorter than a header, or longer than header + payload. */
START_TEST (test_reject_length)
{
  static uint8_t buf[REQUEST_MAX + 64];
  char want[64];
  size_t len;

  memset (buf, 0, sizeof buf);
  len = encode_ok (PEER_SETUP_ROOT, 0, NULL, 0, buf, REQUEST_MAX);
  ck_assert_uint_eq (len, HEADER_SIZE);
  for (size_t n = 0; n < HEADER_SIZE; n++)
    {
      snprintf (want, sizeof want, "request of %zu bytes", n);
      assert_rejected (buf, n, 0, want);
    }
  /* The largest request passes the size check and fails on its content:
   * a 4095-byte fstype. */
  memset (buf + HEADER_SIZE, 'a', PEER_PAYLOAD_MAX - 1);
  buf[REQUEST_MAX - 1] = '\0';
  put_raw (buf, PEER_MAGIC, PEER_MOUNT_FS, 0, 1, NULL, 0);
  assert_rejected (buf, REQUEST_MAX, 1, "filesystem type not allowed");
  for (size_t n = REQUEST_MAX + 1; n <= sizeof buf; n += 21)
    {
      snprintf (want, sizeof want, "request of %zu bytes", n);
      assert_rejected (buf, n, 1, want);
    }
}
END_TEST

/* ---- refusals: MOUNT_FS whitelist ---------------------------------------- */

static const char *const bad_fstypes[] = {
  "ext4", "overlay", "fuse", "sysfs", "bpf", "tmpfs2", "", "TMPFS", "tmpfs ", "tmp",
  "cgroup2", "devtmpfs", "debugfs", "securityfs", "proc\nx",
};

START_TEST (test_reject_fstype)
{
  const char *strings[] = { bad_fstypes[_i] };
  uint8_t buf[REQUEST_MAX];
  size_t len = encode_ok (PEER_MOUNT_FS, 0, strings, 1, buf, sizeof buf);

  assert_rejected (buf, len, 1, "filesystem type not allowed");
}
END_TEST

static const struct
{
  const char *fstype, *option;
} bad_options[] = {
  { "tmpfs", "uid=0" },
  { "tmpfs", "gid=0" },
  { "tmpfs", "nr_inodes=1" },
  { "tmpfs", "huge=always" },
  { "tmpfs", "newinstance" },
  { "tmpfs", "ptmxmode=0666" },
  { "tmpfs", "" },
  { "tmpfs", "=" },
  { "tmpfs", "=0755" },
  { "tmpfs", "MODE=0755" },
  { "tmpfs", "mode" },
  { "tmpfs", "mode=" },
  { "tmpfs", "mode=0x1ff" },
  { "tmpfs", "mode=0758" },
  { "tmpfs", "mode=-755" },
  { "tmpfs", "mode=+755" },
  { "tmpfs", "mode= 755" },
  { "tmpfs", "mode=0755 " },
  { "tmpfs", "mode=777777" },
  { "tmpfs", "mode=0755,uid=0" },
  { "tmpfs", "mode==0755" },
  /* --size is refused in setuid mode: the peer takes no size at all. */
  { "tmpfs", "size=1048576" },
  { "tmpfs", "size=0" },
  { "tmpfs", "size" },
  { "tmpfs", "size=" },
  { "tmpfs", "size=1k" },
  { "tmpfs", "size=1M" },
  { "tmpfs", "size=50%" },
  { "tmpfs", "size=0x10" },
  { "tmpfs", "size=-1" },
  { "tmpfs", "size=1 " },
  { "tmpfs", "size=999999999999999999999" },   /* 21 digits */
  { "tmpfs", "context" },
  { "tmpfs", "context=" },
  { "tmpfs", "context=system_u:object_r:tmp_t:s0 x" },
  { "tmpfs", "context=system_u:object_r:tmp_t:s0\tx" },
  { "tmpfs", "context=system_u:object_r:tmp_t:s0\n" },
  { "tmpfs", "context=a\x01" },
  { "tmpfs", "context=a\x7f" },
  { "tmpfs", "context=a\xc3\xa9" },
  { "tmpfs", "fscontext=system_u:object_r:tmp_t:s0" },
  { "tmpfs", "rootcontext=system_u:object_r:tmp_t:s0" },
  { "tmpfs", "defcontext=system_u:object_r:tmp_t:s0" },
  { "tmpfs", "source=/dev/sda" },
  { "devpts", "size=1" },
  { "devpts", "newinstance=1" },
  { "devpts", "newinstance=" },
  { "devpts", "ptmxmode" },
  { "devpts", "ptmxmode=0668" },
  { "devpts", "ptmxmode=rw" },
  { "devpts", "mode" },
  { "devpts", "mode=0620a" },
  { "devpts", "gid=5" },
  { "devpts", "uid=0" },
  { "devpts", "max=1" },
  { "devpts", "context=system_u:object_r:devpts_t:s0" },
  { "proc", "hidepid=2" },
  { "proc", "subset=pid" },
  { "proc", "gid=0" },
  { "proc", "mode=0755" },
  { "proc", "newinstance" },
  { "proc", "" },
  { "mqueue", "mode=0755" },
  { "mqueue", "size=1" },
  { "mqueue", "newinstance" },
  { "mqueue", "" },
};

START_TEST (test_reject_option)
{
  const char *strings[] = { bad_options[_i].fstype, bad_options[_i].option };
  const char *later[] = { bad_options[_i].fstype, "mode=0755", bad_options[_i].option };
  uint8_t buf[REQUEST_MAX];
  char want[64];
  size_t len = encode_ok (PEER_MOUNT_FS, 0, strings, 2, buf, sizeof buf);

  snprintf (want, sizeof want, "%s option not allowed", bad_options[_i].fstype);
  assert_rejected (buf, len, 1, want);
  /* Also after a valid option (mode= is valid for tmpfs and devpts). */
  if (strcmp (bad_options[_i].fstype, "tmpfs") == 0
      || strcmp (bad_options[_i].fstype, "devpts") == 0)
    {
      len = encode_ok (PEER_MOUNT_FS, 0, later, 3, buf, sizeof buf);
      assert_rejected (buf, len, 1, want);
    }
}
END_TEST

/* Long values: mode over 5 digits, context over 255 characters. */
START_TEST (test_reject_long_values)
{
  char context[8 + 256 + 1];
  const char *strings[] = { "tmpfs", context };
  uint8_t buf[REQUEST_MAX];
  size_t len;

  memcpy (context, "context=", 8);
  memset (context + 8, 'a', 256);
  context[8 + 256] = '\0';
  len = encode_ok (PEER_MOUNT_FS, 0, strings, 2, buf, sizeof buf);
  assert_rejected (buf, len, 1, "tmpfs option not allowed");
  strings[1] = "mode=000000";
  len = encode_ok (PEER_MOUNT_FS, 0, strings, 2, buf, sizeof buf);
  assert_rejected (buf, len, 1, "tmpfs option not allowed");
  strings[0] = "devpts";
  strings[1] = "ptmxmode=006666";
  len = encode_ok (PEER_MOUNT_FS, 0, strings, 2, buf, sizeof buf);
  assert_rejected (buf, len, 1, "devpts option not allowed");
}
END_TEST

/* ---- refusals: HOSTNAME -------------------------------------------------- */

START_TEST (test_reject_hostname)
{
  static char name[PEER_PAYLOAD_MAX];
  const char *strings[] = { name };
  uint8_t buf[REQUEST_MAX];
  size_t len;

  memset (name, 'h', 65);
  name[65] = '\0';
  len = encode_ok (PEER_HOSTNAME, 0, strings, 1, buf, sizeof buf);
  assert_rejected (buf, len, 0, "hostname too long");
  /* The longest a request can carry. */
  memset (name, 'h', sizeof name - 1);
  name[sizeof name - 1] = '\0';
  len = encode_ok (PEER_HOSTNAME, 0, strings, 1, buf, sizeof buf);
  ck_assert_uint_eq (len, REQUEST_MAX);
  assert_rejected (buf, len, 0, "hostname too long");
}
END_TEST

/* ---- encoder limits ------------------------------------------------------ */

/* Too small for the header: -ENOBUFS and nothing written. */
START_TEST (test_encode_tiny_buffer)
{
  uint8_t buf[64];

  memset (buf, 0x5a, sizeof buf);
  for (size_t len = 0; len < HEADER_SIZE; len++)
    ck_assert_int_eq (peer_encode (PEER_SETUP_ROOT, 0, NULL, 0, buf, len), -ENOBUFS);
  for (size_t i = 0; i < sizeof buf; i++)
    ck_assert_uint_eq (buf[i], 0x5a);
  ck_assert_int_eq (peer_encode (PEER_SETUP_ROOT, 0, NULL, 0, buf, HEADER_SIZE),
                    (ssize_t) HEADER_SIZE);
  for (size_t i = HEADER_SIZE; i < sizeof buf; i++)
    ck_assert_uint_eq (buf[i], 0x5a);
}
END_TEST

/* Room for the header but not the strings: -ENOBUFS, and never a byte
 * past len, whatever len is. */
START_TEST (test_encode_short_buffer)
{
  const char *strings[] = { "tmpfs", "mode=0755", "size=1048576" };
  size_t need = HEADER_SIZE + sizeof "tmpfs" + sizeof "mode=0755" + sizeof "size=1048576";
  uint8_t buf[128];

  for (size_t len = 0; len <= need; len++)
    {
      ssize_t r;

      memset (buf, 0x5a, sizeof buf);
      r = peer_encode (PEER_MOUNT_FS, 0, strings, 3, buf, len);
      ck_assert_int_eq (r, len < need ? -ENOBUFS : (ssize_t) need);
      for (size_t i = len; i < sizeof buf; i++)
        ck_assert_msg (buf[i] == 0x5a, "len %zu: byte %zu written", len, i);
    }
}
END_TEST

START_TEST (test_encode_too_many_strings)
{
  const char *strings[MAX_STRINGS + 2];
  uint8_t buf[REQUEST_MAX];

  for (size_t i = 0; i < N_ELEMENTS (strings); i++)
    strings[i] = "mode=0755";
  strings[0] = "tmpfs";
  ck_assert_int_gt (peer_encode (PEER_MOUNT_FS, 0, strings, MAX_STRINGS, buf, sizeof buf), 0);
  ck_assert_int_eq (peer_encode (PEER_MOUNT_FS, 0, strings, MAX_STRINGS + 1, buf, sizeof buf),
                    -ENOBUFS);
  ck_assert_int_eq (peer_encode (PEER_MOUNT_FS, 0, strings, MAX_STRINGS + 2, buf, sizeof buf),
                    -ENOBUFS);
  ck_assert_int_eq (peer_encode (PEER_MOUNT_FS, 0, strings, SIZE_MAX, buf, sizeof buf),
                    -ENOBUFS);
}
END_TEST

/* Strings over PEER_PAYLOAD_MAX in total: -ENOBUFS even when the
 * caller's buffer would hold them. */
START_TEST (test_encode_payload_limit)
{
  static char big[PEER_PAYLOAD_MAX + 2];
  static uint8_t buf[REQUEST_MAX + 1];
  const char *one[] = { big };
  const char *two[] = { big, "x" };

  /* 4095 characters and the NUL: exactly the payload. */
  memset (big, 'a', PEER_PAYLOAD_MAX - 1);
  big[PEER_PAYLOAD_MAX - 1] = '\0';
  ck_assert_int_eq (peer_encode (PEER_HOSTNAME, 0, one, 1, buf, sizeof buf),
                    (ssize_t) REQUEST_MAX);
  ck_assert_int_eq (peer_encode (PEER_HOSTNAME, 0, one, 1, buf, REQUEST_MAX),
                    (ssize_t) REQUEST_MAX);
  ck_assert_int_eq (peer_encode (PEER_HOSTNAME, 0, one, 1, buf, REQUEST_MAX - 1), -ENOBUFS);
  /* One byte more, in one string or in a second one. */
  ck_assert_int_eq (peer_encode (PEER_MOUNT_FS, 0, two, 2, buf, sizeof buf), -ENOBUFS);
  memset (big, 'a', PEER_PAYLOAD_MAX);
  big[PEER_PAYLOAD_MAX] = '\0';
  ck_assert_int_eq (peer_encode (PEER_HOSTNAME, 0, one, 1, buf, sizeof buf), -ENOBUFS);
  memset (big, 'a', PEER_PAYLOAD_MAX + 1);
  big[PEER_PAYLOAD_MAX + 1] = '\0';
  ck_assert_int_eq (peer_encode (PEER_HOSTNAME, 0, one, 1, buf, sizeof buf), -ENOBUFS);
}
END_TEST

static Suite *
peer_codec_suite (void)
{
  Suite *s = suite_create ("peer-codec");
  TCase *trip = tcase_create ("round-trip");
  TCase *shape = tcase_create ("shape");
  TCase *white = tcase_create ("whitelist");
  TCase *enc = tcase_create ("encode");

  tcase_add_loop_test (trip, test_round_trip_simple, 0, N_ELEMENTS (simple_ops));
  tcase_add_test (trip, test_round_trip_bind);
  tcase_add_test (trip, test_round_trip_set_rdonly);
  tcase_add_loop_test (trip, test_round_trip_mount_fs, 0, N_ELEMENTS (mount_cases));
  tcase_add_test (trip, test_round_trip_mount_fs_limits);
  tcase_add_loop_test (trip, test_round_trip_hostname, 0, N_ELEMENTS (hostnames));
  suite_add_tcase (s, trip);

  tcase_add_loop_test (shape, test_reject_magic, 0, 4);
  tcase_add_loop_test (shape, test_reject_op, 0, N_ELEMENTS (bad_ops));
  tcase_add_loop_test (shape, test_reject_fd_count, 0, N_ELEMENTS (shapes));
  tcase_add_loop_test (shape, test_flag_bits, 0, N_ELEMENTS (shapes));
  tcase_add_loop_test (shape, test_reject_string_count, 0, N_ELEMENTS (bad_counts));
  tcase_add_test (shape, test_reject_unterminated);
  tcase_add_test (shape, test_reject_trailing);
  tcase_add_test (shape, test_reject_length);
  suite_add_tcase (s, shape);

  tcase_add_loop_test (white, test_reject_fstype, 0, N_ELEMENTS (bad_fstypes));
  tcase_add_loop_test (white, test_reject_option, 0, N_ELEMENTS (bad_options));
  tcase_add_test (white, test_reject_long_values);
  tcase_add_test (white, test_reject_hostname);
  suite_add_tcase (s, white);

  tcase_add_test (enc, test_encode_tiny_buffer);
  tcase_add_test (enc, test_encode_short_buffer);
  tcase_add_test (enc, test_encode_too_many_strings);
  tcase_add_test (enc, test_encode_payload_limit);
  suite_add_tcase (s, enc);
  return s;
}

int
main (void)
{
  return unit_run_suite (peer_codec_suite ());
}
