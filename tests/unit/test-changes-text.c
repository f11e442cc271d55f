/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-changes-text.c: bwrap-changes' output text (changes/text.c,
 * changes/report.c): paths quoted exactly as `git status --short`
 * quotes them (the expected strings are git 2.39's output for the same
 * names), JSON strings for any bytes, base64, and the status lines in
 * their three forms.  Pure; no privileges. */
#include <check.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"
#include "text.h"
#include "unit-main.h"

static const struct
{
  const char *path;
  const char *quoted;
} quote_cases[] = {
  { "plain", "plain" },
  { "dir/file.c", "dir/file.c" },
  { "a b", "\"a b\"" },
  { " lead", "\" lead\"" },
  { "tab\there", "\"tab\\there\"" },
  { "nl\nx", "\"nl\\nx\"" },
  { "back\\slash", "\"back\\\\slash\"" },
  { "q\"uote", "\"q\\\"uote\"" },
  { "\x01" "ctl", "\"\\001ctl\"" },
  { "del\x7f", "\"del\\177\"" },
  { "\xc3\xa9", "\"\\303\\251\"" },           /* UTF-8 bytes: octal, as git */
  { "\xff\xfe", "\"\\377\\376\"" },           /* not UTF-8 at all */
  { "\a\b\v\f\r", "\"\\a\\b\\v\\f\\r\"" },
  { "", "" },
};

START_TEST (test_quote)
{
  struct sbuf b = { 0 };
  cleanup_free char *q = text_quoted (quote_cases[_i].path);

  text_quote_path (&b, quote_cases[_i].path);
  ck_assert_str_eq (sbuf_str (&b), quote_cases[_i].quoted);
  ck_assert_str_eq (q, quote_cases[_i].quoted);
  ck_assert (text_needs_quotes (quote_cases[_i].path) == (quote_cases[_i].quoted[0] == '"'));
  sbuf_free (&b);
}
END_TEST

static const struct
{
  const char *s;
  bool utf8;
  const char *json;
} json_cases[] = {
  { "plain", true, "\"plain\"" },
  { "a\"b\\c", true, "\"a\\\"b\\\\c\"" },
  { "nl\ntab\tcr\r", true, "\"nl\\ntab\\tcr\\r\"" },
  { "\x01\x1f\x7f", true, "\"\\u0001\\u001f\\u007f\"" },
  { "\xc3\xa9t\xc3\xa9", true, "\"\xc3\xa9t\xc3\xa9\"" },      /* kept as UTF-8 */
  { "\xe2\x82\xac", true, "\"\xe2\x82\xac\"" },                 /* U+20AC */
  { "\xf0\x9f\x98\x80", true, "\"\xf0\x9f\x98\x80\"" },         /* U+1F600 */
  { "a\xffz", false, "\"a\\ufffdz\"" },
  { "\xc0\xaf", false, "\"\\ufffd\\ufffd\"" },                  /* overlong '/' */
  { "\xed\xa0\x80", false, "\"\\ufffd\\ufffd\\ufffd\"" },       /* a surrogate */
  { "\xf4\x90\x80\x80", false, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* > U+10FFFF */
  { "\xe2\x82", false, "\"\\ufffd\\ufffd\"" },                  /* cut short */
  { "", true, "\"\"" },
};

START_TEST (test_json)
{
  struct sbuf b = { 0 };

  text_json_string (&b, json_cases[_i].s);
  ck_assert_str_eq (sbuf_str (&b), json_cases[_i].json);
  ck_assert (text_is_utf8 (json_cases[_i].s, strlen (json_cases[_i].s)) == json_cases[_i].utf8);
  sbuf_free (&b);
}
END_TEST

START_TEST (test_base64)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
    { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
    { "\xff\xfe\n", "//4K" },
  };

  for (size_t i = 0; i < N_ELEMENTS (cases); i++)
    {
      struct sbuf b = { 0 };
      text_base64 (&b, cases[i].in, strlen (cases[i].in));
      ck_assert_str_eq (sbuf_str (&b), cases[i].out);
      sbuf_free (&b);
    }
}
END_TEST

START_TEST (test_sbuf)
{
  struct sbuf b = { 0 };

  ck_assert_str_eq (sbuf_str (&b), "");
  for (int i = 0; i < 1000; i++)
    sbuf_addf (&b, "%d,", i);
  ck_assert_uint_eq (b.len, strlen (b.data));
  ck_assert (strncmp (b.data, "0,1,2,", 6) == 0);
  sbuf_reset (&b);
  ck_assert_str_eq (sbuf_str (&b), "");
  sbuf_add (&b, "a\0b", 3);
  ck_assert_uint_eq (b.len, 3);
  sbuf_free (&b);
}
END_TEST

/* ---- status lines ------------------------------------------------------ */

static struct change
make_change (const char *path, enum change_kind kind, mode_t mode, off_t size)
{
  struct change c = { .path = path, .kind = kind };

  c.st.st_mode = mode;
  c.st.st_size = size;
  return c;
}

static void
check_line (const struct change *c, enum report_format f, const char *want, size_t want_len)
{
  struct sbuf b = { 0 };

  report_change (&b, c, f);
  ck_assert_msg (b.len == want_len && memcmp (b.data, want, want_len) == 0,
                 "got \"%s\", want \"%s\"", sbuf_str (&b), want);
  sbuf_free (&b);
}

#define CHECK_LINE(c, f, want) check_line ((c), (f), (want), sizeof (want) - 1)

START_TEST (test_report_text)
{
  struct change a = make_change ("new file", CHANGE_ADDED, S_IFREG | 0644, 3);
  struct change m = make_change ("m", CHANGE_MODIFIED, S_IFREG | 0600, 3);
  struct change d = make_change ("gone/x", CHANGE_DELETED, S_IFDIR | 0755, 4096);
  struct change t = make_change ("nl\nx", CHANGE_TYPE_CHANGED, S_IFLNK | 0777, 1);

  CHECK_LINE (&a, REPORT_TEXT, "A \"new file\"\n");
  CHECK_LINE (&m, REPORT_TEXT, "M m\n");
  CHECK_LINE (&d, REPORT_TEXT, "D gone/x\n");
  CHECK_LINE (&t, REPORT_TEXT, "T \"nl\\nx\"\n");
  /* -z: as it is, NUL-terminated. */
  CHECK_LINE (&a, REPORT_NUL, "A new file\0");
  CHECK_LINE (&t, REPORT_NUL, "T nl\nx\0");
}
END_TEST

START_TEST (test_report_json)
{
  struct change a = make_change ("dir/f", CHANGE_ADDED, S_IFREG | 0644, 12);
  struct change m = make_change ("m", CHANGE_MODIFIED, S_IFREG | 0755, 3);
  struct change l = make_change ("l", CHANGE_MODIFIED, S_IFLNK | 0777, 3);
  struct change d = make_change ("d", CHANGE_DELETED, S_IFDIR | 01777, 4096);
  struct change t = make_change ("t", CHANGE_TYPE_CHANGED, S_IFDIR | 0700, 4096);
  struct change u = make_change ("a\xff\nb", CHANGE_ADDED, S_IFIFO | 0600, 0);
  struct change s = make_change ("s", CHANGE_ADDED, S_IFSOCK | 0755, 0);
  struct change c = make_change ("c", CHANGE_ADDED, S_IFCHR | 0600, 0);
  struct change k = make_change ("k", CHANGE_ADDED, S_IFBLK | 0600, 0);

  m.what = WHAT_CONTENT | WHAT_MODE | WHAT_OWNER | WHAT_TIME;
  m.old_mode = S_IFREG | 0644;
  l.what = WHAT_TARGET;
  t.old_mode = S_IFREG | 0644;
  CHECK_LINE (&a, REPORT_JSON,
              "{\"path\":\"dir/f\",\"change\":\"added\",\"type\":\"file\",\"size\":12,"
              "\"mode\":\"0644\"}\n");
  CHECK_LINE (&m, REPORT_JSON,
              "{\"path\":\"m\",\"change\":\"modified\",\"type\":\"file\",\"size\":3,"
              "\"mode\":\"0755\",\"old_mode\":\"0644\","
              "\"what\":[\"content\",\"mode\",\"owner\",\"time\"]}\n");
  CHECK_LINE (&l, REPORT_JSON,
              "{\"path\":\"l\",\"change\":\"modified\",\"type\":\"symlink\",\"mode\":\"0777\","
              "\"what\":[\"target\"]}\n");
  CHECK_LINE (&d, REPORT_JSON,
              "{\"path\":\"d\",\"change\":\"deleted\",\"type\":\"directory\",\"mode\":\"1777\"}\n");
  CHECK_LINE (&t, REPORT_JSON,
              "{\"path\":\"t\",\"change\":\"type-changed\",\"type\":\"directory\","
              "\"old_type\":\"file\",\"mode\":\"0700\"}\n");
  CHECK_LINE (&u, REPORT_JSON,
              "{\"path\":\"a\\ufffd\\nb\",\"change\":\"added\",\"type\":\"fifo\",\"mode\":\"0600\","
              "\"path_base64\":\"Yf8KYg==\"}\n");
  CHECK_LINE (&s, REPORT_JSON,
              "{\"path\":\"s\",\"change\":\"added\",\"type\":\"socket\",\"mode\":\"0755\"}\n");
  CHECK_LINE (&c, REPORT_JSON,
              "{\"path\":\"c\",\"change\":\"added\",\"type\":\"char-device\",\"mode\":\"0600\"}\n");
  CHECK_LINE (&k, REPORT_JSON,
              "{\"path\":\"k\",\"change\":\"added\",\"type\":\"block-device\",\"mode\":\"0600\"}\n");
}
END_TEST

static Suite *
text_suite (void)
{
  Suite *s = suite_create ("changes-text");
  TCase *tc = tcase_create ("text");

  tcase_add_loop_test (tc, test_quote, 0, N_ELEMENTS (quote_cases));
  tcase_add_loop_test (tc, test_json, 0, N_ELEMENTS (json_cases));
  tcase_add_test (tc, test_base64);
  tcase_add_test (tc, test_sbuf);
  tcase_add_test (tc, test_report_text);
  tcase_add_test (tc, test_report_json);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (text_suite ());
}
