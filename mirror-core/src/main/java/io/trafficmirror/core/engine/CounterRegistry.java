package io.trafficmirror.core.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Hands out counter indices and finds every thread's counters.
 * <p>
 * Each metered object (a source, session, target or rule) gets a block of {@code width} consecutive counters the
 * first time it is seen; the block stays its own for the engine's life, so counts survive configuration updates
 * and a snapshot can still report an object that an update removed. Each thread that touches counters gets a
 * {@link ThreadCounters} through a thread-local, registered here so snapshots can sum it; the registrations of
 * threads that have died are kept, so their counts are never lost.
 */
final class CounterRegistry
{
    private final Map<String, Integer> blocks = new HashMap<>();
    private final List<ThreadCounters> threads = new CopyOnWriteArrayList<>();
    private final ThreadLocal<ThreadCounters> local = ThreadLocal.withInitial(this::register);
    private volatile int size;

    /**
     * The block of an object; allocated on first use. Called off the packet path, when a state is compiled.
     */
    synchronized int block(final String key, final int width)
    {
        final Integer existing = blocks.get(key);
        if (existing != null)
        {
            return existing;
        }
        final int base = size;
        blocks.put(key, base);
        size = base + width;
        return base;
    }

    /**
     * @return the index of an object's block, or -1 if it never had one.
     */
    synchronized int existingBlock(final String key)
    {
        return blocks.getOrDefault(key, -1);
    }

    /**
     * @return how many counters exist; a thread's array must hold this many.
     */
    int size()
    {
        return size;
    }

    /**
     * @return the calling thread's counters, sized for every counter registered so far.
     */
    ThreadCounters forThisThread(final int requiredSize)
    {
        final ThreadCounters counters = local.get();
        counters.ensureCapacity(requiredSize);
        return counters;
    }

    /**
     * @return the total of a counter over all threads.
     */
    long sum(final int index)
    {
        long total = 0;
        for (final ThreadCounters counters : threads)
        {
            total += counters.get(index);
        }
        return total;
    }

    private ThreadCounters register()
    {
        final ThreadCounters counters = new ThreadCounters(Math.max(64, size));
        threads.add(counters);
        return counters;
    }
}
