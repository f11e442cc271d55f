/* SPDX-License-Identifier: LGPL-2.0-or-later
 * peer-codec.c: the wire format between setuid mode's sandbox process and
 * its setuid peer (see peer-codec.h), and the whitelist every request is
 * checked against.  Pure: no system call, fuzzed by
 * tests/fuzz/fuzz-setuid-decoders.c.
 *
 * Wire format (SOCK_SEQPACKET, one message per request or reply, both
 * ends the same binary, host byte order):
 *   request  u32 magic, u32 op, u32 flags, u32 n_strings, then n_strings
 *            NUL-terminated strings; up to two fds as SCM_RIGHTS
 *   reply    u32 magic, i32 errno (0: done), then an optional message */
#include "peer-codec.h"

#include <errno.h>
#include <linux/mount.h>
#include <string.h>

#include "mount.h"

#define HEADER_WORDS 4
#define HEADER_SIZE (HEADER_WORDS * sizeof (uint32_t))

ssize_t
peer_encode (uint32_t op, uint32_t flags, const char *const *strings, size_t n_strings,
               uint8_t *buf, size_t len)
{
  uint32_t header[HEADER_WORDS] = { PEER_MAGIC, op, flags, (uint32_t) n_strings };
  size_t off = HEADER_SIZE;

  if (len < HEADER_SIZE || n_strings > PEER_MAX_STRINGS)
    return -ENOBUFS;
  memcpy (buf, header, HEADER_SIZE);
  for (size_t i = 0; i < n_strings; i++)
    {
      size_t n = strlen (strings[i]) + 1;
      if (n > len - off || off + n > PEER_REQUEST_MAX)
        return -ENOBUFS;
      memcpy (buf + off, strings[i], n);
      off += n;
    }
  return (ssize_t) off;
}

/* Config keys each filesystem may get, and what their values look like:
 * exactly what setuid mode's setup sends (no "size": --size is refused
 * in setuid mode, so a request with it is not from our client). */
enum value_kind { VALUE_NONE, VALUE_OCTAL, VALUE_LABEL };

struct fs_key
{
  const char *fstype;
  const char *key;
  enum value_kind kind;
};

static const struct fs_key fs_keys[] = {
  { "tmpfs", "mode", VALUE_OCTAL },
  { "tmpfs", "context", VALUE_LABEL },
  { "devpts", "newinstance", VALUE_NONE },
  { "devpts", "ptmxmode", VALUE_OCTAL },
  { "devpts", "mode", VALUE_OCTAL },
  { "proc", NULL, VALUE_NONE },
  { "mqueue", NULL, VALUE_NONE },
};

static bool
all_chars_in (const char *s, const char *set, size_t max_len)
{
  size_t n = strlen (s);
  return n > 0 && n <= max_len && strspn (s, set) == n;
}

static bool
value_ok (enum value_kind kind, const char *value)
{
  switch (kind)
    {
    case VALUE_NONE:
      return value == NULL;
    case VALUE_OCTAL:
      return value != NULL && all_chars_in (value, "01234567", 5);
    case VALUE_LABEL:
      /* An SELinux context: printable, no spaces. */
      if (value == NULL || *value == '\0' || strlen (value) > 255)
        return false;
      for (const char *p = value; *p != '\0'; p++)
        if (*p <= ' ' || *p > '~')
          return false;
      return true;
    default:
      return false;
    }
}

/* "key" or "key=value" of a MOUNT_FS request against the whitelist. */
static bool
fs_config_ok (const char *fstype, const char *entry)
{
  const char *eq = strchr (entry, '=');
  size_t key_len = eq != NULL ? (size_t) (eq - entry) : strlen (entry);

  for (size_t i = 0; i < N_ELEMENTS (fs_keys); i++)
    if (strcmp (fs_keys[i].fstype, fstype) == 0 && fs_keys[i].key != NULL
        && strlen (fs_keys[i].key) == key_len && strncmp (fs_keys[i].key, entry, key_len) == 0)
      return value_ok (fs_keys[i].kind, eq != NULL ? eq + 1 : NULL);
  return false;
}

static bool
fstype_ok (const char *fstype)
{
  for (size_t i = 0; i < N_ELEMENTS (fs_keys); i++)
    if (strcmp (fs_keys[i].fstype, fstype) == 0)
      return true;
  return false;
}

/* What each operation carries: fds, strings (min..max) and flag bits. */
struct op_shape
{
  size_t n_fds;
  size_t min_strings, max_strings;
  uint32_t flags;
};

static const struct op_shape *
shape_of (uint32_t op)
{
  static const struct op_shape none = { 0, 0, 0, 0 };
  static const struct op_shape bind = { 2, 0, 0, BIND_READONLY | BIND_DEVICES };
  static const struct op_shape mount_fs = {
    1, 1, PEER_MAX_STRINGS,
    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
  };
  static const struct op_shape set_rdonly = { 1, 0, 0, 0 };
  static const struct op_shape hostname = { 0, 1, 1, 0 };

  switch (op)
    {
    case PEER_SETUP_ROOT:
    case PEER_LOOPBACK:
    case PEER_ENTER_NEW_ROOT:
      return &none;
    case PEER_BIND:
      return &bind;
    case PEER_MOUNT_FS:
      return &mount_fs;
    case PEER_SET_RDONLY:
      return &set_rdonly;
    case PEER_HOSTNAME:
      return &hostname;
    default:
      return NULL;
    }
}

int
peer_decode (uint8_t *buf, size_t len, size_t n_fds, struct peer_request *ret,
               struct bwrap_error *err)
{
  uint32_t header[HEADER_WORDS];
  const struct op_shape *shape;
  struct peer_request req;
  size_t off = HEADER_SIZE;

  if (len < HEADER_SIZE || len > PEER_REQUEST_MAX)
    return bwrap_error_set (err, 0, "setuid peer: request of %zu bytes", len);
  memcpy (header, buf, HEADER_SIZE);
  if (header[0] != PEER_MAGIC)
    return bwrap_error_set (err, 0, "setuid peer: bad magic");
  shape = shape_of (header[1]);
  if (shape == NULL)
    return bwrap_error_set (err, 0, "setuid peer: unknown operation %u", header[1]);
  if ((header[2] & ~shape->flags) != 0)
    return bwrap_error_set (err, 0, "setuid peer: flags 0x%x not allowed for operation %u",
                            header[2], header[1]);
  if (n_fds != shape->n_fds)
    return bwrap_error_set (err, 0, "setuid peer: operation %u takes %zu fds, got %zu",
                            header[1], shape->n_fds, n_fds);
  if (header[3] < shape->min_strings || header[3] > shape->max_strings)
    return bwrap_error_set (err, 0, "setuid peer: operation %u takes %zu to %zu strings, got %u",
                            header[1], shape->min_strings, shape->max_strings, header[3]);
  memset (&req, 0, sizeof req);
  req.op = header[1];
  req.flags = header[2];
  req.n_fds = n_fds;
  req.n_strings = header[3];
  for (size_t i = 0; i < req.n_strings; i++)
    {
      uint8_t *nul = memchr (buf + off, '\0', len - off);
      if (nul == NULL)
        return bwrap_error_set (err, 0, "setuid peer: unterminated string");
      req.strings[i] = (const char *) buf + off;
      off = (size_t) (nul - buf) + 1;
    }
  if (off != len)
    return bwrap_error_set (err, 0, "setuid peer: %zu trailing bytes", len - off);

  if (req.op == PEER_HOSTNAME && strlen (req.strings[0]) > 64)
    return bwrap_error_set (err, 0, "setuid peer: hostname too long");
  if (req.op == PEER_MOUNT_FS)
    {
      if (!fstype_ok (req.strings[0]))
        return bwrap_error_set (err, 0, "setuid peer: filesystem type not allowed");
      for (size_t i = 1; i < req.n_strings; i++)
        if (!fs_config_ok (req.strings[0], req.strings[i]))
          return bwrap_error_set (err, 0, "setuid peer: %s option not allowed", req.strings[0]);
    }
  *ret = req;   /* only a request valid in every part leaves here */
  return 0;
}

size_t
peer_encode_reply (int errnum, const char *message, uint8_t *buf)
{
  uint32_t magic = PEER_MAGIC;
  int32_t code = errnum;
  size_t n = 2 * sizeof (uint32_t);

  memcpy (buf, &magic, sizeof magic);
  memcpy (buf + sizeof magic, &code, sizeof code);
  if (message != NULL)
    {
      size_t m = strnlen (message, PEER_PAYLOAD_MAX - 1);
      memcpy (buf + n, message, m);
      n += m;
    }
  return n;
}

int
peer_decode_reply (uint8_t *buf, size_t len, int *ret_errnum, const char **ret_message)
{
  uint32_t magic;
  int32_t code;

  if (len < 2 * sizeof (uint32_t) || len > PEER_REPLY_MAX)
    return -EINVAL;
  memcpy (&magic, buf, sizeof magic);
  memcpy (&code, buf + sizeof magic, sizeof code);
  if (magic != PEER_MAGIC || code < 0)
    return -EINVAL;
  buf[len] = '\0';
  *ret_errnum = code;
  *ret_message = len > 2 * sizeof (uint32_t) ? (const char *) buf + 2 * sizeof (uint32_t) : NULL;
  return 0;
}
