/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed getters of a request's args, for the daemon's handlers: each says
 * in the user's words what is missing or of the wrong type.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

static int
arg_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
arg_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

/* The value of key, or NULL when absent or null; -EINVAL if required. */
static int
arg_get(const json_t *args, const char *key, bool required, json_t **v, char *err,
	size_t errlen)
{
	*v = json_is_object(args) ? json_object_get(args, key) : NULL;
	if (*v != NULL && json_is_null(*v))
		*v = NULL;
	if (*v == NULL && required)
		return arg_fail(err, errlen, "missing argument \"%s\"", key);
	return 0;
}

int
api_arg_string(const json_t *args, const char *key, bool required, const char **out,
	char *err, size_t errlen)
{
	json_t *v;
	int rc = arg_get(args, key, required, &v, err, errlen);

	if (rc < 0 || v == NULL)
		return rc;
	if (!json_is_string(v))
		return arg_fail(err, errlen, "argument \"%s\" must be a string, not %s", key,
			type_name(v));
	*out = json_string_value(v);
	return 1;
}

int
api_arg_uint(const json_t *args, const char *key, bool required, uint64_t min, uint64_t max,
	uint64_t *out, char *err, size_t errlen)
{
	json_int_t i;
	json_t *v;
	int rc = arg_get(args, key, required, &v, err, errlen);

	if (rc < 0 || v == NULL)
		return rc;
	if (!json_is_integer(v))
		return arg_fail(err, errlen, "argument \"%s\" must be an integer, not %s", key,
			type_name(v));
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return arg_fail(err, errlen, "argument \"%s\": %" JSON_INTEGER_FORMAT
			" is not in %" PRIu64 "..%" PRIu64, key, i, min, max);
	*out = (uint64_t)i;
	return 1;
}

int
api_arg_bool(const json_t *args, const char *key, bool required, bool *out, char *err,
	size_t errlen)
{
	json_t *v;
	int rc = arg_get(args, key, required, &v, err, errlen);

	if (rc < 0 || v == NULL)
		return rc;
	if (!json_is_boolean(v))
		return arg_fail(err, errlen, "argument \"%s\" must be true or false, not %s", key,
			type_name(v));
	*out = json_is_true(v);
	return 1;
}

int
api_args_only(const json_t *args, enum api_op op, const char *const *keys, char *err,
	size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)args, key, v) {
		const char *const *k = keys;

		while (*k != NULL && strcmp(*k, key) != 0)
			k++;
		if (*k == NULL)
			return arg_fail(err, errlen, "unknown argument \"%.64s\" for %s", key,
				api_op_name(op));
	}
	return 0;
}
