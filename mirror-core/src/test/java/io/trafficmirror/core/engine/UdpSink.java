package io.trafficmirror.core.engine;

import io.trafficmirror.vxlan.ResultCode;
import io.trafficmirror.vxlan.VxlanFrameDecoder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A VXLAN receiver on loopback for tests: decodes each datagram with mirror-vxlan's decoder, as a target would.
 */
final class UdpSink implements AutoCloseable
{
    /** One received copy. */
    static final class Received
    {
        final int vni;
        final byte[] inner;
        final int sourcePort;

        Received(final int vni, final byte[] inner, final int sourcePort)
        {
            this.vni = vni;
            this.inner = inner;
            this.sourcePort = sourcePort;
        }
    }

    private final DatagramChannel channel;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    final AtomicLong count = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    private final boolean keep;

    UdpSink(final boolean keep) throws IOException
    {
        this(keep, 0);
    }

    UdpSink(final boolean keep, final int port) throws IOException
    {
        this.keep = keep;
        channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        thread = new Thread(this::receive, "udp-sink");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() throws IOException
    {
        return (InetSocketAddress)channel.getLocalAddress();
    }

    private void receive()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();
        try
        {
            while (true)
            {
                buffer.clear();
                final InetSocketAddress from = (InetSocketAddress)channel.receive(buffer);
                final int length = buffer.position();
                if (decoder.decodeVxlanPayload(buffer, 0, length) != ResultCode.OK)
                {
                    malformed.incrementAndGet();
                    continue;
                }
                count.incrementAndGet();
                if (keep)
                {
                    final byte[] inner = new byte[decoder.innerLength()];
                    buffer.get(decoder.innerOffset(), inner);
                    received.add(new Received(decoder.vni(), inner, from.getPort()));
                }
            }
        }
        catch (final ClosedChannelException ex)
        {
            // closed by the test
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Waits, boundedly, until {@code n} copies arrived, then a little more to catch any extra.
     */
    List<Received> await(final long n, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (count.get() < n && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        Thread.sleep(50);
        return new ArrayList<>(received);
    }

    /** Forgets what was received so far (the count stays). */
    void clear()
    {
        received.clear();
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
        try
        {
            thread.join(5000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
