package io.trafficmirror.core.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Hands out counter indices and finds every writer's counters.
 * <p>
 * Each metered object (a source, session, target or rule) gets a block of {@code width} consecutive counters the
 * first time it is seen; the block stays its own for the engine's life, so counts survive configuration updates
 * and a snapshot can still report an object that an update removed. The counter arrays summed are a fixed set:
 * one per pooled producer context, the shared overflow array, one per sender and one for the control thread; a
 * finished sender's counts are folded into the control thread's array and its own is dropped, so the set never
 * grows with the number of threads that ever offered or sent.
 */
final class CounterRegistry
{
    private final Map<String, Integer> blocks = new HashMap<>();
    private final List<ThreadCounters> writers = new CopyOnWriteArrayList<>();
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
     * @return how many counters exist; a writer's array must hold this many.
     */
    int size()
    {
        return size;
    }

    /**
     * Off the packet path: adds a writer's counters to the sums.
     *
     * @return {@code counters}.
     */
    ThreadCounters register(final ThreadCounters counters)
    {
        writers.add(counters);
        return counters;
    }

    /**
     * Control thread, under the engine's lock: moves the counts of a writer that has stopped into {@code into}
     * and drops it from the sums, in one step as far as {@link #sum} under the same lock can tell.
     */
    void fold(final ThreadCounters stopped, final ThreadCounters into)
    {
        into.addAll(stopped);
        writers.remove(stopped);
    }

    /**
     * @return the total of a counter over all writers.
     */
    long sum(final int index)
    {
        long total = 0;
        for (final ThreadCounters counters : writers)
        {
            total += counters.get(index);
        }
        return total;
    }
}
