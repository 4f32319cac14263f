/*
 * options-help.c - `-h` and `-version`.
 *
 * The help keeps QEMU 7.2's layout, section headings and wording
 * (qemu-options.hx) for the options qomu implements, so a QEMU user
 * finds things where they expect them; where qomu does less than QEMU
 * the text says what qomu does.  `-version` names qomu, not QEMU: tools
 * that parse "QEMU emulator version" must not mistake qomu for QEMU.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "system/options.h"

static const char help_text[] =
"\n"
"Standard options:\n"
"-h or -help     display this help and exit\n"
"-version        display version information and exit\n"
"-machine [type=]name[,prop[=value][,...]]\n"
"                selects emulated machine ('-machine help' for list)\n"
"                property accel=accel1[:accel2[:...]] selects accelerator\n"
"                supported accelerators are kvm or dummy (default: kvm, else dummy)\n"
"-cpu cpu        select CPU ('-cpu help' for list)\n"
"-accel [accel=]accelerator[,prop[=value][,...]]\n"
"                select accelerator (kvm or dummy; use 'help' for a list)\n"
"-smp [[cpus=]n][,maxcpus=maxcpus][,sockets=sockets][,dies=dies][,clusters=clusters][,cores=cores][,threads=threads]\n"
"                set the number of initial CPUs to 'n' [default=1]\n"
"                maxcpus= maximum number of total CPUs, including\n"
"                offline CPUs for hotplug, etc\n"
"                sockets= number of sockets on the machine board\n"
"                dies= number of dies in one socket\n"
"                clusters= number of clusters in one die\n"
"                cores= number of cores in one cluster\n"
"                threads= number of threads in one core\n"
"-global driver.property=value\n"
"-global driver=driver,property=property,value=value\n"
"                set a global default for a driver property\n"
"-m [size=]megs[,slots=n,maxmem=size]\n"
"                configure guest RAM\n"
"                size: initial amount of guest memory\n"
"                slots: number of hotplug slots (default: none)\n"
"                maxmem: maximum amount of guest memory (default: none)\n"
"-device driver[,prop[=value][,...]]\n"
"                add device (based on driver)\n"
"                prop=value,... sets driver properties\n"
"                use '-device help' to print all possible drivers\n"
"                use '-device driver,help' to print all possible properties\n"
"-name string1[,process=string2][,debug-threads=on|off]\n"
"                set the name of the guest\n"
"                string1 sets the window title and string2 the process name\n"
"                (qomu always names its threads)\n"
"\n"
"Block device options:\n"
"-hda/-hdb file  use 'file' as hard disk 0/1 image\n"
"-hdc/-hdd file  use 'file' as hard disk 2/3 image\n"
"-cdrom file     use 'file' as CD-ROM image\n"
"-drive [file=file][,if=type][,bus=n][,unit=m][,media=d][,index=i]\n"
"       [,cache=writethrough|writeback|none|directsync|unsafe][,format=f]\n"
"       [,snapshot=on|off][,rerror=ignore|stop|report]\n"
"       [,werror=ignore|stop|report|enospc][,id=name]\n"
"       [,aio=threads|native|io_uring]\n"
"       [,readonly=on|off][,copy-on-read=on|off]\n"
"       [,discard=ignore|unmap][,detect-zeroes=on|off|unmap]\n"
"                use 'file' as a drive image\n"
"-snapshot       write to temporary files instead of disk image files\n"
"\n"
"Display options:\n"
"-display none\n"
"                select display backend type\n"
"                The default display is equivalent to\n"
"                \"-display none\"\n"
"-nographic      disable graphical output and redirect serial I/Os to console\n"
"\n"
"Character device options:\n"
"-chardev help\n"
"-chardev null,id=id\n"
"-chardev stdio,id=id\n"
"-chardev file,id=id,path=path\n"
"-chardev socket,id=id,path=path[,server=on|off][,wait=on|off]\n"
"-chardev socket,id=id[,host=host],port=port[,server=on|off][,wait=on|off]\n"
"\n"
"Boot Image or Kernel specific:\n"
"-kernel file    use 'file' as kernel image (Multiboot)\n"
"-append cmdline use 'cmdline' as kernel command line\n"
"-initrd file    use 'file' as initial ram disk\n"
"\n"
"Debug/Expert options:\n"
"-serial dev     redirect the serial port to char device 'dev'\n"
"-monitor dev    redirect the monitor to char device 'dev'\n"
"-qmp dev        like -monitor but opens in 'control' mode\n"
"-qmp-pretty dev like -qmp but uses pretty JSON formatting\n"
"-mon [chardev=]name[,mode=readline|control][,pretty[=on|off]]\n"
"-debugcon dev   redirect the debug console to char device 'dev'\n"
"-S              freeze CPU at startup\n"
"-d item1,...    enable logging of specified items (use '-d help' for a list of log items)\n"
"-D logfile      output log to logfile (default stderr)\n"
"-enable-kvm     enable KVM full virtualization support\n"
"-no-reboot      exit instead of rebooting\n"
"-nodefaults     don't create default devices\n"
"-msg [timestamp[=on|off]][,guest-name=[on|off]]\n"
"                control error message format\n"
"                timestamp=on enables timestamps (default: off)\n"
"                guest-name=on enables guest name prefix but only if\n"
"                              -name guest option is set (default: off)\n"
"\n"
"Other QEMU 7.2 options are recognised and refused with\n"
"\"Option not supported in this build\".\n";

void qomu_print_version(FILE *f)
{
    fprintf(f, "qomu version " QOMU_VERSION
            " (QEMU 7.2 command line)\n");
}

void qomu_print_help(FILE *f)
{
    qomu_print_version(f);
    fprintf(f, "usage: %s [options]\n", error_get_progname());
    fputs(help_text, f);
}
