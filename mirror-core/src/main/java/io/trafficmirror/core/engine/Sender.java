package io.trafficmirror.core.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A sender: an agent whose {@link #doWork()} drains its targets' queues in bounded batches, sends each copy,
 * counts the outcome and returns the slot, driven by its thread's {@link #run} loop and a
 * {@link BackoffIdleStrategy} when there is nothing to do.
 * <p>
 * Supervision: whatever a target's send throws ({@link Throwable}, so a consumer's {@code Error} too) is caught
 * around that one send: the copy is counted as dropped (failure), the throwable is counted in the target's
 * failures and handed to the {@link EngineErrorHandler}, and the loop goes on with the next copy, so one target's
 * failures never stop the others this sender serves. Anything else thrown inside a duty cycle is caught at the
 * loop boundary and reported the same way. A consumer that hangs holds its sender's thread; the engine gives each
 * consumer target a sender of its own (unless told otherwise), so it holds only its own target.
 * <p>
 * Retirement: a target an update dropped is closed by its sender once no producer can still reach it (its
 * {@link ProducerContexts.Quiescence} is reached) and its queue is empty; a sender that serves only that target
 * then ends.
 * <p>
 * Threading: one thread runs {@link #run}; the engine's control thread adds targets through the synchronized
 * {@link #add}, which replaces the volatile array the loop reads, and asks it to stop through volatile flags. The
 * engine's close may poll this sender's work queues too, to account for copies a stuck sender cannot send.
 */
final class Sender implements Runnable
{
    static final int BATCH = 64;
    /** How long a lightly loaded sender lets copies gather before draining again. */
    private static final long GATHER_NANOS = TimeUnit.MICROSECONDS.toNanos(5);

    private final CounterRegistry registry;
    private final EngineErrorHandler errorHandler;
    /** This sender's counters; only its thread writes them. */
    final ThreadCounters counters;
    /** True for a sender made for one consumer target: it ends when that target is retired. */
    final boolean dedicated;
    private volatile TargetRuntime[] targets = new TargetRuntime[0];
    /** Set by close: finish what is queued, then stop. */
    private volatile boolean draining;
    /** Set when close runs out of time: stop now. */
    private volatile boolean aborted;
    /** The thread running this sender; set once by the engine before it starts. */
    Thread thread;

    Sender(final CounterRegistry registry, final EngineErrorHandler errorHandler, final boolean dedicated)
    {
        this.registry = registry;
        this.errorHandler = errorHandler;
        this.dedicated = dedicated;
        this.counters = registry.register(new ThreadCounters(registry.size()));
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
        final BackoffIdleStrategy idle = new BackoffIdleStrategy();
        while (!aborted)
        {
            int work;
            try
            {
                work = doWork();
            }
            catch (final Throwable failure)
            {
                report(null, failure);
                work = 0;
            }
            if (work > 0)
            {
                idle.idle(work);
                if (work < BATCH)
                {
                    // The queues ran dry before a batch filled: producers are slower than this thread. Let copies
                    // gather for a few microseconds, so that producer and sender do not trade cache lines for
                    // every single copy.
                    gather();
                }
                continue;
            }
            final TargetRuntime[] current = targets;
            if ((draining && allEmpty(current)) || (dedicated && current.length == 0))
            {
                return;
            }
            idle.idle(0);
        }
    }

    /**
     * One duty cycle: a batch from each target, then growth and retirement.
     *
     * @return copies handled.
     */
    int doWork()
    {
        counters.ensureCapacity(registry.size());
        int work = 0;
        for (final TargetRuntime target : targets)
        {
            work += drain(target);
            grow(target);
            if (target.retirement != null)
            {
                closeIfQuiescent(target);
            }
        }
        return work;
    }

    private int drain(final TargetRuntime target)
    {
        int sent = 0;
        for (; sent < BATCH && !aborted; sent++)
        {
            final Slot slot = target.work.poll();
            if (slot == null)
            {
                break;
            }
            final int sessionBlock = slot.sessionCopyBlock;
            final int sourceBlock = slot.sourceCopyBlock;
            count(sessionBlock, sourceBlock, target.copyBlock, Counter.COPY_DEQUEUED_PACKETS, 1);
            try
            {
                if (target.send(slot))
                {
                    count(sessionBlock, sourceBlock, target.copyBlock, Counter.COPY_MIRRORED_BYTES, slot.innerLength);
                    count(sessionBlock, sourceBlock, target.copyBlock, Counter.COPY_MIRRORED_PACKETS, 1);
                }
                else
                {
                    count(sessionBlock, sourceBlock, target.copyBlock, Counter.COPY_SKIPPED_BYTES, slot.innerLength);
                    count(sessionBlock, sourceBlock, target.copyBlock, Counter.COPY_DROPPED_SEND_ERROR, 1);
                }
            }
            catch (final Throwable failure)
            {
                // A consumer's failure, not ours: count the copy as not delivered, report, and keep going.
                count(sessionBlock, sourceBlock, target.copyBlock, Counter.COPY_FAILURES, 1);
                count(sessionBlock, sourceBlock, target.copyBlock, Counter.COPY_SKIPPED_BYTES, slot.innerLength);
                count(sessionBlock, sourceBlock, target.copyBlock, Counter.COPY_DROPPED_FAILURE, 1);
                report(target.targetId, failure);
            }
            target.free.offer(slot);
        }
        return sent;
    }

    private void count(final int sessionBlock, final int sourceBlock, final int targetBlock, final int counter,
        final long delta)
    {
        counters.add(sessionBlock + counter, delta);
        counters.add(sourceBlock + counter, delta);
        counters.add(targetBlock + counter, delta);
    }

    private void grow(final TargetRuntime target)
    {
        try
        {
            target.growIfBusy();
        }
        catch (final Throwable failure)
        {
            // Out of direct memory: the target keeps the slots it has.
            target.stopGrowing();
            counters.add(target.copyBlock + Counter.COPY_FAILURES, 1);
            report(target.targetId, failure);
        }
    }

    private void closeIfQuiescent(final TargetRuntime target)
    {
        // Quiescence first: once no producer can reach the target, nothing more can be queued, so an empty queue
        // then stays empty.
        target.retirementChecks++;
        if (target.retirement.reached() && target.work.isEmpty())
        {
            remove(target);
            close(target, counters, errorHandler);
        }
    }

    /**
     * Closes a target once, counting and reporting what its close throws.
     */
    static void close(final TargetRuntime target, final ThreadCounters counters, final EngineErrorHandler handler)
    {
        try
        {
            target.closeOnce();
        }
        catch (final Throwable failure)
        {
            counters.add(target.copyBlock + Counter.COPY_FAILURES, 1);
            report(handler, target.targetId, failure);
        }
    }

    private void report(final String targetId, final Throwable failure)
    {
        report(errorHandler, targetId, failure);
    }

    private static void report(final EngineErrorHandler handler, final String targetId, final Throwable failure)
    {
        try
        {
            handler.onError(targetId, failure);
        }
        catch (final Throwable ignored)
        {
            // The handler's own failure has nowhere better to go.
        }
    }

    private static boolean allEmpty(final TargetRuntime[] targets)
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
}
