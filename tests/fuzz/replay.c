/*
 * replay.c - run a libFuzzer target's corpus without libFuzzer (any
 * compiler, e.g. gcc with or without sanitizers): `make check` builds
 * build/tests/fuzz/<target>-replay and runs it with no argument, which
 * replays every file of tests/fuzz/corpus/<target>/ (FUZZ_CORPUS).
 * With arguments, replays those files or directories instead (to
 * reproduce a crash: build/tests/fuzz/virtqueue-replay crash-XXXX).
 *
 * Output follows the harness protocol (tests/unit/harness.h):
 *     <target>-replay: N passed, 0 failed
 * A crash or sanitizer report fails the program (run-tests.sh).
 */
#include "util/osdep.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned passed;

static void replay_file(const char *path)
{
    gchar *data;
    gsize len;
    GError *err = NULL;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        fprintf(stderr, "%s\n", err->message);
        g_error_free(err);
        exit(1);
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    g_free(data);
    passed++;
}

static void replay(const char *path)
{
    GDir *dir;
    const char *name;
    GPtrArray *names;

    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        replay_file(path);
        return;
    }
    dir = g_dir_open(path, 0, NULL);
    if (!dir) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(dir))) {
        g_ptr_array_add(names, g_build_filename(path, name, NULL));
    }
    g_dir_close(dir);
    for (guint i = 0; i < names->len; i++) {
        replay_file(names->pdata[i]);
    }
    g_ptr_array_free(names, true);
}

int main(int argc, char **argv)
{
    const char *prog = g_path_get_basename(argv[0]);

    LLVMFuzzerInitialize(&argc, &argv);
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            replay(argv[i]);
        }
    } else {
        replay(FUZZ_CORPUS);
    }
    printf("%s: %u passed, 0 failed\n", prog, passed);
    return 0;
}
