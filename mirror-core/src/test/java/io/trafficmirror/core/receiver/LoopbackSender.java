package io.trafficmirror.core.receiver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Sends datagrams over loopback to a receiver, pacing itself on the receiver's count so that the socket buffer
 * never overflows (a drop would make exact counts flaky). Every wait is bounded.
 */
final class LoopbackSender implements AutoCloseable
{
    private static final long WAIT_NANOS = 10_000_000_000L;

    private final DatagramChannel channel;
    private final InetSocketAddress target;

    LoopbackSender(final InetSocketAddress target) throws IOException
    {
        this.target = target;
        this.channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(target.getAddress(), 0));
    }

    InetSocketAddress localAddress() throws IOException
    {
        return (InetSocketAddress)channel.getLocalAddress();
    }

    /** Sends each datagram; every 16, waits until the receiver has taken them all. */
    void send(final List<byte[]> datagrams, final LongSupplier received) throws IOException
    {
        final long base = received.getAsLong();
        long sent = 0;
        for (final byte[] datagram : datagrams)
        {
            channel.send(ByteBuffer.wrap(datagram), target);
            sent++;
            if (sent % 16 == 0)
            {
                awaitAtLeast(received, base + sent);
            }
        }
        awaitAtLeast(received, base + sent);
    }

    /** Sends one datagram to a receiver that may no longer be reading. */
    void sendWithoutWaiting(final byte[] datagram) throws IOException
    {
        channel.send(ByteBuffer.wrap(datagram), target);
    }

    static void awaitAtLeast(final LongSupplier counter, final long value)
    {
        final long deadline = System.nanoTime() + WAIT_NANOS;
        while (counter.getAsLong() < value)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting for count " + value + ", at " + counter.getAsLong());
            }
            Thread.onSpinWait();
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
