package io.trafficmirror.examples.cli;

import io.trafficmirror.core.receiver.MirrorReceiver;
import picocli.CommandLine;

/**
 * The ranges of the subcommands' numeric options, checked as the arguments are parsed: a value out of range, or not
 * a whole number, is a bad argument (exit 2) in one line that names the option (picocli's prefix), the value and
 * what is allowed. Each option names its converter here, so a range is written once, beside the others, and no
 * value out of range reaches code that might overflow on it.
 */
final class NumberOptions
{
    /** Far more than one replay can send: a larger rate is a mistake, not a wish. */
    static final long MAX_PPS = 10_000_000;
    /** The most copies a replay target may have queued. */
    static final int MAX_SLOTS = 1 << 20;
    /** The longest {@code receive --duration}: a year; without the option a receiver runs until stopped. */
    static final long MAX_DURATION_SECONDS = 365L * 24 * 60 * 60;
    /** The largest VXLAN network identifier (24 bits). */
    static final int MAX_VNI = (1 << 24) - 1;
    /** The smallest rotation size a receiver's capture files allow. */
    static final long MIN_ROTATE_BYTES = 1024;

    private NumberOptions()
    {
    }

    /**
     * A whole number within a range, or 0 where 0 means off. Subclasses fix the range and the words for it.
     */
    abstract static class Range implements CommandLine.ITypeConverter<Object>
    {
        private final long min;
        private final long max;
        private final boolean zeroAllowed;
        private final boolean intValue;
        private final String allowed;

        Range(final long min, final long max, final boolean zeroAllowed, final boolean intValue, final String allowed)
        {
            this.min = min;
            this.max = max;
            this.zeroAllowed = zeroAllowed;
            this.intValue = intValue;
            this.allowed = allowed;
        }

        @Override
        public Object convert(final String text)
        {
            final long value = parse(text);
            if ((value < min || value > max) && !(zeroAllowed && value == 0))
            {
                throw outOfRange(text);
            }
            // Not a conditional expression: that would widen the Integer to a Long, which an int field refuses.
            if (intValue)
            {
                return Integer.valueOf((int)value);
            }
            return Long.valueOf(value);
        }

        private long parse(final String text)
        {
            try
            {
                return Long.parseLong(text.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw outOfRange(text);
            }
        }

        private CommandLine.TypeConversionException outOfRange(final String text)
        {
            return new CommandLine.TypeConversionException("'" + text + "' is not " + allowed);
        }
    }

    /** {@code replay --pps}. */
    static final class PacketsPerSecond extends Range
    {
        PacketsPerSecond()
        {
            super(0, MAX_PPS, false, false, "a rate from 0 (as fast as possible) to " + MAX_PPS + " packets per second");
        }
    }

    /** {@code replay --slots-per-target}. */
    static final class Slots extends Range
    {
        Slots()
        {
            super(1, MAX_SLOTS, false, true, "a slot count from 1 to " + MAX_SLOTS);
        }
    }

    /** {@code receive --duration} and {@code run --duration}. */
    static final class DurationSeconds extends Range
    {
        DurationSeconds()
        {
            super(1, MAX_DURATION_SECONDS, false, false, "a duration from 1 to " + MAX_DURATION_SECONDS +
                " seconds (a year)");
        }
    }

    /** {@code receive --count}. */
    static final class FrameCount extends Range
    {
        FrameCount()
        {
            super(1, Long.MAX_VALUE, false, false, "a frame count from 1 to " + Long.MAX_VALUE);
        }
    }

    /** {@code receive --vni}. */
    static final class Vni extends Range
    {
        Vni()
        {
            super(0, MAX_VNI, false, true, "a VNI from 0 to " + MAX_VNI);
        }
    }

    /** {@code receive --rcvbuf}. */
    static final class ReceiveBuffer extends Range
    {
        ReceiveBuffer()
        {
            super(0, Integer.MAX_VALUE, false, true, "a buffer size from 0 (the system's) to " + Integer.MAX_VALUE +
                " bytes");
        }
    }

    /** {@code receive --rotate-bytes}. */
    static final class RotateBytes extends Range
    {
        RotateBytes()
        {
            super(MIN_ROTATE_BYTES, Long.MAX_VALUE, true, false, "0 (never rotate) or a file size from " +
                MIN_ROTATE_BYTES + " to " + Long.MAX_VALUE + " bytes");
        }
    }

    /** {@code receive --rotate-seconds}. */
    static final class RotateSeconds extends Range
    {
        RotateSeconds()
        {
            super(1, MAX_DURATION_SECONDS, true, false, "0 (never rotate) or a period from 1 to " +
                MAX_DURATION_SECONDS + " seconds");
        }
    }

    /** {@code receive --max-vni-files}. */
    static final class VniFiles extends Range
    {
        VniFiles()
        {
            super(1, MirrorReceiver.MAX_VNI_FILES, false, true, "a file count from 1 to " + MirrorReceiver.MAX_VNI_FILES);
        }
    }

    /** {@code run --snaplen}. */
    static final class SnapLength extends Range
    {
        SnapLength()
        {
            super(RunCommand.MIN_SNAPLEN, RunCommand.DEFAULT_SNAPLEN, false, true, "a capture length from " +
                RunCommand.MIN_SNAPLEN + " to " + RunCommand.DEFAULT_SNAPLEN + " bytes");
        }
    }
}
