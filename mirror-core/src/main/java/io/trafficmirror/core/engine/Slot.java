package io.trafficmirror.core.engine;

import io.trafficmirror.vxlan.OuterHeadersEncoder;

import java.nio.ByteBuffer;

/**
 * A buffer holding one mirrored copy on its way from a producer to a sender.
 * <p>
 * The copy's inner frame starts at {@link #HEADROOM}, which leaves room in front of it for the VXLAN header
 * (a UDP sender sends from {@code HEADROOM - 8}) or for the whole outer header (a pcap writer). A slot belongs
 * to one side at a time: a producer takes it from the target's free queue, fills it with absolute writes and
 * offers it on the work queue; the sender takes it, sends it and returns it to the free queue. The queues'
 * release/acquire ordering makes each side see the other's writes, so the fields need no other fencing.
 * <p>
 * Nobody moves {@link #buffer}'s position or limit: producers write it with absolute puts, which check the limit,
 * so a limit left at one copy's length would refuse the next, longer copy. Senders that need a positioned buffer
 * use {@link #sendView()} or {@link #readOnlyView()}, which only the sender touches. The sender makes them on first
 * use, so they live in its own memory: a view's position and limit, written for every send, then never share a
 * cache line with the fields a producer writes.
 */
final class Slot
{
    /** Room for the largest outer header, IPv6: Ethernet, IPv6, UDP and VXLAN. */
    static final int HEADROOM = OuterHeadersEncoder.HEADER_LENGTH_IPV6;

    /** The producer's side: written with absolute puts only, its position and limit never change. */
    final ByteBuffer buffer;
    /** The sender's view of {@link #buffer}, made once, positioned for each send; sender only. */
    private ByteBuffer sendView;
    /** A read-only view of {@link #buffer} made once, for handing inner frames to consumers; sender only. */
    private ByteBuffer readOnlyView;

    /** The transport's per-slot state (a Netty buffer and write promise), made on first send; sender only. */
    Object transport;

    int innerLength;
    int originalLength;
    int vni;
    /** The flow-hash port of the original frame, set by the producer from its parse. */
    int flowPort;
    /** Block of the session's copy counters. */
    int sessionCopyBlock;
    /** Block of the copy counters of the source interface and direction the copy was taken from. */
    int sourceCopyBlock;
    /** The session's id, for consumers. */
    String sessionId;
    /** The source interface's primary IPv4 address, or 0, for outer headers the library writes itself. */
    int sourceIpv4;

    /**
     * @param buffer the slot's memory, {@link #HEADROOM} plus the most inner bytes it holds; a slice of a larger
     *               direct buffer.
     */
    Slot(final ByteBuffer buffer)
    {
        this.buffer = buffer;
    }

    /**
     * Sender only: the view to send from.
     */
    ByteBuffer sendView()
    {
        ByteBuffer view = sendView;
        if (view == null)
        {
            view = buffer.duplicate();
            sendView = view;
        }
        return view;
    }

    /**
     * Sender only: the read-only view consumers get.
     */
    ByteBuffer readOnlyView()
    {
        ByteBuffer view = readOnlyView;
        if (view == null)
        {
            view = buffer.asReadOnlyBuffer();
            readOnlyView = view;
        }
        return view;
    }
}
