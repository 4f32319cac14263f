/*
 * tmpfile.h - a temporary directory for the files a test program makes
 * (images to load, logs, socket paths): tmp_dir_new() in main() before
 * harness_run (or on first use), tmp_dir_remove() after; paths inside it
 * with g_build_filename(dir, name, NULL); tmp_file_write() and
 * tmp_file_read() to fill and check files.
 */
#ifndef TESTS_UNIT_TMPFILE_H
#define TESTS_UNIT_TMPFILE_H

#include "util/osdep.h"

/* A new, empty directory $TMPDIR/@prefix-XXXXXX; asserts on failure.
 * Returns its path (tmp_dir_remove() it). */
static inline char *tmp_dir_new(const char *prefix)
{
    g_autofree char *tmpl = g_strdup_printf("%s-XXXXXX", prefix);
    char *dir = g_dir_make_tmp(tmpl, NULL);

    g_assert(dir);
    return dir;
}

/* Remove @dir and the files in it (tests make no subdirectories), and
 * free @dir.  NULL: nothing to do. */
static inline void tmp_dir_remove(char *dir)
{
    GDir *d;
    const char *name;

    if (!dir) {
        return;
    }
    d = g_dir_open(dir, 0, NULL);
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        unlink(path);
    }
    if (d) {
        g_dir_close(d);
    }
    rmdir(dir);
    g_free(dir);
}

/* Write @len bytes at @data to the file @name in @dir (replacing it);
 * asserts on failure.  Returns its path (g_free it). */
static inline char *tmp_file_write(const char *dir, const char *name,
                                   const void *data, size_t len)
{
    char *path = g_build_filename(dir, name, NULL);

    g_assert(g_file_set_contents(path, data, len, NULL));
    return path;
}

/* The contents of the file @path (g_free it), or NULL if it cannot be
 * read. */
static inline char *tmp_file_read(const char *path)
{
    char *contents = NULL;

    if (!g_file_get_contents(path, &contents, NULL, NULL)) {
        return NULL;
    }
    return contents;
}

#endif /* TESTS_UNIT_TMPFILE_H */
