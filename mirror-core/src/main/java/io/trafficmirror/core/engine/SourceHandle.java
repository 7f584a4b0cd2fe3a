package io.trafficmirror.core.engine;

import io.trafficmirror.filter.TrafficDirection;

import java.nio.ByteBuffer;

/**
 * Where an application hands one source interface's packets to the engine. Cheap to keep and safe to share:
 * any number of threads may call it at once. Every call returns at once with an {@link OfferResult}: it never
 * blocks, never throws for a bad packet (it counts it) and allocates nothing in steady state.
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

    SourceHandle(final MirrorEngine engine, final String networkInterfaceId, final int index)
    {
        this.engine = engine;
        this.networkInterfaceId = networkInterfaceId;
        this.index = index;
    }

    /**
     * @return the source interface's id.
     */
    public String networkInterfaceId()
    {
        return networkInterfaceId;
    }

    /**
     * A frame the interface received.
     *
     * @param frame the frame, from position to limit.
     * @return an {@link OfferResult}.
     */
    public int inbound(final ByteBuffer frame)
    {
        return engine.offer(index, frame, frame.position(), frame.remaining(), TrafficDirection.INGRESS);
    }

    /**
     * A frame the interface sent.
     *
     * @param frame the frame, from position to limit.
     * @return an {@link OfferResult}.
     */
    public int outbound(final ByteBuffer frame)
    {
        return engine.offer(index, frame, frame.position(), frame.remaining(), TrafficDirection.EGRESS);
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
        return engine.offer(index, frame, frame.position(), frame.remaining(), null);
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
        return engine.offer(index, frame, offset, length, direction);
    }

    @Override
    public String toString()
    {
        return "SourceHandle[" + networkInterfaceId + "]";
    }
}
