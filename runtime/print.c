/* SPDX-License-Identifier: MIT */
/*
 * The value printers that generated P_M_print functions call for the
 * fields whose text needs care (include/rt/protocol.h): strings escaped so
 * that a message stays on one line of a log, bytes as a short hex prefix so
 * that a large payload does not flood it. Kept in the library rather than
 * in every generated file so that all protocols print alike.
 */
#include <rt/protocol.h>

/* At most this many bytes of a bytes field are shown. */
#define PRINT_BYTES_MAX 16

void
rt_print_string(FILE *f, const char *s)
{
	const unsigned char *c = (const unsigned char *)s;

	if (s == NULL) {
		fputs("NULL", f);
		return;
	}
	fputc('"', f);
	for (; *c != '\0'; c++) {
		switch (*c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*c < 0x20 || *c == 0x7f)
				fprintf(f, "\\x%02x", *c);
			else
				fputc(*c, f);
		}
	}
	fputc('"', f);
}

void
rt_print_bytes(FILE *f, rt_bytes b)
{
	const unsigned char *d = b.data;
	size_t i;

	fprintf(f, "<%zu bytes", b.len);
	if (d != NULL && b.len > 0) {
		fputc(' ', f);
		for (i = 0; i < b.len && i < PRINT_BYTES_MAX; i++)
			fprintf(f, "%02x", d[i]);
		if (b.len > PRINT_BYTES_MAX)
			fputs("...", f);
	}
	fputc('>', f);
}

void
rt_print_enum(FILE *f, const char *name, long long v)
{
	if (name != NULL)
		fputs(name, f);
	else
		fprintf(f, "%lld", v);
}

void
rt_print_ref(FILE *f, rt_ref r)
{
	fputs(rt_ref_is_null(r) ? "<null>" : "<ref>", f);
}
