/*
 * email: normalisation of email addresses.
 */
#include "email.h"

#include <string.h>
#include <strings.h>

static int local_char(char c)
{
	/* c != 0: strchr finds the terminator, which would let a NUL byte into
	 * an address (found by fuzzing) */
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c && strchr("._%+-!#$&'*/=?^`{|}~", c));
}

static int domain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

int email_normalize(const char *s, size_t n, char out[EMAIL_MAX])
{
	char buf[EMAIL_MAX];
	size_t i, k = 0, at = 0, nat = 0, dot = 0;
	int gmail;

	while (n && (*s == ' ' || *s == '\t' || *s == '<')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '>' || s[n - 1] == '.'))
		n--;
	if (n >= 7 && strncasecmp(s, "mailto:", 7) == 0) {
		s += 7;
		n -= 7;
	}
	if (n == 0 || n >= EMAIL_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c == '@') {
			at = k;
			nat++;
		}
		buf[k++] = c;
	}
	buf[k] = '\0';
	if (nat != 1 || at == 0 || at + 1 >= k)
		return -1;
	for (i = 0; i < at; i++)
		if (!local_char(buf[i]))
			return -1;
	for (i = at + 1; i < k; i++) {
		if (!domain_char(buf[i]))
			return -1;
		if (buf[i] == '.')
			dot = i;
	}
	if (!dot || dot + 2 > k || buf[at + 1] == '.' || buf[k - 1] == '.')
		return -1;
	if (strcmp(buf + at + 1, "googlemail.com") == 0)
		memcpy(buf + at + 1, "gmail.com", 10), k = at + 10;
	gmail = strcmp(buf + at + 1, "gmail.com") == 0;
	{
		size_t o = 0;

		for (i = 0; i < at; i++) {
			if (buf[i] == '+')
				break;
			if (gmail && buf[i] == '.')
				continue;
			out[o++] = buf[i];
		}
		if (o == 0)
			return -1;
		memcpy(out + o, buf + at, k - at);
		out[o + k - at] = '\0';
	}
	return 0;
}
