package io.trafficmirror.core.capture;

import com.sun.management.ThreadMXBean;

import java.lang.management.ManagementFactory;

/** Bytes the current thread allocates, from HotSpot's per-thread counter. */
public final class Allocation
{
    private static final ThreadMXBean THREADS = (ThreadMXBean)ManagementFactory.getThreadMXBean();

    private Allocation()
    {
    }

    public static long allocatedByThisThread()
    {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
