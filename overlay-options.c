/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-options.c: the pure part of overlays (see overlay-options.h):
 * layer order, option strings and their escaping, overlap of paths.  No
 * system call; used by preflight (caller's process), by the mount layer
 * (mount-overlay.c) and by the unit tests. */
#include "overlay-options.h"

#include <errno.h>
#include <string.h>

size_t
overlay_kernel_layer_index (size_t n, size_t k)
{
  return n - 1 - k;
}


char *
overlay_escape_path (const char *path)
{
  size_t len = 0;
  char *out, *o;

  for (const char *p = path; *p; p++)
    len += (*p == '\\' || *p == ',' || *p == ':') ? 2 : 1;
  out = o = xmalloc (len + 1);
  for (const char *p = path; *p; p++)
    {
      if (*p == '\\' || *p == ',' || *p == ':')
        *o++ = '\\';
      *o++ = *p;
    }
  *o = '\0';
  return out;
}

/* Append s to the buffer, tracking the length even past max_len so the
 * caller can report the size it would have needed. */
static void
buf_append (char **buf, size_t *len, size_t *cap, const char *s)
{
  size_t l = strlen (s);
  if (*len + l + 1 > *cap)
    {
      while (*len + l + 1 > *cap)
        *cap = *cap ? *cap * 2 : 256;
      *buf = xrealloc (*buf, *cap);
    }
  memcpy (*buf + *len, s, l + 1);
  *len += l;
}

static void
buf_append_escaped (char **buf, size_t *len, size_t *cap, const char *path)
{
  cleanup_free char *escaped = overlay_escape_path (path);
  buf_append (buf, len, cap, escaped);
}

int
overlay_build_options (char *const *layers_bottom_first, size_t n_layers,
                       const char *upper, const char *work, size_t max_len,
                       char **ret_options, struct bwrap_error *err)
{
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;

  if (n_layers == 0)
    return bwrap_error_set (err, EINVAL, "--overlay-src: no layers given");
  if (upper != NULL && work != NULL)
    {
      buf_append (&buf, &len, &cap, "upperdir=");
      buf_append_escaped (&buf, &len, &cap, upper);
      buf_append (&buf, &len, &cap, ",workdir=");
      buf_append_escaped (&buf, &len, &cap, work);
      buf_append (&buf, &len, &cap, ",");
    }
  buf_append (&buf, &len, &cap, "lowerdir=");
  for (size_t k = 0; k < n_layers; k++)
    {
      if (k > 0)
        buf_append (&buf, &len, &cap, ":");
      buf_append_escaped (&buf, &len, &cap,
                          layers_bottom_first[overlay_kernel_layer_index (n_layers, k)]);
    }
  buf_append (&buf, &len, &cap, ",userxattr");

  if (len > max_len)
    {
      bwrap_error_set (err, 0,
                       "--overlay-src: too many layers for the kernel's mount option limit of %zu bytes "
                       "(the options need %zu)", max_len, len);
      return -E2BIG;
    }
  *ret_options = steal_pointer (&buf);
  return 0;
}

int
overlay_check_overlap (char *const *paths, char *const *names, size_t n,
                       struct bwrap_error *err)
{
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      {
        size_t a = i, b = j;
        if (path_is_same_or_below (paths[j], paths[i]))
          a = j, b = i;
        else if (!path_is_same_or_below (paths[i], paths[j]))
          continue;
        bwrap_error_set (err, 0, "%s overlaps %s: overlay directories may not overlap",
                         names[a], names[b]);
        return -ELOOP;
      }
  return 0;
}
