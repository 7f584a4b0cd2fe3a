package io.trafficmirror.core.receiver;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Hands frames to a {@link FrameHandler} through one read-only view of the receive buffer, made once. */
final class CallbackSink implements FrameSink
{
    private final FrameHandler handler;
    private ByteBuffer view;
    private ByteBuffer viewOf;

    CallbackSink(final FrameHandler handler)
    {
        this.handler = handler;
    }

    @Override
    public int accept(final int vni, final InetSocketAddress sender, final long epochNanos, final ByteBuffer buffer,
        final int offset, final int length)
    {
        if (viewOf != buffer)
        {
            view = buffer.asReadOnlyBuffer().order(ByteOrder.BIG_ENDIAN);
            viewOf = buffer;
        }
        view.clear();
        view.position(offset).limit(offset + length);
        handler.onFrame(vni, sender, epochNanos, view);
        return ACCEPTED;
    }

    @Override
    public void flush()
    {
    }

    @Override
    public void close()
    {
    }
}
