package io.trafficmirror.core.receiver;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Receives each mirrored frame the receiver accepts, on the receiving thread.
 *
 * <p>The frame is a read-only view of the receive buffer from its {@code position()} to its {@code limit()};
 * the same view is passed every time and its bytes are overwritten by the next datagram, so a handler copies
 * what it keeps. A handler that blocks stalls the receiver (the socket's buffer then overflows and the kernel
 * drops datagrams); one that throws stops it (see {@link MirrorReceiver#failure()}).
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * Handles one inner frame.
     *
     * @param vni the VXLAN network identifier: which mirror session the frame came from.
     * @param sender the address and port the datagram came from (the mirror source's interface).
     * @param epochNanos when the receiver took the datagram, nanoseconds since 1970.
     * @param frame the inner Ethernet frame, from {@code frame.position()} to {@code frame.limit()}.
     */
    void onFrame(int vni, InetSocketAddress sender, long epochNanos, ByteBuffer frame);
}
