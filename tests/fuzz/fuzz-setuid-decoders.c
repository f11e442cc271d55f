/* SPDX-License-Identifier: LGPL-2.0-or-later
 * fuzz-setuid-decoders.c: libFuzzer target for setuid mode's two request decoders,
 * peer_decode() (the setuid peer, peer-codec.h) and setuid_helper_decode()
 * (the setuid helper, setuid-helper.h).  Both run with privileges on bytes the
 * user can make an unprivileged process of ours send, so they are checked
 * against a whitelist written here independently of theirs: a request is
 * accepted if and only if our own client could have sent it.  Pure codec:
 * nothing is mounted, cloned or opened.
 *
 * Input format (seeds in tests/fuzz/corpus-setuid-decoders, made by
 * gen-setuid-seeds.py):
 *   N-FDS MESSAGE
 * N-FDS is one byte, taken modulo 4: the number of fds received with the
 * message (recv_with_fds keeps at most PEER_MAX_FDS, so 3 only tests the
 * count check).  MESSAGE is the datagram, given to both decoders.
 *
 * peer_decode gets a copy of MESSAGE in a buffer of exactly its size:
 * the decoded strings point into that buffer, and ASan reports any read
 * past its end.  Invariants are checked with abort(), so a violation is
 * reported as a crash. */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "mount.h"
#include "peer-codec.h"
#include "setuid-helper.h"
#include "utils.h"

/* The wire header (peer-codec.c): magic, op, flags, n_strings. */
#define FUZZ_HEADER_SIZE (4 * sizeof (uint32_t))
#define FUZZ_REQUEST_MAX (FUZZ_HEADER_SIZE + PEER_PAYLOAD_MAX)
#define MAX_STRINGS (N_ELEMENTS (((struct peer_request *) 0)->strings))
/* sethostname's limit (HOST_NAME_MAX), which peer-codec.c enforces. */
#define HOSTNAME_MAX 64

#define BIND_FLAGS (BIND_READONLY | BIND_DEVICES)
#define MOUNT_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV \
                     | MOUNT_ATTR_NOEXEC)
/* setuid-helper.c's ALLOWED_CLONE_FLAGS (static there), restated on purpose. */
#define SETUID_HELPER_CLONE_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET \
                             | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)

/* A macro, so a violated invariant names itself in the crash report. */
#define check(ok) ((ok) ? (void) 0 : check_failed (__LINE__, #ok))

static void
check_failed (int line, const char *what)
{
  fprintf (stderr, "fuzz-setuid-decoders.c:%d: invariant violated: %s\n", line, what);
  abort ();
}

/* ---- the whitelist, as peer-codec.h describes it ----------------------------- */

/* What each operation takes: fds, strings (min..max) and flag bits.
 * Returns false for an op outside enum peer_op. */
static bool
op_shape (uint32_t op, size_t *ret_fds, size_t *ret_min, size_t *ret_max, uint32_t *ret_flags)
{
  *ret_fds = *ret_min = *ret_max = 0;
  *ret_flags = 0;
  switch (op)
    {
    case PEER_SETUP_ROOT:
    case PEER_LOOPBACK:
    case PEER_ENTER_NEW_ROOT:
      return true;
    case PEER_BIND:
      *ret_fds = 2;
      *ret_flags = BIND_FLAGS;
      return true;
    case PEER_MOUNT_FS:
      *ret_fds = 1;
      *ret_min = 1;   /* the fstype, then its options */
      *ret_max = MAX_STRINGS;
      *ret_flags = MOUNT_ATTRS;
      return true;
    case PEER_SET_RDONLY:
      *ret_fds = 1;
      return true;
    case PEER_HOSTNAME:
      *ret_min = *ret_max = 1;
      return true;
    default:
      return false;
    }
}

/* 1 to max characters, all from set. */
static bool
chars_in (const char *s, const char *set, size_t max)
{
  size_t n = strlen (s);
  return n >= 1 && n <= max && strspn (s, set) == n;
}

/* An SELinux context: 1 to 255 printable characters, no spaces. */
static bool
is_label (const char *s)
{
  size_t n = strlen (s);

  if (n < 1 || n > 255)
    return false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char) s[i] < 0x21 || (unsigned char) s[i] > 0x7e)
      return false;
  return true;
}

/* One "key" or "key=value" entry of a MOUNT_FS request: what dev.c and
 * mount-fs.c send (modes in octal, sizes in decimal, a context label). */
static bool
fs_option_ok (const char *fstype, const char *entry)
{
  const char *eq = strchr (entry, '=');
  const char *value = eq != NULL ? eq + 1 : NULL;
  size_t key_len = eq != NULL ? (size_t) (eq - entry) : strlen (entry);

#define KEY_IS(k) (key_len == strlen (k) && strncmp (entry, k, key_len) == 0)
  if (strcmp (fstype, "tmpfs") == 0)
    {
      if (KEY_IS ("mode"))
        return value != NULL && chars_in (value, "01234567", 5);
      if (KEY_IS ("context"))
        return value != NULL && is_label (value);
    }
  else if (strcmp (fstype, "devpts") == 0)
    {
      if (KEY_IS ("newinstance"))
        return value == NULL;
      if (KEY_IS ("ptmxmode") || KEY_IS ("mode"))
        return value != NULL && chars_in (value, "01234567", 5);
    }
#undef KEY_IS
  return false;   /* proc and mqueue take none */
}

/* Whether req, with its strings NUL-terminated, is one our client sends. */
static bool
request_ok (const struct peer_request *req)
{
  size_t n_fds, min, max;
  uint32_t flags;

  if (!op_shape (req->op, &n_fds, &min, &max, &flags))
    return false;
  if (req->n_fds != n_fds || (req->flags & ~flags) != 0
      || req->n_strings < min || req->n_strings > max)
    return false;
  if (req->op == PEER_HOSTNAME)
    return strlen (req->strings[0]) <= HOSTNAME_MAX;
  if (req->op == PEER_MOUNT_FS)
    {
      const char *fstype = req->strings[0];
      if (strcmp (fstype, "tmpfs") != 0 && strcmp (fstype, "proc") != 0
          && strcmp (fstype, "mqueue") != 0 && strcmp (fstype, "devpts") != 0)
        return false;
      for (size_t i = 1; i < req->n_strings; i++)
        if (!fs_option_ok (fstype, req->strings[i]))
          return false;
    }
  return true;
}

/* Split msg by the wire format alone (setuid-peer.c's header comment), into
 * ret (strings pointing into msg).  False when the framing is wrong:
 * size, magic, a string count the array cannot hold, a missing NUL or
 * bytes after the last string. */
static bool
peer_split (const uint8_t *msg, size_t len, size_t n_fds, struct peer_request *ret)
{
  uint32_t header[4];
  size_t off = FUZZ_HEADER_SIZE;

  if (len < FUZZ_HEADER_SIZE || len > FUZZ_REQUEST_MAX)
    return false;
  memcpy (header, msg, sizeof header);
  if (header[0] != PEER_MAGIC || header[3] > MAX_STRINGS)
    return false;
  memset (ret, 0, sizeof *ret);
  ret->op = header[1];
  ret->flags = header[2];
  ret->n_fds = n_fds;
  ret->n_strings = header[3];
  for (size_t i = 0; i < ret->n_strings; i++)
    {
      const uint8_t *nul = memchr (msg + off, '\0', len - off);
      if (nul == NULL)
        return false;
      ret->strings[i] = (const char *) msg + off;
      off = (size_t) (nul - msg) + 1;
    }
  return off == len;
}

/* ---- the checks ------------------------------------------------------------ */

static void
check_error (int r, const struct bwrap_error *err)
{
  if (r == 0)
    check (err->message == NULL);
  else
    {
      check (r == -EINVAL);   /* the only error both headers promise */
      check (err->message != NULL && err->message[0] != '\0');
    }
}

static void
fuzz_setuid_decoders (const uint8_t *msg, size_t len, size_t n_fds)
{
  uint8_t *buf = malloc (len);
  uint8_t out[2 * FUZZ_REQUEST_MAX];
  struct peer_request req, canary, expected;
  struct bwrap_error err = { 0 };
  bool is_valid = peer_split (msg, len, n_fds, &expected) && request_ok (&expected);
  int r;

  check (buf != NULL || len == 0);
  if (len > 0)
    memcpy (buf, msg, len);
  memset (&canary, 0xa5, sizeof canary);
  req = canary;
  r = peer_decode (buf, len, n_fds, &req, &err);
  check_error (r, &err);
  check ((r == 0) == is_valid);
  if (r < 0)
    check (memcmp (&req, &canary, sizeof req) == 0);
  else
    {
      ssize_t n;

      check (req.op == expected.op && req.flags == expected.flags);
      check (req.n_fds == n_fds);
      check (req.n_strings == expected.n_strings && req.n_strings <= MAX_STRINGS);
      for (size_t i = 0; i < req.n_strings; i++)
        {
          const uint8_t *s = (const uint8_t *) req.strings[i];
          check (s >= buf + FUZZ_HEADER_SIZE && s < buf + len);
          check (memchr (s, '\0', (size_t) (buf + len - s)) != NULL);
          check (s - buf == (const uint8_t *) expected.strings[i] - msg);
        }
      check (request_ok (&req));
      /* Re-encoding what was accepted gives back the very bytes. */
      n = peer_encode (req.op, req.flags, req.strings, req.n_strings, out, sizeof out);
      check (n >= 0 && (size_t) n == len && memcmp (out, msg, len) == 0);
    }
  bwrap_error_clear (&err);
  free (buf);
}

static bool
setuid_helper_ok (const uint8_t *msg, size_t len)
{
  uint32_t w[6];

  if (len != SETUID_HELPER_REQUEST_SIZE)
    return false;
  memcpy (w, msg, sizeof w);
  return w[0] == SETUID_HELPER_MAGIC && w[1] == SETUID_HELPER_OP_CLONE_SANDBOX
         && (w[2] & ~(uint32_t) SETUID_HELPER_CLONE_FLAGS) == 0
         && w[3] != UINT32_MAX && w[4] != UINT32_MAX   /* (uid_t) -1: "unchanged" */
         && (w[5] & ~SETUID_HELPER_DEV) == 0;
}

static void
fuzz_setuid_helper (const uint8_t *msg, size_t len)
{
  struct setuid_helper_request req, canary;
  struct bwrap_error err = { 0 };
  uint8_t out[2 * SETUID_HELPER_REQUEST_SIZE];
  int r;

  memset (&canary, 0xa5, sizeof canary);
  req = canary;
  r = setuid_helper_decode (msg, len, &req, &err);
  check_error (r, &err);
  check ((r == 0) == setuid_helper_ok (msg, len));
  if (r < 0)
    check (memcmp (&req, &canary, sizeof req) == 0);
  else
    {
      check (req.magic == SETUID_HELPER_MAGIC && req.op == SETUID_HELPER_OP_CLONE_SANDBOX);
      check ((req.clone_flags & ~(uint32_t) SETUID_HELPER_CLONE_FLAGS) == 0);
      check (req.inside_uid != UINT32_MAX && req.inside_gid != UINT32_MAX);
      check ((req.flags & ~SETUID_HELPER_DEV) == 0);
      check (setuid_helper_encode (&req, out, sizeof out) == (int) SETUID_HELPER_REQUEST_SIZE);
      check (memcmp (out, msg, SETUID_HELPER_REQUEST_SIZE) == 0);
    }
  bwrap_error_clear (&err);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  fuzz_setuid_decoders (data + 1, size - 1, data[0] % 4);
  fuzz_setuid_helper (data + 1, size - 1);
  return 0;
}
