/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/text.h: text building for bwrap-changes' output: a growable
 * byte buffer, paths quoted the way `git status` quotes them, JSON
 * strings and base64.  Pure: no system call, no global state; runs in
 * bwrap-changes' only process, with the caller's rights. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "utils.h"

struct sbuf
{
  char *data;   /* NUL-terminated once anything was added; NULL before */
  size_t len, cap;
};

void sbuf_add (struct sbuf *b, const void *p, size_t n);
void sbuf_addc (struct sbuf *b, char c);
void sbuf_adds (struct sbuf *b, const char *s);
void sbuf_addf (struct sbuf *b, const char *fmt, ...) BWRAP_PRINTF (2, 3);
/* Forget the content, keep the memory. */
void sbuf_reset (struct sbuf *b);
void sbuf_free (struct sbuf *b);
/* The content as a C string ("" for an empty buffer). */
const char *sbuf_str (const struct sbuf *b);

/* True when `git status --short` would quote path: it holds a byte
 * below 0x20, a space, '"', '\\', DEL or a byte of 0x80 and above. */
bool text_needs_quotes (const char *path);
/* Append path as `git status --short` prints it: as it is, or between
 * double quotes with \a \b \t \n \v \f \r \" \\ and three-digit octal
 * escapes for the other bytes text_needs_quotes names. */
void text_quote_path (struct sbuf *b, const char *path);
/* The same into a new string (malloc'd): for error messages. */
char *text_quoted (const char *path);

/* True when s[0..n) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
bool text_is_utf8 (const char *s, size_t n);
/* Append s as a JSON string with its quotes.  Control characters, '"'
 * and '\\' are escaped; each byte that is not part of well-formed UTF-8
 * becomes U+FFFD (JSON text must be Unicode: callers that need the
 * exact bytes also print them with text_base64). */
void text_json_string (struct sbuf *b, const char *s);
/* Append the standard base64 (RFC 4648, with padding) of p[0..n). */
void text_base64 (struct sbuf *b, const void *p, size_t n);
