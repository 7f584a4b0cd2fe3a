package io.trafficmirror.core.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A sender thread's work loop: drains its targets' queues in bounded batches, sends each copy, counts the outcome
 * and returns the slot. When there is nothing to do it backs off from spinning to yielding to parking, so an idle
 * engine costs almost no CPU.
 * <p>
 * Threading: one thread runs {@link #run}; the engine's control thread adds and retires targets through the
 * synchronized methods, which replace the volatile array the loop reads.
 */
final class Sender implements Runnable
{
    private static final int BATCH = 64;
    /** How long a lightly loaded sender lets copies gather before draining again. */
    private static final long GATHER_NANOS = TimeUnit.MICROSECONDS.toNanos(5);
    private static final int SPINS = 100;
    private static final int YIELDS = 100;
    private static final long MAX_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
    private static final long RETIRED_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final CounterRegistry registry;
    private final RateLimitedLog log;
    private volatile TargetRuntime[] targets = new TargetRuntime[0];
    /** Set by close: finish what is queued, then stop. */
    private volatile boolean draining;
    /** Set when close runs out of time: stop now. */
    private volatile boolean aborted;

    Sender(final CounterRegistry registry, final RateLimitedLog log)
    {
        this.registry = registry;
        this.log = log;
    }

    synchronized void add(final TargetRuntime target)
    {
        final TargetRuntime[] current = targets;
        final TargetRuntime[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = target;
        targets = next;
    }

    private synchronized void remove(final TargetRuntime target)
    {
        final List<TargetRuntime> next = new ArrayList<>(List.of(targets));
        next.remove(target);
        targets = next.toArray(new TargetRuntime[0]);
    }

    TargetRuntime[] targets()
    {
        return targets;
    }

    void drainAndStop()
    {
        draining = true;
    }

    void abort()
    {
        aborted = true;
    }

    @Override
    public void run()
    {
        int idle = 0;
        while (!aborted)
        {
            int work = 0;
            for (final TargetRuntime target : targets)
            {
                work += drain(target);
            }
            if (work > 0)
            {
                idle = 0;
                if (work < BATCH)
                {
                    // The queues ran dry before a batch filled: producers are slower than this thread. Let copies
                    // gather for a few microseconds, so that producer and sender do not trade cache lines for
                    // every single copy.
                    gather();
                }
                continue;
            }
            if (draining && allEmpty())
            {
                return;
            }
            idle = backOff(idle);
        }
    }

    private int drain(final TargetRuntime target)
    {
        final ThreadCounters counters = registry.forThisThread(registry.size());
        int sent = 0;
        for (; sent < BATCH && !aborted; sent++)
        {
            final Slot slot = target.work.poll();
            if (slot == null)
            {
                if (sent == 0)
                {
                    closeIfRetired(target);
                }
                break;
            }
            boolean ok;
            try
            {
                ok = target.send(slot);
            }
            catch (final RuntimeException ex)
            {
                // A consumer's failure, not ours: count the copy as not delivered and keep going.
                ok = false;
                if (log.allow(target.targetId))
                {
                    log.warn(target.targetId, target.targetId + ": consumer failed: " + ex);
                }
            }
            if (ok)
            {
                count(counters, slot.sessionCopyBlock, target.copyBlock, Counter.COPY_MIRRORED_PACKETS, 1);
                count(counters, slot.sessionCopyBlock, target.copyBlock, Counter.COPY_MIRRORED_BYTES, slot.innerLength);
            }
            else
            {
                count(counters, slot.sessionCopyBlock, target.copyBlock, Counter.COPY_DROPPED_SEND_ERROR, 1);
            }
            target.free.offer(slot);
        }
        return sent;
    }

    private static void count(
        final ThreadCounters counters, final int sessionBlock, final int targetBlock, final int counter, final long delta)
    {
        counters.add(sessionBlock + counter, delta);
        counters.add(targetBlock + counter, delta);
    }

    private void closeIfRetired(final TargetRuntime target)
    {
        final long retiredAt = target.retiredAtNanos;
        if (retiredAt != 0 && System.nanoTime() - retiredAt > RETIRED_GRACE_NANOS && target.work.isEmpty())
        {
            // Producers read a state for nanoseconds; a second after retirement none can still offer here.
            remove(target);
            target.close();
        }
    }

    private boolean allEmpty()
    {
        for (final TargetRuntime target : targets)
        {
            if (!target.work.isEmpty())
            {
                return false;
            }
        }
        return true;
    }

    private static void gather()
    {
        final long until = System.nanoTime() + GATHER_NANOS;
        while (System.nanoTime() < until)
        {
            Thread.onSpinWait();
        }
    }

    private static int backOff(final int idle)
    {
        if (idle < SPINS)
        {
            Thread.onSpinWait();
        }
        else if (idle < SPINS + YIELDS)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, 1000L << Math.min(idle - SPINS - YIELDS, 9)));
        }
        return idle + 1;
    }
}
