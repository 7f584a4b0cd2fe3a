package io.trafficmirror.core.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fixed pool of {@link ProducerContext}s that producer threads share, so that what the engine keeps per
 * producer is bounded whatever the number of threads that ever offer (virtual threads included), and a metrics
 * snapshot sums a fixed number of counter arrays.
 * <p>
 * Design: the pool has a power-of-two size, four contexts per processor (at least 8). A thread starts at the
 * context its id hashes to and claims it with one CAS, probing on to the next when it is taken; it holds the
 * context for one offer only and releases it with a release store. A long-lived thread thus keeps landing on the
 * same context, whose lines stay in its core's cache, and a one-shot thread leaves nothing behind. Counters in a
 * claimed context have one writer, so the packet path adds with plain stores. There is no thread-local on the
 * packet path: a thread-local would keep one context per thread for as long as the thread lives, and the
 * registry would have to keep the counters of every thread that ever lived.
 * <p>
 * When every context is busy (more threads inside an offer at once than contexts, which takes producers preempted
 * in the middle of one), the producer neither waits nor loses counts: it gets a context made for that one offer,
 * whose counters are the one shared instance with atomic adds. That is the only case that allocates (the header
 * flyweight).
 * <p>
 * Quiescence: {@link #snapshot()}, taken right after a new engine state is published, records which contexts are
 * claimed at that moment; {@link Quiescence#reached()} is true once each of them has been released at least once
 * and no overflow offer that began before the snapshot is still running. From then on no producer can still
 * hold the previous state: a producer claims (a CAS, a full fence) before it reads the state (a volatile read),
 * and the snapshot reads each sequence (volatile) after writing the state (volatile), so in the single order of
 * these synchronization actions either the claim comes first and the snapshot sees it, or the claim comes after
 * the state's publication and the producer reads the new state. The overflow count works the same way: its
 * increment precedes the state read.
 */
final class ProducerContexts
{
    private final ProducerContext[] pool;
    private final int mask;
    private final ThreadCounters shared;
    private final AtomicInteger overflowInside = new AtomicInteger();

    ProducerContexts(final int processors, final CounterRegistry registry)
    {
        final int size = Integer.highestOneBit(Math.max(8, 4 * processors) - 1) << 1;
        this.pool = new ProducerContext[size];
        this.mask = size - 1;
        for (int i = 0; i < size; i++)
        {
            // Each context's flyweight and counter array are allocated between two contexts, so the claim words
            // of neighbours do not share a cache line.
            pool[i] = new ProducerContext(registry.register(new ThreadCounters(registry.size())), true);
        }
        this.shared = registry.register(new ThreadCounters(registry.size(), true));
    }

    /**
     * @return how many contexts the pool holds.
     */
    int size()
    {
        return pool.length;
    }

    /**
     * Producer: a context for one offer, to be passed to {@link #release} when it ends. Never waits.
     */
    ProducerContext claim()
    {
        final long id = Thread.currentThread().getId();
        final int start = (int)((id * 0x9E37_79B9_7F4A_7C15L) >>> 40);
        for (int i = 0; i <= mask; i++)
        {
            final ProducerContext context = pool[(start + i) & mask];
            if (context.tryClaim())
            {
                return context;
            }
        }
        overflowInside.incrementAndGet();
        return new ProducerContext(shared, false);
    }

    /**
     * Producer: ends the offer that claimed {@code context}.
     */
    void release(final ProducerContext context)
    {
        if (context.pooled)
        {
            context.release();
        }
        else
        {
            overflowInside.decrementAndGet();
        }
    }

    /**
     * Control thread, right after publishing a state: which producers may still hold an earlier one.
     */
    Quiescence snapshot()
    {
        final long[] sequences = new long[pool.length];
        for (int i = 0; i < sequences.length; i++)
        {
            sequences[i] = pool[i].sequence();
        }
        return new Quiescence(sequences, overflowInside.get() != 0);
    }

    /**
     * The producers that held a context when a state was published; checked later, off the packet path.
     */
    final class Quiescence
    {
        private final long[] sequences;
        /** Written by the one thread that checks; volatile because that thread may change (sender, then close). */
        private volatile boolean overflowBusy;

        private Quiescence(final long[] sequences, final boolean overflowBusy)
        {
            this.sequences = sequences;
            this.overflowBusy = overflowBusy;
        }

        /**
         * @return true once no producer can still hold the state that was current before the snapshot.
         */
        boolean reached()
        {
            if (overflowBusy)
            {
                if (overflowInside.get() != 0)
                {
                    return false;
                }
                // Seen at zero once: every overflow offer that began before the snapshot has ended.
                overflowBusy = false;
            }
            for (int i = 0; i < sequences.length; i++)
            {
                final long atSnapshot = sequences[i];
                if ((atSnapshot & 1) != 0 && pool[i].sequence() == atSnapshot)
                {
                    return false;
                }
            }
            return true;
        }
    }
}
