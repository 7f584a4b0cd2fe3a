package io.trafficmirror.core.engine;

import org.jctools.queues.MpmcArrayQueue;
import org.jctools.queues.MpscArrayQueue;

import java.io.Closeable;
import java.net.InetSocketAddress;

/**
 * The live side of one target: its pre-allocated slots, the queues between producers and its sender, and the
 * way it sends.
 * <p>
 * Threading: any number of producer threads poll {@link #free} and offer {@link #work}; exactly one sender thread
 * polls {@link #work} and offers {@link #free}. Both queues hold every slot at once, so an offer to either never
 * fails; an empty free queue means the target is behind, and the producer drops the copy and counts it.
 */
abstract class TargetRuntime implements Closeable
{
    final String targetId;
    final int maxInnerLength;
    /** Block of this target's copy counters. */
    final int copyBlock;
    final MpmcArrayQueue<Slot> free;
    final MpscArrayQueue<Slot> work;
    final int slotCount;
    /** Set when a configuration update dropped this target; written by the updating thread. */
    volatile long retiredAtNanos;

    TargetRuntime(final String targetId, final int maxInnerLength, final int slotCount, final int copyBlock)
    {
        this.targetId = targetId;
        this.maxInnerLength = maxInnerLength;
        this.copyBlock = copyBlock;
        this.slotCount = slotCount;
        this.free = new MpmcArrayQueue<>(slotCount);
        this.work = new MpscArrayQueue<>(slotCount);
        for (int i = 0; i < slotCount; i++)
        {
            free.offer(new Slot(maxInnerLength));
        }
    }

    /**
     * Sender thread: sends one copy.
     *
     * @return true when it was handed to the network or consumer.
     */
    abstract boolean send(Slot slot);

    /**
     * @return true while this runtime can be kept for a new configuration with the same binding and MTU.
     */
    abstract boolean matches(TargetBinding binding, int mtu);

    /**
     * Any thread: marks a UDP endpoint down or up; other kinds ignore it.
     */
    void markEndpoint(final InetSocketAddress endpoint, final boolean up)
    {
    }

    @Override
    public abstract void close();
}
