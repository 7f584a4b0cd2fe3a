package io.trafficmirror.core.engine;

import io.trafficmirror.filter.TrafficDirection;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Where an application hands one source interface's packets to the engine. Cheap to keep and safe to share:
 * any number of threads may call it at once. Every call returns with an {@link OfferResult}: it never throws for a
 * bad packet (it counts it) and allocates nothing in steady state.
 * <p>
 * Two kinds, chosen when the handle is opened:
 * <ul>
 * <li>Live ({@link MirrorEngine#source(String)}), for traffic that will not wait: every call returns at once, and
 * a copy whose target has no free slot is dropped and counted as queue full
 * ({@link OfferResult#DROPPED_QUEUE_FULL}).</li>
 * <li>Lossless ({@link MirrorEngine#losslessSource(String, Duration)}), for input that can wait, such as a capture
 * file read as fast as it can be: a copy whose target has no free slot waits for one (spinning briefly, then
 * yielding, then parking), so a producer that outruns its sender is slowed down to the sender's pace instead of
 * losing copies. The wait is bounded and every copy is counted: it ends with the copy queued, or dropped as queue
 * full once {@link #maxWait()} has passed (a sender stuck in a consumer that hangs) or when the calling thread is
 * interrupted (its interrupt status is kept), or dropped at shutdown ({@link OfferResult#DROPPED_SHUTDOWN}) when
 * the engine closes or an update retires the target. While it waits, the copy counts as queued and the call holds
 * one of the engine's producer contexts, so an update's retirement of the old targets and {@link MirrorEngine#close}
 * wait for it to end; producers beyond the pool's size still proceed, each with a context made for its call.</li>
 * </ul>
 * <p>
 * Frames are Ethernet frames (with any VLAN tags), from the buffer's position to its limit or in the given range;
 * the buffer's position, limit and contents are not changed, and the frame may be reused as soon as the call
 * returns: the bytes to mirror are copied.
 */
public final class SourceHandle
{
    private final MirrorEngine engine;
    private final String networkInterfaceId;
    private final int index;
    /** 0 for a live handle; else how long a copy may wait for a free slot. */
    private final long maxWaitNanos;

    SourceHandle(final MirrorEngine engine, final String networkInterfaceId, final int index, final long maxWaitNanos)
    {
        this.engine = engine;
        this.networkInterfaceId = networkInterfaceId;
        this.index = index;
        this.maxWaitNanos = maxWaitNanos;
    }

    /**
     * @return the source interface's id.
     */
    public String networkInterfaceId()
    {
        return networkInterfaceId;
    }

    /**
     * @return true for a handle whose copies wait for room instead of being dropped when their target is behind.
     */
    public boolean isLossless()
    {
        return maxWaitNanos > 0;
    }

    /**
     * @return how long a copy may wait for a free slot: zero for a live handle.
     */
    public Duration maxWait()
    {
        return Duration.ofNanos(maxWaitNanos);
    }

    /**
     * A frame the interface received.
     *
     * @param frame the frame, from position to limit.
     * @return an {@link OfferResult}.
     */
    public int inbound(final ByteBuffer frame)
    {
        return engine.offer(index, frame, frame.position(), frame.remaining(), TrafficDirection.INGRESS, maxWaitNanos);
    }

    /**
     * A frame the interface sent.
     *
     * @param frame the frame, from position to limit.
     * @return an {@link OfferResult}.
     */
    public int outbound(final ByteBuffer frame)
    {
        return engine.offer(index, frame, frame.position(), frame.remaining(), TrafficDirection.EGRESS, maxWaitNanos);
    }

    /**
     * A frame whose direction follows from the interface's addresses: to one of them is inbound, from one of them
     * outbound, otherwise it is not this interface's traffic (counted, not mirrored).
     *
     * @param frame the frame, from position to limit.
     * @return an {@link OfferResult}.
     */
    public int offer(final ByteBuffer frame)
    {
        return engine.offer(index, frame, frame.position(), frame.remaining(), null, maxWaitNanos);
    }

    /**
     * A frame in a range of a buffer, with its direction given or, when {@code null}, inferred.
     *
     * @param frame     the buffer.
     * @param offset    absolute index of the frame's first byte.
     * @param length    the frame's length in bytes.
     * @param direction ingress, egress, or {@code null} to infer it.
     * @return an {@link OfferResult}.
     */
    public int offer(final ByteBuffer frame, final int offset, final int length, final TrafficDirection direction)
    {
        return engine.offer(index, frame, offset, length, direction, maxWaitNanos);
    }

    @Override
    public String toString()
    {
        return "SourceHandle[" + networkInterfaceId + (maxWaitNanos > 0 ? ", lossless]" : "]");
    }
}
