/*
 * capture.h - catching what the code under test prints, to compare it
 * byte for byte.
 *
 * Two places to catch it:
 *   - StderrCapture: file descriptor 2 itself, so the text is what the user
 *     sees (error_report's "qomu: " prefix, warnings, abort messages,
 *     anything written with fprintf(stderr)).  Process-wide: one capture
 *     at a time, and other threads' output is caught too.
 *   - ReportCapture: the calling thread's error_report() sink (the
 *     monitor path of util/error-report.h): no program name, nothing
 *     reaches stderr.
 * Both: begin, run the code, end; end returns the text (g_free it).
 * check_whole_lines() checks what several threads printed at once.
 * Output from a child process: fork_run() in fork-helper.h.
 */
#ifndef TESTS_UNIT_CAPTURE_H
#define TESTS_UNIT_CAPTURE_H

#include "util/osdep.h"
#include "util/error-report.h"
#include <CUnit/CUnit.h>

/* --- stderr, at the file descriptor --- */

typedef struct StderrCapture {
    int saved_fd;
    char path[64];
} StderrCapture;

static inline void stderr_capture_begin(StderrCapture *c)
{
    int fd;

    g_strlcpy(c->path, "/tmp/qomu-test-stderr-XXXXXX", sizeof(c->path));
    fd = mkstemp(c->path);
    g_assert(fd >= 0);
    fflush(stderr);
    c->saved_fd = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

/* Returns what was written since begin (g_free it). */
static inline char *stderr_capture_end(StderrCapture *c)
{
    char *text = NULL;

    fflush(stderr);
    dup2(c->saved_fd, STDERR_FILENO);
    close(c->saved_fd);
    g_file_get_contents(c->path, &text, NULL, NULL);
    unlink(c->path);
    return text ? text : g_strdup("");
}

/* --- error_report(), through the sink --- */

/* An ErrorReportSink that appends to the GString @opaque. */
static inline void gstring_sink(const char *text, void *opaque)
{
    g_string_append(opaque, text);
}

typedef struct ReportCapture {
    GString *text;
} ReportCapture;

static inline void report_capture_begin(ReportCapture *c)
{
    c->text = g_string_new(NULL);
    error_report_set_sink(gstring_sink, c->text);
}

/* Returns what was reported since begin (g_free it). */
static inline char *report_capture_end(ReportCapture *c)
{
    error_report_set_sink(NULL, NULL);
    return g_string_free(g_steal_pointer(&c->text), false);
}

/* --- output of several threads --- */

/* Assert that @text is @count lines, each matching @regex: what several
 * threads wrote at once came out in whole lines. */
static inline void check_whole_lines(const char *text, const char *regex,
                                     int count)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    int n = 0;

    for (; lines[n] && *lines[n]; n++) {
        CU_ASSERT_TRUE(g_regex_match_simple(regex, lines[n], 0, 0));
    }
    CU_ASSERT_EQUAL(n, count);
}

#endif /* TESTS_UNIT_CAPTURE_H */
