package io.trafficmirror.core.engine;

import org.jctools.queues.MpmcArrayQueue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A sender: an agent whose {@link #doWork()} drains its lanes' queues (a lane of a target each) in bounded batches,
 * sends each copy, flushes the batch, counts the outcome and returns the slot, driven by its thread's {@link #run}
 * loop and a {@link BackoffIdleStrategy} when there is nothing to do.
 * <p>
 * Batched transports: a target may leave a copy {@link TargetRuntime#IN_FLIGHT} and send the batch at
 * {@link TargetRuntime#flush}; it then reports each outcome through {@link #completed}, on this thread. Such a sender
 * has a {@link SenderLoop}, which it runs between duty cycles when copies are in flight or tasks may be waiting, and
 * in which it waits instead of parking.
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
    /** The I/O loop of a sender whose targets use Netty's sockets, else null. */
    final SenderLoop loop;
    private volatile Lane[] lanes = new Lane[0];
    /** Copies a batched transport holds whose outcome has not been reported; this thread only. */
    private int inFlight;
    private int cycles;
    private final BackoffIdleStrategy idle;
    /** Set by close: finish what is queued, then stop. */
    private volatile boolean draining;
    /** Set when close runs out of time: stop now. */
    private volatile boolean aborted;
    /** The thread running this sender; set once by the engine before it starts. */
    Thread thread;

    Sender(final CounterRegistry registry, final EngineErrorHandler errorHandler, final boolean dedicated,
        final SenderLoop loop)
    {
        this.registry = registry;
        this.errorHandler = errorHandler;
        this.dedicated = dedicated;
        this.loop = loop;
        this.idle = new BackoffIdleStrategy(loop);
        this.counters = registry.register(new ThreadCounters(registry.size()));
    }

    /**
     * Serves a target's only lane.
     */
    void add(final TargetRuntime target)
    {
        add(target, 0);
    }

    /**
     * Serves one lane of a target.
     */
    synchronized void add(final TargetRuntime target, final int lane)
    {
        final Lane[] current = lanes;
        final Lane[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = new Lane(target, lane);
        lanes = next;
    }

    private synchronized void remove(final Lane lane)
    {
        final List<Lane> next = new ArrayList<>(List.of(lanes));
        next.remove(lane);
        lanes = next.toArray(new Lane[0]);
    }

    /**
     * @return the targets this sender serves a lane of.
     */
    TargetRuntime[] targets()
    {
        final Lane[] current = lanes;
        final TargetRuntime[] targets = new TargetRuntime[current.length];
        for (int i = 0; i < current.length; i++)
        {
            targets[i] = current[i].target;
        }
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
        if (loop != null)
        {
            loop.adopt();
        }
        try
        {
            runDutyCycles();
        }
        finally
        {
            if (loop != null)
            {
                closeLoop();
            }
        }
    }

    private void runDutyCycles()
    {
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
            final Lane[] current = lanes;
            if ((draining && allEmpty(current) && inFlight == 0) || (dedicated && current.length == 0))
            {
                return;
            }
            idle.idle(0);
        }
    }

    /**
     * At the end of this thread: closes the loop's sockets, whose unsent copies are reported (and counted) as failed.
     */
    private void closeLoop()
    {
        try
        {
            loop.close();
        }
        catch (final Throwable failure)
        {
            report(null, failure);
        }
    }

    /**
     * One duty cycle: the loop's ready I/O when it has any, a batch from each lane, then growth and retirement.
     *
     * @return copies handled.
     */
    int doWork()
    {
        counters.ensureCapacity(registry.size());
        if (loop != null && (inFlight > 0 || (++cycles & 63) == 0))
        {
            // Copies a full socket kept are written when the loop sees it writable; registrations and closes from
            // other threads wait in its task queue.
            loop.runNow();
        }
        int work = 0;
        for (final Lane lane : lanes)
        {
            final TargetRuntime target = lane.target;
            work += drain(lane);
            grow(target);
            if (target.retirement != null)
            {
                closeIfQuiescent(lane);
            }
        }
        return work;
    }

    private int drain(final Lane lane)
    {
        final TargetRuntime target = lane.target;
        final MpmcArrayQueue<Slot> queue = lane.queue;
        int sent = 0;
        for (; sent < BATCH && !aborted; sent++)
        {
            final Slot slot = queue.poll();
            if (slot == null)
            {
                break;
            }
            final int sessionBlock = slot.sessionCopyBlock;
            final int sourceBlock = slot.sourceCopyBlock;
            count(sessionBlock, sourceBlock, target.copyBlock, Counter.COPY_DEQUEUED_PACKETS, 1);
            try
            {
                final int outcome = target.send(slot, this);
                if (outcome == TargetRuntime.IN_FLIGHT)
                {
                    inFlight++;
                    continue;
                }
                countOutcome(target, slot, outcome == TargetRuntime.SENT);
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
        if (sent > 0)
        {
            try
            {
                target.flush(lane.index);
            }
            catch (final Throwable failure)
            {
                counters.add(target.copyBlock + Counter.COPY_FAILURES, 1);
                report(target.targetId, failure);
            }
        }
        return sent;
    }

    /**
     * This thread, from a batched transport: the outcome of a copy {@link TargetRuntime#send} left in flight. Counts
     * it and frees its slot.
     */
    void completed(final TargetRuntime target, final Slot slot, final boolean sent)
    {
        inFlight--;
        countOutcome(target, slot, sent);
        target.free.offer(slot);
    }

    /**
     * This thread, from a UDP transport: a report its socket gave of an earlier copy that did not arrive (an ICMP
     * port unreachable), counted against the endpoint, apart from any copy's outcome.
     *
     * @param counter the endpoint's counter, {@link Counter#ENDPOINT_UNREACHABLE} in its block.
     */
    void countEndpointReport(final int counter)
    {
        counters.add(counter, 1);
    }

    private void countOutcome(final TargetRuntime target, final Slot slot, final boolean sent)
    {
        final int sessionBlock = slot.sessionCopyBlock;
        final int sourceBlock = slot.sourceCopyBlock;
        if (sent)
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

    private void closeIfQuiescent(final Lane lane)
    {
        // Quiescence first: once no producer can reach the target, nothing more can be queued, so empty queues
        // then stay empty. Each lane's sender leaves the target; the first to find every lane empty closes it.
        final TargetRuntime target = lane.target;
        target.retirementChecks++;
        if (target.retirement.reached() && lane.queue.isEmpty() && inFlight == 0)
        {
            remove(lane);
            if (target.workEmpty())
            {
                close(target, counters, errorHandler);
            }
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

    private static boolean allEmpty(final Lane[] lanes)
    {
        for (final Lane lane : lanes)
        {
            if (!lane.queue.isEmpty())
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

    /**
     * One lane of a target that this sender drains.
     */
    private static final class Lane
    {
        final TargetRuntime target;
        final int index;
        final MpmcArrayQueue<Slot> queue;

        Lane(final TargetRuntime target, final int index)
        {
            this.target = target;
            this.index = index;
            this.queue = target.lanes[index];
        }
    }
}
