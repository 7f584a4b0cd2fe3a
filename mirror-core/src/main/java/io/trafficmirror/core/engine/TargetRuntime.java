package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorTarget;
import org.jctools.queues.MpmcArrayQueue;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live side of one target: its slots, the queues between producers and its senders, and the way it sends.
 * <p>
 * Lanes: a target's work is split into one or more lanes, each a queue drained by one sender thread. A copy goes
 * to the lane its flow port picks ({@link #lane(int)}), so a flow's copies stay in order on one thread and, for a
 * UDP target, on one socket; more lanes let more sender threads share a busy target. Targets that must write from
 * one thread (a pcap file, a consumer) have one lane.
 * <p>
 * Threading: any number of producer threads poll {@link #free} and offer to a lane; each lane's sender thread polls
 * it and offers {@link #free}, and so does the engine's close, which takes over the copies of a sender that is
 * stuck in a consumer (the queues are multi-consumer for that). Every queue has room for every slot, so an offer
 * never fails; an empty free queue means the target is behind (or has not yet grown), and the producer drops the
 * copy and counts it.
 * <p>
 * Memory follows use: a target starts with {@link #INITIAL_SLOTS} slots; its sender doubles them, up to the
 * slot count, whenever more than half are in use, and a producer that finds none free while fewer than the slot
 * count exist makes one itself ({@link #newSlot}), so a burst that outruns the sender is taken as it was when every
 * slot was made up front. Slots are never freed while the target lives: at most {@link #slotCount} are ever made,
 * so producers allocate only while a target warms up, never in steady state. Each slot holds {@link #slotLength}
 * bytes after its headroom, the most the target's sessions can send: the smaller of the MTU less the outer headers
 * and the largest packet length of those sessions.
 */
abstract class TargetRuntime implements Closeable
{
    /** Slots a target starts with. */
    static final int INITIAL_SLOTS = 16;

    /** {@link #send} handed the copy to the network or the consumer. */
    static final int SENT = 0;
    /** {@link #send} could not send the copy; it is counted as a send error. */
    static final int FAILED = 1;
    /**
     * {@link #send} queued the copy for a batch: the transport owns the slot until it reports the outcome to the
     * sender ({@link Sender#completed}), at the latest when the batch is flushed.
     */
    static final int IN_FLIGHT = 2;

    final String targetId;
    /** Inner bytes a slot holds. */
    final int slotLength;
    /** Block of this target's copy counters. */
    final int copyBlock;
    final MpmcArrayQueue<Slot> free;
    /** The work queues, one per lane. */
    final MpmcArrayQueue<Slot>[] lanes;
    /** The most slots this target may have. */
    final int slotCount;
    /** Slots made (or being made) so far; any thread adds to it by CAS, never beyond {@link #slotCount}. */
    private final AtomicInteger allocated = new AtomicInteger();
    /** Set when making slots failed (out of direct memory): the target keeps those it has. */
    private volatile boolean growthStopped;
    /** Set (once) when a configuration update dropped this target; written by the control thread. */
    volatile ProducerContexts.Quiescence retirement;
    /** Set by whoever closed this runtime. */
    volatile boolean closed;
    /** How often the sender has asked whether this retired runtime can be closed; written by the sender only. */
    volatile long retirementChecks;

    TargetRuntime(final String targetId, final int slotLength, final int slotCount, final int copyBlock)
    {
        this(targetId, slotLength, slotCount, copyBlock, 1);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    TargetRuntime(final String targetId, final int slotLength, final int slotCount, final int copyBlock, final int lanes)
    {
        this.targetId = targetId;
        this.slotLength = slotLength;
        this.copyBlock = copyBlock;
        this.slotCount = slotCount;
        this.free = new MpmcArrayQueue<>(Math.max(2, slotCount));
        this.lanes = new MpmcArrayQueue[lanes];
        for (int i = 0; i < lanes; i++)
        {
            this.lanes[i] = new MpmcArrayQueue<>(Math.max(2, slotCount));
        }
        final int initial = reserve(INITIAL_SLOTS);
        for (final Slot slot : chunk(initial))
        {
            free.offer(slot);
        }
    }

    /**
     * Producer: the work queue of the lane a copy with this flow port goes to.
     *
     * @param flowPort the copy's flow-hash port, never negative.
     */
    final MpmcArrayQueue<Slot> lane(final int flowPort)
    {
        final MpmcArrayQueue<Slot>[] lanes = this.lanes;
        return lanes.length == 1 ? lanes[0] : lanes[flowPort % lanes.length];
    }

    /**
     * @return true when no lane holds a copy.
     */
    final boolean workEmpty()
    {
        for (final MpmcArrayQueue<Slot> lane : lanes)
        {
            if (!lane.isEmpty())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The most inner bytes any copy for this target can hold, as the slots are sized.
     */
    static int slotLength(final int mtuLimit, final int largestPacketLength)
    {
        return Math.min(mtuLimit, largestPacketLength);
    }

    /**
     * Sender thread, off the packet path: doubles the slots when more than half are in use.
     *
     * @return true when it made slots.
     */
    boolean growIfBusy()
    {
        final int made = allocated.get();
        if (growthStopped || made >= slotCount || free.size() >= made / 2)
        {
            return false;
        }
        final int slots = reserve(made);
        final Slot[] grown;
        try
        {
            grown = chunk(slots);
        }
        catch (final OutOfMemoryError ex)
        {
            allocated.addAndGet(-slots);
            throw ex;
        }
        for (final Slot slot : grown)
        {
            free.offer(slot);
        }
        return slots > 0;
    }

    /**
     * Producer, when the free queue is empty: a new slot while fewer than the slot count exist, else null (the
     * target is behind, and the copy is dropped as queue full). Allocates: at most {@link #slotCount} times in the
     * target's life. Never throws: when direct memory is exhausted the target stops growing and keeps its slots.
     */
    Slot newSlot()
    {
        if (growthStopped || reserve(1) == 0)
        {
            return null;
        }
        try
        {
            return new Slot(ByteBuffer.allocateDirect(Slot.HEADROOM + slotLength));
        }
        catch (final OutOfMemoryError ex)
        {
            allocated.decrementAndGet();
            growthStopped = true;
            return null;
        }
    }

    /**
     * Sender thread: keeps the slots made so far.
     */
    void stopGrowing()
    {
        growthStopped = true;
    }

    /**
     * @return slots made so far.
     */
    int allocatedSlots()
    {
        return allocated.get();
    }

    /** Claims room for up to {@code wanted} more slots. */
    private int reserve(final int wanted)
    {
        while (true)
        {
            final int made = allocated.get();
            final int slots = Math.min(wanted, slotCount - made);
            if (slots <= 0)
            {
                return 0;
            }
            if (allocated.compareAndSet(made, made + slots))
            {
                return slots;
            }
        }
    }

    private Slot[] chunk(final int slots)
    {
        // One direct buffer for a growth step, cut into slots: fewer allocations and cleaners than one per slot.
        final Slot[] made = new Slot[slots];
        if (slots > 0)
        {
            final int stride = Slot.HEADROOM + slotLength;
            final ByteBuffer chunk = ByteBuffer.allocateDirect(slots * stride);
            for (int i = 0; i < slots; i++)
            {
                made[i] = new Slot(chunk.slice(i * stride, stride));
            }
        }
        return made;
    }

    /**
     * Sender thread: sends one copy, or queues it for the batch {@link #flush} sends.
     *
     * @param slot   the copy.
     * @param sender the sender whose thread calls, told of the outcome of a copy left {@link #IN_FLIGHT}.
     * @return {@link #SENT}, {@link #FAILED} or {@link #IN_FLIGHT}.
     */
    abstract int send(Slot slot, Sender sender);

    /**
     * Sender thread, after a batch: sends what {@link #send} queued on this sender's lane. Transports that send at
     * once do nothing.
     *
     * @param lane the lane the batch came from.
     */
    void flush(final int lane)
    {
    }

    /**
     * @return true while this runtime can be kept for a new configuration with the same binding, MTU and slot
     *         length.
     */
    abstract boolean matches(TargetBinding binding, int mtu);

    /**
     * @param target the target's new definition, with the same id.
     * @return true while what this runtime writes does not depend on what changed (its type, its resource).
     */
    boolean matches(final MirrorTarget target)
    {
        return true;
    }

    /**
     * @return true when a consumer (application code, which may hang) does the sending.
     */
    boolean runsApplicationCode()
    {
        return false;
    }

    /**
     * Any thread: marks a UDP endpoint down or up; other kinds ignore it.
     */
    void markEndpoint(final InetSocketAddress endpoint, final boolean up)
    {
    }

    /**
     * Closes this runtime unless it was already closed: the sender that retires it and the engine's close may both
     * try.
     */
    final synchronized void closeOnce()
    {
        if (!closed)
        {
            closed = true;
            close();
        }
    }

    @Override
    public abstract void close();
}
