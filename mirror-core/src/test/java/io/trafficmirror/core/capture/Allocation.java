package io.trafficmirror.core.capture;

import java.lang.management.ManagementFactory;

/** Bytes the current thread allocates, from HotSpot's per-thread counter. */
public final class Allocation
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private Allocation()
    {
    }

    public static long allocatedByThisThread()
    {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
