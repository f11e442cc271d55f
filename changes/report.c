/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/report.c: status lines in text, -z and JSON form
 * (changes/report.h).  Pure; runs in bwrap-changes' process. */
#include "report.h"

#include <string.h>

static void
report_json (struct sbuf *b, const struct change *c)
{
  bool first = true;

  sbuf_adds (b, "{\"path\":");
  text_json_string (b, c->path);
  sbuf_addf (b, ",\"change\":\"%s\",\"type\":\"%s\"", change_name (c->kind),
             entry_type_name (c->st.st_mode));
  if (c->kind == CHANGE_TYPE_CHANGED)
    sbuf_addf (b, ",\"old_type\":\"%s\"", entry_type_name (c->old_mode));
  if (S_ISREG (c->st.st_mode))
    sbuf_addf (b, ",\"size\":%lld", (long long) c->st.st_size);
  sbuf_addf (b, ",\"mode\":\"%04o\"", (unsigned) (c->st.st_mode & 07777));
  if (c->kind == CHANGE_MODIFIED && (c->what & WHAT_MODE))
    sbuf_addf (b, ",\"old_mode\":\"%04o\"", (unsigned) (c->old_mode & 07777));
  if (c->kind == CHANGE_MODIFIED)
    {
      sbuf_adds (b, ",\"what\":[");
      for (unsigned bit = WHAT_CONTENT; bit <= WHAT_TIME; bit <<= 1)
        if (c->what & bit)
          {
            sbuf_addf (b, "%s\"%s\"", first ? "" : ",", change_what_name (bit));
            first = false;
          }
      sbuf_addc (b, ']');
    }
  if (!text_is_utf8 (c->path, strlen (c->path)))
    {
      sbuf_adds (b, ",\"path_base64\":\"");
      text_base64 (b, c->path, strlen (c->path));
      sbuf_addc (b, '"');
    }
  sbuf_adds (b, "}\n");
}

void
report_change (struct sbuf *b, const struct change *c, enum report_format format)
{
  switch (format)
    {
    case REPORT_JSON:
      report_json (b, c);
      return;
    case REPORT_NUL:
      sbuf_addc (b, change_letter (c->kind));
      sbuf_addc (b, ' ');
      sbuf_adds (b, c->path);
      sbuf_add (b, "", 1);
      return;
    case REPORT_TEXT:
    default:
      sbuf_addc (b, change_letter (c->kind));
      sbuf_addc (b, ' ');
      text_quote_path (b, c->path);
      sbuf_addc (b, '\n');
      return;
    }
}
