/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/text.c: buffers, git-style path quoting, JSON strings and
 * base64 (changes/text.h).  Pure; runs in bwrap-changes' process. */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void
sbuf_grow (struct sbuf *b, size_t n)
{
  if (b->len + n + 1 <= b->cap)
    return;
  if (n > SIZE_MAX / 2 - b->len)
    die_oom ();
  b->cap = b->cap ? b->cap : 64;
  while (b->len + n + 1 > b->cap)
    b->cap *= 2;
  b->data = xrealloc (b->data, b->cap);
}

void
sbuf_add (struct sbuf *b, const void *p, size_t n)
{
  sbuf_grow (b, n);
  memcpy (b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void
sbuf_addc (struct sbuf *b, char c)
{
  sbuf_add (b, &c, 1);
}

void
sbuf_adds (struct sbuf *b, const char *s)
{
  sbuf_add (b, s, strlen (s));
}

void
sbuf_addf (struct sbuf *b, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (NULL, 0, fmt, ap);
  va_end (ap);
  if (n < 0)
    return;
  sbuf_grow (b, n);
  va_start (ap, fmt);
  (void) vsnprintf (b->data + b->len, n + 1, fmt, ap);   /* sized above */
  va_end (ap);
  b->len += n;
}

void
sbuf_reset (struct sbuf *b)
{
  b->len = 0;
  if (b->data != NULL)
    b->data[0] = '\0';
}

void
sbuf_free (struct sbuf *b)
{
  free (b->data);
  *b = (struct sbuf) { 0 };
}

const char *
sbuf_str (const struct sbuf *b)
{
  return b->data != NULL ? b->data : "";
}

/* ---- git-style quoting --------------------------------------------------- */

static bool
byte_needs_quotes (unsigned char c)
{
  return c < 0x20 || c == ' ' || c == '"' || c == '\\' || c >= 0x7f;
}

bool
text_needs_quotes (const char *path)
{
  for (const unsigned char *p = (const unsigned char *) path; *p; p++)
    if (byte_needs_quotes (*p))
      return true;
  return false;
}

void
text_quote_path (struct sbuf *b, const char *path)
{
  /* The letters git uses for the C escapes it knows; other bytes are
   * octal.  A space needs the quotes but no escape. */
  static const char from[] = "\a\b\t\n\v\f\r\"\\";
  static const char to[] = "abtnvfr\"\\";

  if (!text_needs_quotes (path))
    {
      sbuf_adds (b, path);
      return;
    }
  sbuf_addc (b, '"');
  for (const unsigned char *p = (const unsigned char *) path; *p; p++)
    {
      const char *e = strchr (from, *p);   /* *p is never the NUL here */
      if (e != NULL)
        {
          sbuf_addc (b, '\\');
          sbuf_addc (b, to[e - from]);
        }
      else if (*p == ' ' || !byte_needs_quotes (*p))
        sbuf_addc (b, *p);
      else
        sbuf_addf (b, "\\%03o", *p);
    }
  sbuf_addc (b, '"');
}

char *
text_quoted (const char *path)
{
  struct sbuf b = { 0 };

  text_quote_path (&b, path);
  return b.data != NULL ? b.data : xstrdup ("");
}

/* ---- UTF-8 and JSON ------------------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0
 * when the bytes there are not one (RFC 3629's table). */
static size_t
utf8_seq_len (const unsigned char *s, size_t n)
{
  unsigned char c = s[0];
  size_t len;
  unsigned char lo = 0x80, hi = 0xbf;

  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    len = 2;
  else if (c >= 0xe0 && c <= 0xef)
    {
      len = 3;
      if (c == 0xe0)
        lo = 0xa0;          /* no overlong form */
      else if (c == 0xed)
        hi = 0x9f;          /* no UTF-16 surrogate */
    }
  else if (c >= 0xf0 && c <= 0xf4)
    {
      len = 4;
      if (c == 0xf0)
        lo = 0x90;
      else if (c == 0xf4)
        hi = 0x8f;          /* nothing above U+10FFFF */
    }
  else
    return 0;
  if (n < len || s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < len; i++)
    if (s[i] < 0x80 || s[i] > 0xbf)
      return 0;
  return len;
}

bool
text_is_utf8 (const char *s, size_t n)
{
  const unsigned char *p = (const unsigned char *) s;

  for (size_t i = 0; i < n;)
    {
      size_t len = utf8_seq_len (p + i, n - i);
      if (len == 0)
        return false;
      i += len;
    }
  return true;
}

void
text_json_string (struct sbuf *b, const char *s)
{
  const unsigned char *p = (const unsigned char *) s;
  size_t n = strlen (s);

  sbuf_addc (b, '"');
  for (size_t i = 0; i < n;)
    {
      size_t len = utf8_seq_len (p + i, n - i);
      unsigned char c = p[i];

      if (len == 0)
        {
          sbuf_adds (b, "\\ufffd");
          i++;
          continue;
        }
      if (c == '"' || c == '\\')
        {
          sbuf_addc (b, '\\');
          sbuf_addc (b, c);
        }
      else if (c == '\n')
        sbuf_adds (b, "\\n");
      else if (c == '\t')
        sbuf_adds (b, "\\t");
      else if (c == '\r')
        sbuf_adds (b, "\\r");
      else if (c < 0x20 || c == 0x7f)
        sbuf_addf (b, "\\u%04x", c);
      else
        sbuf_add (b, p + i, len);
      i += len;
    }
  sbuf_addc (b, '"');
}

void
text_base64 (struct sbuf *b, const void *data, size_t n)
{
  static const char digits[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char *p = data;

  for (size_t i = 0; i < n; i += 3)
    {
      unsigned v = p[i] << 16;
      if (i + 1 < n)
        v |= p[i + 1] << 8;
      if (i + 2 < n)
        v |= p[i + 2];
      sbuf_addc (b, digits[(v >> 18) & 63]);
      sbuf_addc (b, digits[(v >> 12) & 63]);
      sbuf_addc (b, i + 1 < n ? digits[(v >> 6) & 63] : '=');
      sbuf_addc (b, i + 2 < n ? digits[v & 63] : '=');
    }
}
