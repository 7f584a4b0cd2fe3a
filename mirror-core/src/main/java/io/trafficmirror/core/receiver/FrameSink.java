package io.trafficmirror.core.receiver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Where accepted frames go; called only by the receiving thread (or, behind a {@link QueuedSink}, its writer). */
interface FrameSink
{
    /** The frame was taken. */
    int ACCEPTED = 0;
    /** The sink refuses the frame's VNI (past the number of VNIs given files); it is counted as a VNI drop. */
    int REFUSED_VNI = 1;
    /** The writer has fallen behind and its queue has no room; the frame is counted as dropped for that. */
    int QUEUE_FULL = 2;
    /** Behind the queue: the frame's file could not be opened; the file sink has counted it. */
    int OPEN_FAILED = 3;

    /**
     * Takes one frame.
     *
     * @return {@link #ACCEPTED}, {@link #REFUSED_VNI} or {@link #QUEUE_FULL}; a file sink behind the queue may
     *     return {@link #OPEN_FAILED}.
     * @throws IOException from a file sink when a write failed; it has counted the frames lost.
     */
    int accept(int vni, InetSocketAddress sender, long epochNanos, ByteBuffer buffer, int offset, int length)
        throws IOException;

    /** Makes what was taken visible to readers (files); called when records have waited the flush interval. */
    void flush() throws IOException;

    /** At the loop's end: everything taken is written and flushed when this returns. */
    default void drain() throws IOException
    {
        flush();
    }

    void close() throws IOException;
}
