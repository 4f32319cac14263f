/*
 * mc146818rtc.c - "mc146818rtc": the PC's real-time clock and 128 bytes
 * of CMOS RAM at ports 0x70 (index) and 0x71 (data) (QEMU 7.2's
 * hw/rtc/mc146818rtc.c; Motorola MC146818A datasheet).
 *
 * Modelled as QEMU: time and calendar registers in BCD or binary
 * (register B DM) and 12/24-hour mode, computed on demand from the
 * virtual clock; SET freezing the time; the divider chain (register A
 * DV: stopped, reset, first update 500 ms after leaving reset); UIP in
 * the last 244 us before an update; periodic, alarm (with don't-care
 * values) and update-ended interrupts on IRQ 8, with QEMU's timer
 * arithmetic; register C cleared (and the line lowered) by reading it;
 * the IBM PS/2 century alias (0x37).  The guest's clock starts at the
 * host's UTC time when the device is realized.
 * Not modelled: lost_tick_policy=slew (KVM's "was it delivered" feedback
 * is not available through our IRQ lines), the "date" property, -rtc,
 * the NMI mask (index bit 7 is ignored, as QEMU does), square wave
 * output, suspend/resume (register 0xf).
 * Deviation: all timing uses QEMU_CLOCK_VIRTUAL (QEMU's default RTC clock
 * is the host's wall clock, so a host time jump moves it; here it does
 * not), and the IRQ is wired at realize (QEMU's board does it).
 *
 * Everything runs with the big lock held: port accesses in a vCPU
 * thread, timers in the main thread.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/rtc/mc146818rtc.h"

#include <time.h>

#define NANOSECONDS_PER_SECOND  1000000000LL
#define SEC_PER_MIN     60
#define MIN_PER_HOUR    60
#define HOUR_PER_DAY    24
#define SEC_PER_DAY     86400

#define RTC_CLOCK_RATE  32768
/* UIP is set 244 us (8 cycles of 32768 Hz) before an update. */
#define UIP_HOLD_LENGTH (8 * NANOSECONDS_PER_SECOND / RTC_CLOCK_RATE)

static int64_t rtc_clock_ns(void)
{
    return qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/* a * b / c without overflow (QEMU's muldiv64); c > 0. */
static int64_t muldiv64(int64_t a, int64_t b, int64_t c)
{
    return (int64_t)((__int128)a * b / c);
}

static bool rtc_running(MC146818RtcState *s)
{
    return !(s->cmos_data[RTC_REG_B] & REG_B_SET) &&
           (s->cmos_data[RTC_REG_A] & 0x70) <= 0x20;
}

/* The guest's time: whole seconds, and ns into the current second. */
static int64_t get_guest_rtc_sec(MC146818RtcState *s, int64_t *nsec)
{
    int64_t delta = rtc_clock_ns() - s->last_update + s->offset;
    int64_t sec = delta / NANOSECONDS_PER_SECOND;
    int64_t ns = delta % NANOSECONDS_PER_SECOND;

    if (ns < 0) {                   /* floor, for a negative delta */
        ns += NANOSECONDS_PER_SECOND;
        sec--;
    }
    if (nsec) {
        *nsec = ns;
    }
    return s->base_rtc + sec;
}

static int64_t get_guest_rtc_nsec(MC146818RtcState *s)
{
    int64_t ns;

    get_guest_rtc_sec(s, &ns);
    return ns;
}

/* --- BCD and the calendar registers ------------------------------------ */

static int rtc_to_bcd(MC146818RtcState *s, int a)
{
    unsigned u = a;             /* guest values can be out of range */

    if (s->cmos_data[RTC_REG_B] & REG_B_DM) {
        return u & 0xff;
    }
    return (((u / 10) << 4) | (u % 10)) & 0xff;
}

/* -1 for an alarm's "don't care" (0xc0-0xff). */
static int rtc_from_bcd(MC146818RtcState *s, int a)
{
    if ((a & 0xc0) == 0xc0) {
        return -1;
    }
    if (s->cmos_data[RTC_REG_B] & REG_B_DM) {
        return a;
    }
    return ((a >> 4) * 10) + (a & 0x0f);
}

static void rtc_get_time(MC146818RtcState *s, struct tm *tm)
{
    tm->tm_sec = rtc_from_bcd(s, s->cmos_data[RTC_SECONDS]);
    tm->tm_min = rtc_from_bcd(s, s->cmos_data[RTC_MINUTES]);
    tm->tm_hour = rtc_from_bcd(s, s->cmos_data[RTC_HOURS] & 0x7f);
    if (!(s->cmos_data[RTC_REG_B] & REG_B_24H)) {
        tm->tm_hour %= 12;
        if (s->cmos_data[RTC_HOURS] & 0x80) {
            tm->tm_hour += 12;              /* PM */
        }
    }
    tm->tm_wday = rtc_from_bcd(s, s->cmos_data[RTC_DAY_OF_WEEK]) - 1;
    tm->tm_mday = rtc_from_bcd(s, s->cmos_data[RTC_DAY_OF_MONTH]);
    tm->tm_mon = rtc_from_bcd(s, s->cmos_data[RTC_MONTH]) - 1;
    tm->tm_year = rtc_from_bcd(s, s->cmos_data[RTC_YEAR]) + s->base_year +
                  rtc_from_bcd(s, s->cmos_data[RTC_CENTURY]) * 100 - 1900;
}

static void rtc_set_cmos(MC146818RtcState *s, const struct tm *tm)
{
    int year;

    s->cmos_data[RTC_SECONDS] = rtc_to_bcd(s, tm->tm_sec);
    s->cmos_data[RTC_MINUTES] = rtc_to_bcd(s, tm->tm_min);
    if (s->cmos_data[RTC_REG_B] & REG_B_24H) {
        s->cmos_data[RTC_HOURS] = rtc_to_bcd(s, tm->tm_hour);
    } else {
        int h = (tm->tm_hour % 12) ? tm->tm_hour % 12 : 12;

        s->cmos_data[RTC_HOURS] = rtc_to_bcd(s, h);
        if (tm->tm_hour >= 12) {
            s->cmos_data[RTC_HOURS] |= 0x80;
        }
    }
    s->cmos_data[RTC_DAY_OF_WEEK] = rtc_to_bcd(s, tm->tm_wday + 1);
    s->cmos_data[RTC_DAY_OF_MONTH] = rtc_to_bcd(s, tm->tm_mday);
    s->cmos_data[RTC_MONTH] = rtc_to_bcd(s, tm->tm_mon + 1);
    year = tm->tm_year + 1900 - s->base_year;
    s->cmos_data[RTC_YEAR] = rtc_to_bcd(s, year % 100);
    s->cmos_data[RTC_CENTURY] = rtc_to_bcd(s, year / 100);
}

/* The registers were written: restart the clock from them. */
static void rtc_set_time(MC146818RtcState *s)
{
    struct tm tm = { 0 };

    rtc_get_time(s, &tm);
    s->base_rtc = timegm(&tm);      /* normalises out-of-range fields */
    s->last_update = rtc_clock_ns();
}

/* Bring the registers up to the current time (unless SET). */
static void rtc_update_time(MC146818RtcState *s)
{
    time_t guest_sec = get_guest_rtc_sec(s, NULL);
    struct tm tm;

    if (!(s->cmos_data[RTC_REG_B] & REG_B_SET) &&
        gmtime_r(&guest_sec, &tm)) {
        rtc_set_cmos(s, &tm);
    }
}

/* --- periodic interrupt ------------------------------------------------ */

/* Register A rate -> period in 32768 Hz cycles (rates 1, 2 are 3 above
 * 8 and 9: 256 and 128 Hz, as on the real part); 0 without PIE. */
static uint32_t rtc_periodic_clock_ticks(MC146818RtcState *s)
{
    int code = s->cmos_data[RTC_REG_A] & 0x0f;

    if (!(s->cmos_data[RTC_REG_B] & REG_B_PIE) || !code) {
        return 0;
    }
    if (code <= 2) {
        code += 7;
    }
    return 1u << (code - 1);
}

/*
 * Re-arm the periodic timer from @current_time (QEMU's
 * periodic_timer_update, discard policy): on a period change the ticks
 * since the last interrupt count towards the next one, but at most one
 * period is carried over.
 */
static void periodic_timer_update(MC146818RtcState *s, int64_t current_time,
                                  uint32_t old_period, bool period_change)
{
    uint32_t period = rtc_periodic_clock_ticks(s);
    int64_t cur_clock, next_irq_clock, lost_clock = 0;

    s->period = period;
    if (!period) {
        timer_del(s->periodic_timer);
        return;
    }
    cur_clock = muldiv64(current_time, RTC_CLOCK_RATE,
                         NANOSECONDS_PER_SECOND);
    if (old_period && period_change) {
        int64_t next = muldiv64(s->next_periodic_time, RTC_CLOCK_RATE,
                                NANOSECONDS_PER_SECOND);

        lost_clock = MAX(cur_clock - (next - old_period), 0);
    }
    lost_clock = MIN(lost_clock, (int64_t)period);
    next_irq_clock = cur_clock + period - lost_clock;
    s->next_periodic_time = muldiv64(next_irq_clock, NANOSECONDS_PER_SECOND,
                                     RTC_CLOCK_RATE) + 1;
    timer_mod(s->periodic_timer, s->next_periodic_time);
}

static void rtc_periodic_timer(void *opaque)
{
    MC146818RtcState *s = opaque;

    periodic_timer_update(s, s->next_periodic_time, s->period, false);
    s->cmos_data[RTC_REG_C] |= REG_C_PF;
    if (s->cmos_data[RTC_REG_B] & REG_B_PIE) {
        s->cmos_data[RTC_REG_C] |= REG_C_IRQF;
        qemu_irq_raise(s->irq);
    }
}

/* --- update-ended and alarm interrupts --------------------------------- */

static uint8_t convert_hour(MC146818RtcState *s, uint8_t hour)
{
    if (!(s->cmos_data[RTC_REG_B] & REG_B_24H)) {
        hour %= 12;
        if (s->cmos_data[RTC_HOURS] & 0x80) {
            hour += 12;
        }
    }
    return hour;
}

/*
 * The seconds field of an alarm whose higher fields match the time now:
 * don't-care (-1) fires at the next second; a second already past
 * carries into the next minute or hour (@carry).
 */
static int32_t alarm_next_sec(int32_t alarm_sec, int32_t cur_sec,
                              int32_t *carry)
{
    if (alarm_sec == -1) {
        return cur_sec + 1;
    }
    if (cur_sec > alarm_sec) {
        (*carry)++;
    }
    return alarm_sec;
}

/* Seconds from now to the next alarm, 1..86400 (QEMU's get_next_alarm,
 * with "don't care" values matching any). */
static int get_next_alarm(MC146818RtcState *s)
{
    int32_t alarm_sec, alarm_min, alarm_hour, cur_hour, cur_min, cur_sec;
    int32_t hour, min, sec;

    rtc_update_time(s);
    alarm_sec = rtc_from_bcd(s, s->cmos_data[RTC_SECONDS_ALARM]);
    alarm_min = rtc_from_bcd(s, s->cmos_data[RTC_MINUTES_ALARM]);
    alarm_hour = rtc_from_bcd(s, s->cmos_data[RTC_HOURS_ALARM]);
    alarm_hour = alarm_hour == -1 ? -1 : convert_hour(s, alarm_hour);
    cur_sec = rtc_from_bcd(s, s->cmos_data[RTC_SECONDS]);
    cur_min = rtc_from_bcd(s, s->cmos_data[RTC_MINUTES]);
    cur_hour = convert_hour(s, rtc_from_bcd(s, s->cmos_data[RTC_HOURS]));

    if (alarm_hour == -1) {
        alarm_hour = cur_hour;
        if (alarm_min == -1) {
            alarm_min = cur_min;
            alarm_sec = alarm_next_sec(alarm_sec, cur_sec, &alarm_min);
        } else if (cur_min == alarm_min) {
            alarm_sec = alarm_next_sec(alarm_sec, cur_sec, &alarm_hour);
            if (alarm_sec == SEC_PER_MIN) {
                /* wrap to the next hour: minutes are not don't-care */
                alarm_sec = 0;
                alarm_hour++;
            }
        } else if (cur_min > alarm_min) {
            alarm_hour++;
        }
    } else if (cur_hour == alarm_hour) {
        if (alarm_min == -1) {
            alarm_min = cur_min;
            alarm_sec = alarm_next_sec(alarm_sec, cur_sec, &alarm_min);
            if (alarm_sec == SEC_PER_MIN) {
                alarm_sec = 0;
                alarm_min++;
            }
            /* wrap to the next day: hours are not don't-care */
            alarm_min %= MIN_PER_HOUR;
        } else if (cur_min == alarm_min) {
            if (alarm_sec == -1) {
                alarm_sec = cur_sec + 1;
            }
            alarm_sec %= SEC_PER_MIN;
        }
    }
    /* values still don't-care fire at the next minute/second */
    if (alarm_min == -1) {
        alarm_min = 0;
    }
    if (alarm_sec == -1) {
        alarm_sec = 0;
    }
    if (alarm_sec == SEC_PER_MIN) {
        alarm_sec = 0;
        alarm_min++;
    }
    if (alarm_min == MIN_PER_HOUR) {
        alarm_min = 0;
        alarm_hour++;
    }
    alarm_hour %= HOUR_PER_DAY;

    hour = alarm_hour - cur_hour;
    min = hour * MIN_PER_HOUR + alarm_min - cur_min;
    sec = min * SEC_PER_MIN + alarm_sec - cur_sec;
    return sec <= 0 ? sec + SEC_PER_DAY : sec;
}

/* When the update timer is armed for, or -1. */
static int64_t update_timer_expire(MC146818RtcState *s)
{
    return timer_pending(s->update_timer) ? s->next_update_time : -1;
}

/*
 * Arm the update timer for the next second boundary (UIP must clear
 * and UF be set then), or straight for the alarm when UF is already set
 * and only AF can still change (QEMU's check_update_timer).
 */
static void check_update_timer(MC146818RtcState *s)
{
    int64_t next_update_time;

    /* Datasheet: holding the dividers in reset stops the interrupts. */
    if ((s->cmos_data[RTC_REG_A] & 0x60) == 0x60) {
        s->cmos_data[RTC_REG_A] &= ~REG_A_UIP;
        timer_del(s->update_timer);
        return;
    }
    next_update_time = rtc_clock_ns() + NANOSECONDS_PER_SECOND -
                       get_guest_rtc_nsec(s);
    /* one second is already in next_update_time */
    s->next_alarm_time = next_update_time +
                         (int64_t)(get_next_alarm(s) - 1) *
                         NANOSECONDS_PER_SECOND;
    if (!(s->cmos_data[RTC_REG_A] & REG_A_UIP) &&
        (s->cmos_data[RTC_REG_C] & REG_C_UF)) {
        if ((s->cmos_data[RTC_REG_B] & REG_B_SET) ||
            (s->cmos_data[RTC_REG_C] & REG_C_AF)) {
            timer_del(s->update_timer);
            return;
        }
        next_update_time = s->next_alarm_time;
    }
    if (next_update_time != update_timer_expire(s)) {
        s->next_update_time = next_update_time;
        timer_mod(s->update_timer, next_update_time);
    }
}

static void rtc_update_timer(void *opaque)
{
    MC146818RtcState *s = opaque;
    uint8_t irqs = REG_C_UF, new_irqs;

    if ((s->cmos_data[RTC_REG_A] & 0x60) == 0x60) {
        return;                     /* disarmed meanwhile */
    }
    /* UIP may have been latched: update the time and clear it. */
    rtc_update_time(s);
    s->cmos_data[RTC_REG_A] &= ~REG_A_UIP;
    if (rtc_clock_ns() >= s->next_alarm_time) {
        irqs |= REG_C_AF;
    }
    new_irqs = irqs & ~s->cmos_data[RTC_REG_C];
    s->cmos_data[RTC_REG_C] |= irqs;
    /* UF and AF line up with UIE and AIE */
    if (new_irqs & s->cmos_data[RTC_REG_B]) {
        s->cmos_data[RTC_REG_C] |= REG_C_IRQF;
        qemu_irq_raise(s->irq);
    }
    check_update_timer(s);
}

/* UIP: set from 244 us before an update until it is done. */
static bool update_in_progress(MC146818RtcState *s)
{
    if (!rtc_running(s)) {
        return false;
    }
    if (timer_pending(s->update_timer) &&
        rtc_clock_ns() >= s->next_update_time - UIP_HOLD_LENGTH) {
        /* latch it until the timer has run */
        s->cmos_data[RTC_REG_A] |= REG_A_UIP;
        return true;
    }
    return get_guest_rtc_nsec(s) >= NANOSECONDS_PER_SECOND - UIP_HOLD_LENGTH;
}

/* --- ports ------------------------------------------------------------- */

static void cmos_write_reg_a(MC146818RtcState *s, uint8_t data)
{
    bool period_changed = (s->cmos_data[RTC_REG_A] ^ data) & 0x0f;
    uint32_t old_period = rtc_periodic_clock_ticks(s);

    if ((data & 0x60) == 0x60) {
        /* divider reset: the time stops */
        if (rtc_running(s)) {
            rtc_update_time(s);
        }
        s->cmos_data[RTC_REG_A] &= ~REG_A_UIP;
    } else if ((s->cmos_data[RTC_REG_A] & 0x60) == 0x60 &&
               (data & 0x70) <= 0x20) {
        /* leaving reset: the first update comes 500 ms later */
        if (!(s->cmos_data[RTC_REG_B] & REG_B_SET)) {
            s->offset = 500000000;
            rtc_set_time(s);
        }
        s->cmos_data[RTC_REG_A] &= ~REG_A_UIP;
    }
    /* UIP is read-only */
    s->cmos_data[RTC_REG_A] = (data & ~REG_A_UIP) |
                              (s->cmos_data[RTC_REG_A] & REG_A_UIP);
    if (period_changed) {
        periodic_timer_update(s, rtc_clock_ns(), old_period, true);
    }
    check_update_timer(s);
}

static void cmos_write_reg_b(MC146818RtcState *s, uint8_t data)
{
    bool pie_changed = (s->cmos_data[RTC_REG_B] ^ data) & REG_B_PIE;
    uint32_t old_period = rtc_periodic_clock_ticks(s);

    if (data & REG_B_SET) {
        /* freeze the registers at the current time */
        if (rtc_running(s)) {
            rtc_update_time(s);
        }
        s->cmos_data[RTC_REG_A] &= ~REG_A_UIP;
        data &= ~REG_B_UIE;         /* datasheet: SET clears UIE */
    } else if ((s->cmos_data[RTC_REG_B] & REG_B_SET) &&
               (s->cmos_data[RTC_REG_A] & 0x70) <= 0x20) {
        /* leaving SET: run from the registers, keeping the phase */
        s->offset = get_guest_rtc_nsec(s);
        rtc_set_time(s);
    }
    /* A flag already set whose interrupt becomes enabled fires now. */
    if (data & s->cmos_data[RTC_REG_C] & REG_C_MASK) {
        s->cmos_data[RTC_REG_C] |= REG_C_IRQF;
        qemu_irq_raise(s->irq);
    } else {
        s->cmos_data[RTC_REG_C] &= ~REG_C_IRQF;
        qemu_irq_lower(s->irq);
    }
    s->cmos_data[RTC_REG_B] = data;
    if (pie_changed) {
        periodic_timer_update(s, rtc_clock_ns(), old_period, true);
    }
    check_update_timer(s);
}

/*
 * Whether the selected register is one of the clock's (time, date,
 * century); the IBM PS/2 century byte is an alias of RTC_CENTURY and
 * selects it, for reads and writes (QEMU's fall-through cases).
 */
static bool cmos_select_clock_reg(MC146818RtcState *s)
{
    switch (s->cmos_index) {
    case RTC_IBM_PS2_CENTURY_BYTE:
        s->cmos_index = RTC_CENTURY;
        return true;
    case RTC_CENTURY:
    case RTC_SECONDS:
    case RTC_MINUTES:
    case RTC_HOURS:
    case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH:
    case RTC_MONTH:
    case RTC_YEAR:
        return true;
    default:
        return false;
    }
}

static void cmos_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    MC146818RtcState *s = opaque;
    uint8_t data = val;

    if ((addr & 1) == 0) {
        s->cmos_index = data & 0x7f;    /* bit 7: NMI mask, ignored */
        return;
    }
    if (cmos_select_clock_reg(s)) {
        s->cmos_data[s->cmos_index] = data;
        /* in SET mode the clock restarts when SET is cleared */
        if (rtc_running(s)) {
            rtc_set_time(s);
            check_update_timer(s);
        }
        return;
    }
    switch (s->cmos_index) {
    case RTC_SECONDS_ALARM:
    case RTC_MINUTES_ALARM:
    case RTC_HOURS_ALARM:
        s->cmos_data[s->cmos_index] = data;
        check_update_timer(s);
        break;
    case RTC_REG_A:
        cmos_write_reg_a(s, data);
        break;
    case RTC_REG_B:
        cmos_write_reg_b(s, data);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        break;                          /* read-only */
    default:
        s->cmos_data[s->cmos_index] = data;
        break;
    }
}

static uint64_t cmos_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    MC146818RtcState *s = opaque;
    uint8_t ret;

    if ((addr & 1) == 0) {
        return 0xff;                    /* the index port is write-only */
    }
    if (cmos_select_clock_reg(s)) {
        if (rtc_running(s)) {
            rtc_update_time(s);
        }
        return s->cmos_data[s->cmos_index];
    }
    switch (s->cmos_index) {
    case RTC_REG_A:
        ret = s->cmos_data[RTC_REG_A];
        if (update_in_progress(s)) {
            ret |= REG_A_UIP;
        }
        break;
    case RTC_REG_C:
        /* Reading C acknowledges: flags cleared, line lowered. */
        ret = s->cmos_data[RTC_REG_C];
        qemu_irq_lower(s->irq);
        s->cmos_data[RTC_REG_C] = 0x00;
        if (ret & (REG_C_UF | REG_C_AF)) {
            check_update_timer(s);
        }
        break;
    default:
        ret = s->cmos_data[s->cmos_index];
        break;
    }
    return ret;
}

static const MemoryRegionOps cmos_ops = {
    .read = cmos_ioport_read,
    .write = cmos_ioport_write,
    .impl.min_access_size = 1,
    .impl.max_access_size = 1,
};

/* --- the device -------------------------------------------------------- */

static void rtc_reset(DeviceState *dev)
{
    MC146818RtcState *s = MC146818_RTC(dev);

    /* 0xfe in the shutdown byte means "resume from S3": kept (QEMU) */
    if (s->cmos_data[0x0f] != 0xfe) {
        s->cmos_data[0x0f] = 0x00;
    }
    s->cmos_data[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_SQWE);
    s->cmos_data[RTC_REG_C] &= ~(REG_C_UF | REG_C_IRQF | REG_C_PF | REG_C_AF);
    /* PIE is off: stop the periodic timer now rather than at its next
     * tick (QEMU lets it fire once more, setting PF) */
    periodic_timer_update(s, rtc_clock_ns(), 0, false);
    check_update_timer(s);
    qemu_irq_lower(s->irq);
}

static void rtc_init(Object *obj)
{
    MC146818RtcState *s = MC146818_RTC(obj);

    memory_region_init_io(&s->io, obj, &cmos_ops, s, "rtc", 2);
    qdev_init_gpio_out(DEVICE(obj), &s->irq, 1);
}

static bool rtc_realize(DeviceState *dev, Error **errp)
{
    ISADevice *isadev = ISA_DEVICE(dev);
    MC146818RtcState *s = MC146818_RTC(dev);
    struct tm tm;
    time_t now;

    if (s->isairq >= ISA_NUM_IRQS) {
        error_setg(errp, "Maximum value for \"irq\" is: %u",
                   ISA_NUM_IRQS - 1);
        return false;
    }
    if (s->io_base > 0xfffe) {
        error_setg(errp, "I/O ports 0x%x..0x%x are outside the I/O space "
                   "(0x0..0xffff)", s->io_base, s->io_base + 1);
        return false;
    }
    switch (s->lost_tick_policy) {
    case LOST_TICK_POLICY_DISCARD:
        break;
    case LOST_TICK_POLICY_SLEW:
        error_setg(errp, "lost_tick_policy=slew is not supported in this "
                   "build");
        return false;
    default:
        error_setg(errp, "Invalid lost tick policy.");
        return false;
    }

    s->cmos_data[RTC_REG_A] = 0x26;     /* 32768 Hz, 1024 Hz rate */
    s->cmos_data[RTC_REG_B] = 0x02;     /* BCD, 24-hour */
    s->cmos_data[RTC_REG_C] = 0x00;
    s->cmos_data[RTC_REG_D] = 0x80;     /* valid RAM and time */
    /* QEMU: base_year 2000 is the historical default for a century
     * byte of 20; it means 0. */
    if (s->base_year == 2000) {
        s->base_year = 0;
    }

    /* The guest's clock starts at the host's UTC time. */
    now = g_get_real_time() / G_USEC_PER_SEC;
    gmtime_r(&now, &tm);
    s->base_rtc = now;
    s->last_update = rtc_clock_ns();
    s->offset = 0;
    rtc_set_cmos(s, &tm);

    s->periodic_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, rtc_periodic_timer,
                                     s);
    s->update_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, rtc_update_timer, s);
    check_update_timer(s);
    isa_connect_gpio_out(isadev, 0, s->isairq);
    isa_register_ioport(isadev, &s->io, s->io_base);
    return true;
}

/* The timers go with the object (not at unrealize, which the ISA bus
 * class uses to unmap the ports). */
static void rtc_finalize(Object *obj)
{
    MC146818RtcState *s = MC146818_RTC(obj);

    g_clear_pointer(&s->periodic_timer, timer_free);
    g_clear_pointer(&s->update_timer, timer_free);
}

/* --- properties -------------------------------------------------------- */

static const char *const LostTickPolicy_names[] = {
    [LOST_TICK_POLICY_DISCARD] = "discard",
    [LOST_TICK_POLICY_DELAY] = "delay",
    [LOST_TICK_POLICY_SLEW] = "slew",
};

static const QEnumLookup LostTickPolicy_lookup = {
    .array = LostTickPolicy_names,
    .size = LOST_TICK_POLICY__MAX,
};

G_STATIC_ASSERT(sizeof(LostTickPolicy) == sizeof(int));

static const PropertyInfo qdev_prop_losttickpolicy = {
    .name = "LostTickPolicy",
    .enum_table = &LostTickPolicy_lookup,
    .get = qdev_propinfo_get_enum,
    .set = qdev_propinfo_set_enum,
    .set_default_value = qdev_propinfo_set_default_value_enum,
};

static Property mc146818rtc_properties[] = {
    DEFINE_PROP_INT32("base_year", MC146818RtcState, base_year, 1980),
    DEFINE_PROP_UINT16("iobase", MC146818RtcState, io_base, RTC_ISA_BASE),
    DEFINE_PROP_UINT8("irq", MC146818RtcState, isairq, RTC_ISA_IRQ),
    DEFINE_PROP_SIGNED("lost_tick_policy", MC146818RtcState,
                       lost_tick_policy, LOST_TICK_POLICY_DISCARD,
                       qdev_prop_losttickpolicy, LostTickPolicy),
    DEFINE_PROP_END_OF_LIST(),
};

static void rtc_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = rtc_realize;
    dc->reset = rtc_reset;
    device_class_set_props(dc, mc146818rtc_properties);
    device_class_set_category(dc, DEVICE_CATEGORY_MISC);
}

static const TypeInfo mc146818rtc_info = {
    .name = TYPE_MC146818_RTC,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(MC146818RtcState),
    .instance_init = rtc_init,
    .instance_finalize = rtc_finalize,
    .class_init = rtc_class_init,
};

static void mc146818rtc_register_types(void)
{
    type_register_static(&mc146818rtc_info);
}

type_init(mc146818rtc_register_types)
