package io.trafficmirror.core.receiver;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The process's open-file limit (RLIMIT_NOFILE) and how many descriptors it holds, read through the JDK's Unix
 * management bean where there is one (Linux, macOS), else from {@code /proc/self}; the bean is looked up by name,
 * as it is not part of the Java SE API. Unknown values are -1.
 */
final class OpenFileLimit
{
    /** Descriptors left to the JVM and the rest of the process beyond those it holds when the receiver opens. */
    static final int MARGIN = 32;

    private OpenFileLimit()
    {
    }

    /**
     * How many more files the receiver may keep open, leaving {@link #MARGIN} descriptors to the rest of the process.
     *
     * @return at least 1, or -1 when the limit is unknown.
     */
    static long room()
    {
        final long limit = maximum();
        if (limit < 0)
        {
            return -1;
        }
        final long held = Math.max(0, held());
        return Math.max(1, limit - held - MARGIN);
    }

    /** The limit, or -1. */
    static long maximum()
    {
        final long fromBean = fromBean("getMaxFileDescriptorCount");
        return fromBean >= 0 ? fromBean : fromProcLimits();
    }

    /** Descriptors open now, or -1. */
    static long held()
    {
        final long fromBean = fromBean("getOpenFileDescriptorCount");
        if (fromBean >= 0)
        {
            return fromBean;
        }
        final Path descriptors = Path.of("/proc/self/fd");
        if (!Files.isDirectory(descriptors))
        {
            return -1;
        }
        try (Stream<Path> open = Files.list(descriptors))
        {
            return open.count();
        }
        catch (final IOException | RuntimeException e)
        {
            return -1;
        }
    }

    private static long fromBean(final String getter)
    {
        try
        {
            final Class<?> unix = Class.forName("com.sun.management.UnixOperatingSystemMXBean");
            final OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
            if (!unix.isInstance(bean))
            {
                return -1;
            }
            final Method method = unix.getMethod(getter);
            final Object value = method.invoke(bean);
            return value instanceof Long ? (Long)value : -1;
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError e)
        {
            return -1;
        }
    }

    /** The soft limit from the "Max open files" line of {@code /proc/self/limits}. */
    private static long fromProcLimits()
    {
        final Path limits = Path.of("/proc/self/limits");
        if (!Files.isReadable(limits))
        {
            return -1;
        }
        try
        {
            for (final String line : Files.readAllLines(limits))
            {
                if (line.startsWith("Max open files"))
                {
                    final String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE / 2 : Long.parseLong(soft);
                }
            }
            return -1;
        }
        catch (final IOException | RuntimeException e)
        {
            return -1;
        }
    }
}
