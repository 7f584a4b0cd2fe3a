package io.trafficmirror.core.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One thread's counters: a flat array that only its owning thread writes, so an increment is a plain add
 * with no atomic instruction, and a reader in another thread sums every thread's array.
 * <p>
 * Memory ordering: the owner writes each element with {@code setOpaque}, readers use {@code getOpaque}, so a
 * reader never sees a torn or out-of-thin-air value and eventually sees every write. Exact totals are read
 * after the writers have stopped (for instance after {@code Thread.join()} or {@link MirrorEngine#close}),
 * which orders every write before the read. The array is swapped for a larger copy when the engine registers
 * more counters; only the owner swaps it, through the volatile {@link #values} field.
 */
final class ThreadCounters
{
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Written only by the owner thread; volatile so readers see the newest array. */
    private volatile long[] values;

    ThreadCounters(final int size)
    {
        values = new long[size];
    }

    /**
     * Owner only: makes room for {@code size} counters. Allocates only when the engine has registered new
     * counters since the last call, that is after a configuration update, never in steady state.
     */
    void ensureCapacity(final int size)
    {
        final long[] current = values;
        if (current.length < size)
        {
            values = Arrays.copyOf(current, Math.max(size, current.length * 2));
        }
    }

    /**
     * Owner only: the current array, for a run of {@link #add(long[], int, long)} calls without re-reading the
     * volatile field each time. Valid until the owner's next {@link #ensureCapacity}.
     */
    long[] array()
    {
        return values;
    }

    /**
     * Owner only: adds to a counter.
     */
    void add(final int index, final long delta)
    {
        add(values, index, delta);
    }

    /**
     * Owner only: adds to a counter of an array obtained from {@link #array()}.
     */
    static void add(final long[] counters, final int index, final long delta)
    {
        LONGS.setOpaque(counters, index, (long)LONGS.getOpaque(counters, index) + delta);
    }

    /**
     * Any thread: reads a counter.
     */
    long get(final int index)
    {
        final long[] current = values;
        return index < current.length ? (long)LONGS.getOpaque(current, index) : 0;
    }
}
