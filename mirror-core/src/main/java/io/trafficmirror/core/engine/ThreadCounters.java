package io.trafficmirror.core.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A flat array of counters with one writer at a time, so an increment is a plain add with no atomic instruction,
 * and readers in other threads sum every array. Owners are a {@link ProducerContext} (whichever producer has
 * claimed it), a sender thread, or the engine's control lock. The one shared instance, for producers that found
 * every context busy, is {@code shared}: its adds are atomic.
 * <p>
 * Memory ordering: a writer stores each element with {@code setRelease}, readers load with {@code getAcquire}.
 * A counter's writes therefore carry everything its writer did before: a reader that sees a copy counted as
 * mirrored, then reads the count of copies dequeued and accepted, sees that copy in those too, so the queued and
 * in-flight counts derived from them are never negative. Ownership passes between producers through the
 * context's claim (a CAS, acquire) and release (a release store), which order one owner's writes before the
 * next's. The array is replaced by a larger copy when the engine registers more counters; only the owner
 * replaces it, with a release store that readers load with acquire.
 */
final class ThreadCounters
{
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle VALUES;

    static
    {
        try
        {
            VALUES = MethodHandles.lookup().findVarHandle(ThreadCounters.class, "values", long[].class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final boolean shared;
    /** Read plainly by the owner, with acquire by readers; replaced by the owner with a release store. */
    private long[] values;
    /** The shared instance's earlier arrays, which late adds may still reach; empty for the others. */
    private volatile long[][] older = new long[0][];

    ThreadCounters(final int size)
    {
        this(size, false);
    }

    ThreadCounters(final int size, final boolean shared)
    {
        this.shared = shared;
        this.values = new long[Math.max(64, size)];
    }

    /**
     * Owner only: makes room for {@code size} counters. Allocates only when the engine has registered new
     * counters since the last call, that is after a configuration update, never in steady state. The shared
     * instance is grown under its own lock, and its adds then see the new array through the lock or a later CAS.
     */
    void ensureCapacity(final int size)
    {
        if (values.length < size)
        {
            if (shared)
            {
                growShared(size);
            }
            else
            {
                VALUES.setRelease(this, Arrays.copyOf(values, Math.max(size, values.length * 2)));
            }
        }
    }

    private synchronized void growShared(final int size)
    {
        final long[] current = (long[])VALUES.getVolatile(this);
        if (current.length < size)
        {
            // Adds that read the old array before this may still land in it: keep it, and readers sum it too.
            final long[][] retired = Arrays.copyOf(older, older.length + 1);
            retired[older.length] = current;
            older = retired;
            VALUES.setVolatile(this, new long[Math.max(size, current.length * 2)]);
        }
    }

    /**
     * Owner only (any thread for the shared instance): adds to a counter.
     */
    void add(final int index, final long delta)
    {
        final long[] counters = values;
        if (shared)
        {
            LONGS.getAndAdd(counters, index, delta);
        }
        else
        {
            LONGS.setRelease(counters, index, (long)LONGS.get(counters, index) + delta);
        }
    }

    /**
     * Any thread: reads a counter.
     */
    long get(final int index)
    {
        // The current array first, then the earlier ones: a growth in between lists the array read as current
        // among the earlier ones too, and it is skipped there.
        final long[] current = (long[])VALUES.getAcquire(this);
        long total = index < current.length ? (long)LONGS.getAcquire(current, index) : 0;
        for (final long[] array : older)
        {
            if (array != current && index < array.length)
            {
                total += (long)LONGS.getAcquire(array, index);
            }
        }
        return total;
    }

    /**
     * Owner only: adds every counter of another instance whose writer has stopped (a finished sender thread).
     */
    void addAll(final ThreadCounters other)
    {
        final int length = ((long[])VALUES.getAcquire(other)).length;
        ensureCapacity(length);
        for (int i = 0; i < length; i++)
        {
            final long value = other.get(i);
            if (value != 0)
            {
                add(i, value);
            }
        }
    }
}
