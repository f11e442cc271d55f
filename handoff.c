/* SPDX-License-Identifier: LGPL-2.0-or-later
 * handoff.c: the setuid monitor's hand-off to the sandbox process.
 * Records: u32 kind, u32 length, then the bytes (host byte order: both
 * ends are the same binary). */
#include "handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "utils.h"

#define HANDOFF_MAX_BYTES (64u << 20)         /* one record */
#define HANDOFF_MAX_TOTAL (256u << 20)        /* all of them */

int
handoff_create (void)
{
  int fd = memfd_create ("bwrap-handoff", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  return fd < 0 ? -errno : fd;
}

int
handoff_append (int fd, enum handoff_kind kind, const void *data, size_t len)
{
  uint32_t header[2] = { (uint32_t) kind, (uint32_t) len };
  int r;

  if (len > HANDOFF_MAX_BYTES)
    return -E2BIG;
  r = write_all (fd, header, sizeof header);
  return r < 0 ? r : write_all (fd, data, len);
}

int
handoff_finish (int fd)
{
  /* Sealed: whatever the sandbox reads is what we wrote. */
  if (fcntl (fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0
      || lseek (fd, 0, SEEK_SET) != 0)
    return -errno;
  return 0;
}

int
handoff_read (int fd, struct handoff *h)
{
  memset (h, 0, sizeof *h);
  if (lseek (fd, 0, SEEK_SET) != 0)
    return -errno;
  return read_fd_all (fd, HANDOFF_MAX_TOTAL, &h->data, &h->len);
}

int
handoff_next (struct handoff *h, enum handoff_kind kind, const char **ret_data, size_t *ret_len)
{
  uint32_t header[2];

  if (h->off == h->len)
    return -ENOENT;
  if (h->len - h->off < sizeof header)
    return -EINVAL;
  memcpy (header, h->data + h->off, sizeof header);
  if (header[0] != (uint32_t) kind || header[1] > h->len - h->off - sizeof header)
    return -EINVAL;
  *ret_data = h->data + h->off + sizeof header;
  *ret_len = header[1];
  h->off += sizeof header + header[1];
  return 0;
}

void
handoff_free (struct handoff *h)
{
  free (h->data);
  memset (h, 0, sizeof *h);
}

int
handoff_seccomp (struct handoff *h, struct seccomp_set *set)
{
  const char *data;
  size_t len;
  int r;

  while ((r = handoff_next (h, HANDOFF_SECCOMP, &data, &len)) == 0)
    {
      struct sock_fprog *prog;

      /* The monitor checked each program; a record that is not one is
       * not ours.  (An empty one is, refused by seccomp_install.) */
      if (len % sizeof (struct sock_filter) != 0
          || len / sizeof (struct sock_filter) > 4096)
        return -EINVAL;
      set->progs = xappend (set->progs, &set->n, sizeof *set->progs);
      prog = &set->progs[set->n - 1];
      prog->len = (unsigned short) (len / sizeof (struct sock_filter));
      prog->filter = xmalloc (len);
      memcpy (prog->filter, data, len);
    }
  return r == -ENOENT ? 0 : r;
}
