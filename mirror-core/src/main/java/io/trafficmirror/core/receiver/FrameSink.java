package io.trafficmirror.core.receiver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Where accepted frames go; called only by the receiving thread. */
interface FrameSink
{
    /**
     * Takes one frame.
     *
     * @return false if the sink refuses the frame's VNI (the per-VNI file limit); it is then counted as a VNI drop.
     */
    boolean accept(int vni, InetSocketAddress sender, long epochNanos, ByteBuffer buffer, int offset, int length)
        throws IOException;

    /** Makes what was taken visible to readers (files); called when the socket is idle and at least each second. */
    void flush() throws IOException;

    void close() throws IOException;
}
