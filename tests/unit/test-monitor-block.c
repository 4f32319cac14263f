/*
 * test-monitor-block.c - the block layer through the monitor, on an
 * in-process pc machine with a QMP socket: query-block and `info block`
 * of a drive a device uses, the BLOCK_IO_ERROR event of werror=stop
 * with the VM stopping in "io-error", `cont` putting the I/O status back
 * to "ok", and a "drive" property in `info qtree`.
 *
 * No guest device issues I/O yet, so a stand-in sysbus device plays
 * IDE's part (docs/devel/block.md, "A device's view"): it takes its
 * drive with DEFINE_PROP_DRIVE, enables the I/O status at realize, and
 * handles a failed write with blk_get_error_action() +
 * blk_error_action().  The drive is a -drive over blkdebug, which fails
 * the write.  When ide-hd exists, a guest test should do the same from
 * the guest (a write to an ide-hd on a blkdebug drive with werror=stop)
 * against QEMU.
 *
 * What QEMU 7.2 prints for the same drive and device ids (checked with
 * Debian's qemu-system-x86_64 and -device ide-hd): "qdev" is the
 * device's id, "io-status" "ok", "removable" false, `info block` says
 * "Attached to:", `info qtree` prints the property as drive = "d0".
 */
#include "util/osdep.h"
#include "block/blkdebug.h"
#include "block/drive.h"
#include "hw/core/qdev-properties-block.h"
#include "hw/core/sysbus.h"
#include "monitor/hmp.h"
#include "block-helper.h"
#include "monitor-helper.h"
#include "harness.h"

/* --- the stand-in device ------------------------------------------------- */

#define TYPE_TEST_BLOCK_DEV "test-block-dev"
OBJECT_DECLARE_SIMPLE_TYPE(TestBlockDev, TEST_BLOCK_DEV)

struct TestBlockDev {
    SysBusDevice parent_obj;
    BlockBackend *blk;
    QEMUIOVector qiov;
    uint8_t buf[512];
    int completions;
    int status;                 /* what the guest would be told */
};

static Property test_block_dev_props[] = {
    DEFINE_PROP_DRIVE("drive", TestBlockDev, blk),
    DEFINE_PROP_END_OF_LIST(),
};

static bool test_block_dev_realize(DeviceState *dev, Error **errp)
{
    TestBlockDev *s = TEST_BLOCK_DEV(dev);

    if (s->blk) {
        blk_iostatus_enable(s->blk);
    }
    return true;
}

static void test_block_dev_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = test_block_dev_realize;
    device_class_set_props(dc, test_block_dev_props);
}

static const TypeInfo test_block_dev_info = {
    .name = TYPE_TEST_BLOCK_DEV,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(TestBlockDev),
    .class_init = test_block_dev_class_init,
};

static void test_block_dev_register(void)
{
    type_register_static(&test_block_dev_info);
}

type_init(test_block_dev_register)

/* The device's completion, as IDE's: werror/rerror decide. */
static void test_block_dev_write_done(void *opaque, int ret)
{
    TestBlockDev *s = opaque;

    s->completions++;
    s->status = ret;
    if (ret < 0) {
        BlockErrorAction action = blk_get_error_action(s->blk, false, -ret);

        blk_error_action(s->blk, action, false, -ret);
        if (action == BLOCK_ERROR_ACTION_IGNORE) {
            s->status = 0;
        }
    }
}

/* The guest writes sector 0; returns once the completion has run. */
static void test_block_dev_write(TestBlockDev *s)
{
    int before = s->completions;

    memset(s->buf, 0x5a, sizeof(s->buf));
    qemu_iovec_init_buf(&s->qiov, s->buf, sizeof(s->buf));
    blk_aio_pwritev(s->blk, 0, &s->qiov, 0, test_block_dev_write_done, s);
    for (int i = 0; i < 5000 && s->completions == before; i++) {
        helper_loop_once();
        g_usleep(1000);
    }
    CU_ASSERT_EQUAL(s->completions, before + 1);
}

/* --- the machine --------------------------------------------------------- */

static char *work_dir;
static QemuOptsList drives = DRIVE_OPTS_LIST_INIT;

/* "-drive @spec" (in work_dir, where a.img is) on the machine being
 * built. */
static BlockBackend *add_drive(const char *spec)
{
    g_autofree char *cwd = g_get_current_dir();
    QemuOpts *opts = qemu_opts_parse(&drives, spec, false, &error_abort);
    DriveInfo *dinfo;

    g_assert(chdir(work_dir) == 0);
    dinfo = drive_new(opts, IF_IDE, NULL, &error_abort);
    g_assert(chdir(cwd) == 0);
    return blk_by_legacy_dinfo(dinfo);
}

/* "-device test-block-dev,drive=@drive[,id=@id]". */
static TestBlockDev *add_device(const char *drive, const char *id)
{
    DeviceState *dev = qdev_new(TYPE_TEST_BLOCK_DEV);

    if (id) {
        dev->id = g_strdup(id);
        object_property_add_child(container_get(qdev_get_machine(),
                                                "/peripheral"),
                                  id, OBJECT(dev));
    }
    object_property_set_str(OBJECT(dev), "drive", drive, &error_abort);
    sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &error_abort);
    return TEST_BLOCK_DEV(dev);
}

static void end_machine(TestClient *c, char *path)
{
    client_close(c);
    monitor_cleanup();
    unlink(path);
    g_free(path);
    helper_machine_end();
    qemu_opts_reset(&drives);
    CU_ASSERT_EQUAL(blk_live_count(), 0);
    CU_ASSERT_EQUAL(bdrv_live_count(), 0);
}

/* "{\"timestamp\": {...}, " removed from an event line. */
static char *event_body(TestClient *c)
{
    g_autofree char *line = client_line(c);
    const char *rest = line ? strstr(line, "}, ") : NULL;

    CU_ASSERT_TRUE(line && g_str_has_prefix(line, "{\"timestamp\": "
                                            "{\"seconds\": "));
    return g_strdup(rest ? rest + 3 : "");
}

/* The value of HMP @cmdline through human-monitor-command. */
static char *hmp(TestClient *c, const char *cmdline)
{
    g_autofree char *req = g_strdup_printf(
        "{\"execute\": \"human-monitor-command\", \"arguments\": "
        "{\"command-line\": \"%s\"}}", cmdline);
    g_autofree char *line = client_cmd(c, req);
    g_autoptr(GVariant) reply = reply_value(line);
    const char *ret = "";

    g_variant_lookup(reply, "return", "&s", &ret);
    return g_strdup(ret);
}

/* --- the tests ----------------------------------------------------------- */

/* QEMU 7.2's answers for "-drive file=a.img,format=raw,if=none,id=d0,
 * werror=stop -device ide-hd,drive=d0,id=disk0" (node name "#block"). */
static const char query_attached[] =
    "{\"return\": [{\"io-status\": \"%s\", \"device\": \"d0\", "
    "\"locked\": false, \"removable\": false, \"inserted\": {\"iops_rd\": 0, "
    "\"detect_zeroes\": \"off\", \"image\": {\"virtual-size\": 1048576, "
    "\"filename\": \"a.img\", \"format\": \"raw\", \"actual-size\": 0, "
    "\"dirty-flag\": false}, \"iops_wr\": 0, \"ro\": false, \"node-name\": "
    "\"#block\", \"backing_file_depth\": 0, \"drv\": \"raw\", \"iops\": 0, "
    "\"bps_wr\": 0, \"write_threshold\": 0, \"encrypted\": false, \"bps\": 0, "
    "\"bps_rd\": 0, \"cache\": {\"no-flush\": false, \"direct\": false, "
    "\"writeback\": true}, \"file\": \"a.img\"}, \"qdev\": \"disk0\", "
    "\"type\": \"unknown\"}]}";

/* Node names with their digits removed ("#block123" -> "#block"). */
static char *no_node_digits(const char *s)
{
    GString *out = g_string_new(NULL);

    for (const char *p = s; *p;) {
        if (g_str_has_prefix(p, "#block")) {
            g_string_append(out, "#block");
            for (p += strlen("#block"); g_ascii_isdigit(*p); p++) {
            }
        } else {
            g_string_append_c(out, *p++);
        }
    }
    return g_string_free(out, false);
}

static void test_attached(void)
{
    char *path;
    TestClient *c;
    g_autofree char *q = NULL, *qn = NULL, *expected = NULL;
    g_autofree char *info = NULL, *infon = NULL, *qtree = NULL;

    helper_pc_machine(1);
    add_drive("file=a.img,format=raw,if=none,id=d0,werror=stop");
    add_device("d0", "disk0");
    helper_monitor_socket("qmp0", true, &path);
    c = qmp_client_negotiated(path);

    q = client_cmd(c, "{\"execute\": \"query-block\"}");
    qn = no_node_digits(q);
    expected = g_strdup_printf(query_attached, "ok");
    CU_ASSERT_STRING_EQUAL(qn, expected);
    info = hmp(c, "info block");
    infon = no_node_digits(info);
    CU_ASSERT_STRING_EQUAL(infon, "d0 (#block): a.img (raw)\r\n"
                           "    Attached to:      disk0\r\n"
                           "    Cache mode:       writeback\r\n");
    qtree = hmp(c, "info qtree");
    /* QEMU prints the backend's name, quoted (its string visitor) */
    CU_ASSERT_PTR_NOT_NULL(strstr(qtree, "\r\n  dev: test-block-dev, id "
                                  "\"disk0\"\r\n"
                                  "    drive = \"d0\"\r\n"));
    end_machine(c, path);
}

/* A device without an id: QEMU names it by its QOM path. */
static void test_attached_anonymous(void)
{
    char *path;
    TestClient *c;
    g_autofree char *info = NULL, *expected = NULL, *q = NULL;
    TestBlockDev *dev;
    g_autofree char *qom = NULL;

    helper_pc_machine(1);
    add_drive("if=none,id=cd0");
    dev = add_device("cd0", NULL);
    qom = object_get_canonical_path(OBJECT(dev));
    helper_monitor_socket("qmp0", true, &path);
    c = qmp_client_negotiated(path);
    q = client_cmd(c, "{\"execute\": \"query-block\"}");
    expected = g_strdup_printf("{\"return\": [{\"io-status\": \"ok\", "
                               "\"device\": \"cd0\", \"locked\": false, "
                               "\"removable\": false, \"qdev\": \"%s\", "
                               "\"type\": \"unknown\"}]}", qom);
    CU_ASSERT_STRING_EQUAL(q, expected);
    g_free(expected);
    info = hmp(c, "info block");
    expected = g_strdup_printf("cd0: [not inserted]\r\n"
                               "    Attached to:      %s\r\n", qom);
    CU_ASSERT_STRING_EQUAL(info, expected);
    end_machine(c, path);
}

/* werror=stop: BLOCK_IO_ERROR, then STOP, status io-error; cont resets
 * the I/O status and the VM runs again.  werror=report: the event only. */
static void test_werror(void)
{
    static const char *const data =
        "\"event\": \"BLOCK_IO_ERROR\", \"data\": {\"device\": \"d0\", "
        "\"nospace\": false, \"node-name\": \"#block\", \"reason\": "
        "\"Input/output error\", \"operation\": \"write\", \"action\": "
        "\"%s\"}}";
    char *path;
    TestClient *c;
    BlockBackend *blk;
    BlockDriverState *dbg;
    TestBlockDev *dev;
    g_autofree char *ev = NULL, *evn = NULL, *expected = NULL;
    g_autofree char *stop = NULL, *status = NULL, *q = NULL, *qn = NULL;
    g_autofree char *info = NULL, *infon = NULL, *resume = NULL;
    g_autofree char *ok = NULL, *status2 = NULL, *q2 = NULL, *q2n = NULL;
    g_autofree char *ev2 = NULL, *ev2n = NULL, *expected2 = NULL;

    helper_pc_machine(1);
    blk = add_drive("driver=raw,file.driver=blkdebug,"
                    "file.image.driver=file,file.image.filename=a.img,"
                    "if=none,id=d0,werror=stop");
    dbg = blk_bs(blk)->file->bs;
    CU_ASSERT_STRING_EQUAL_FATAL(bdrv_get_format_name(dbg), "blkdebug");
    dev = add_device("d0", "disk0");
    helper_monitor_socket("qmp0", true, &path);
    c = qmp_client_negotiated(path);
    client_send(c, "{\"execute\": \"cont\"}");
    g_free(event_body(c));                      /* RESUME */
    g_free(client_line(c));
    CU_ASSERT_TRUE(runstate_is_running());

    blkdebug_inject_error(dbg, BLKDEBUG_IO_TYPE_WRITE, EIO, 0, -1, true);
    test_block_dev_write(dev);
    CU_ASSERT_EQUAL(dev->status, -EIO);
    /* The event first, then the stop (QEMU's order) */
    ev = event_body(c);
    evn = no_node_digits(ev);
    expected = g_strdup_printf(data, "stop");
    CU_ASSERT_STRING_EQUAL(evn, expected);
    stop = event_body(c);
    CU_ASSERT_STRING_EQUAL(stop, "\"event\": \"STOP\"}");
    status = client_cmd(c, "{\"execute\": \"query-status\"}");
    CU_ASSERT_STRING_EQUAL(status, "{\"return\": {\"status\": \"io-error\", "
                           "\"singlestep\": false, \"running\": false}}");
    q = client_cmd(c, "{\"execute\": \"query-block\"}");
    qn = no_node_digits(q);
    CU_ASSERT_PTR_NOT_NULL(strstr(qn, "{\"io-status\": \"failed\", "
                                  "\"device\": \"d0\""));
    info = hmp(c, "info block");
    infon = no_node_digits(info);
    CU_ASSERT_STRING_EQUAL(infon, "d0 (#block): a.img (raw)\r\n"
                           "    Attached to:      disk0\r\n"
                           "    I/O status:       failed\r\n"
                           "    Cache mode:       writeback\r\n");

    /* cont: the status is "ok" again and the VM runs */
    client_send(c, "{\"execute\": \"cont\"}");
    resume = event_body(c);
    CU_ASSERT_STRING_EQUAL(resume, "\"event\": \"RESUME\"}");
    ok = client_line(c);
    CU_ASSERT_STRING_EQUAL(ok, "{\"return\": {}}");
    status2 = client_cmd(c, "{\"execute\": \"query-status\"}");
    CU_ASSERT_STRING_EQUAL(status2, "{\"return\": {\"status\": "
                           "\"running\", \"singlestep\": false, "
                           "\"running\": true}}");
    q2 = client_cmd(c, "{\"execute\": \"query-block\"}");
    q2n = no_node_digits(q2);
    CU_ASSERT_PTR_NOT_NULL(strstr(q2n, "{\"io-status\": \"ok\", "
                                  "\"device\": \"d0\""));
    /* The retried write works (the rule fired once) */
    test_block_dev_write(dev);
    CU_ASSERT_EQUAL(dev->status, 0);

    /* werror=report: the event, the VM keeps running */
    blk_set_on_error(blk, BLOCKDEV_ON_ERROR_REPORT, BLOCKDEV_ON_ERROR_REPORT);
    blkdebug_inject_error(dbg, BLKDEBUG_IO_TYPE_WRITE, EIO, 0, -1, true);
    test_block_dev_write(dev);
    CU_ASSERT_EQUAL(dev->status, -EIO);
    ev2 = event_body(c);
    ev2n = no_node_digits(ev2);
    expected2 = g_strdup_printf(data, "report");
    CU_ASSERT_STRING_EQUAL(ev2n, expected2);
    CU_ASSERT_TRUE(runstate_is_running());
    CU_ASSERT_EQUAL(blk_iostatus(blk), BLOCK_DEVICE_IO_STATUS_OK);
    end_machine(c, path);
}

int main(int argc, char **argv)
{
    const char *why = NULL;
    const char *dir;
    g_autofree char *img = NULL;
    int ret;

    monitor_helper_main_init();
    main_loop_init();
    dir = bt_dir_disk(&why);
    if (!dir) {
        dir = bt_dir_tmpfs(&why);
    }
    g_assert(dir);
    work_dir = g_strdup(dir);
    img = g_build_filename(work_dir, "a.img", NULL);
    g_assert(g_file_set_contents(img, "", 0, NULL));
    g_assert(truncate(img, 1 << 20) == 0);
    harness_add("/monitor-block/attached", test_attached);
    harness_add("/monitor-block/attached-anonymous",
                test_attached_anonymous);
    harness_add("/monitor-block/werror", test_werror);
    ret = harness_run(argc, argv);
    unlink(img);
    bt_dirs_cleanup();
    g_free(work_dir);
    return ret;
}
