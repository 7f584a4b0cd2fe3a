package io.trafficmirror.benchmarks.replay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;

/**
 * A loopback UDP sink for {@code scripts/replay-vs-tcpreplay.sh}: counts the datagrams and VXLAN inner bytes that
 * arrive and does nothing else, so that it keeps up with a sender as well as a receiver can. It binds several
 * sockets to the port with {@code SO_REUSEPORT}, each with as large a receive buffer as the kernel grants and a
 * thread of its own blocked in receive (no spinning: the sender needs the cores): the kernel spreads the sender's
 * source ports (the engine sends each endpoint's flows from several) over them, so a burst has several buffers to
 * land in. It stops once it has the expected count, or when nothing has arrived for two seconds after the first
 * datagram, or after a minute without any; then it prints one line:
 * {@code received N datagrams M inner-bytes sockets S rcvbuf B}.
 * <p>
 * Usage: {@code java -cp benchmarks.jar io.trafficmirror.benchmarks.replay.CountingReceiver PORT EXPECTED [SOCKETS]}
 */
public final class CountingReceiver
{
    private static final int VXLAN_HEADER = 8;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long FIRST_NANOS = TimeUnit.MINUTES.toNanos(1);

    private CountingReceiver()
    {
    }

    /**
     * One socket and what arrived on it.
     */
    private static final class Sink implements Runnable
    {
        final DatagramChannel channel;
        /** Written by the socket's thread only; read by the watchdog. */
        volatile long datagrams;
        long innerBytes;

        Sink(final int port) throws IOException
        {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 256 << 20);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }

        @Override
        public void run()
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
            long count = 0;
            try
            {
                while (true)
                {
                    buffer.clear();
                    channel.receive(buffer);
                    innerBytes += buffer.position() - VXLAN_HEADER;
                    datagrams = ++count;
                }
            }
            catch (final AsynchronousCloseException ex)
            {
                // Closed by the watchdog: nothing more is coming.
            }
            catch (final IOException ex)
            {
                System.err.println("receive failed: " + ex);
            }
        }
    }

    /**
     * @param args the loopback port, the number of datagrams expected and, optionally, the number of sockets (4).
     * @throws Exception when a socket fails or the wait is interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 2 || args.length > 3)
        {
            System.err.println("usage: CountingReceiver PORT EXPECTED [SOCKETS]");
            System.exit(2);
        }
        final int port = Integer.parseInt(args[0]);
        final long expected = Long.parseLong(args[1]);
        final Sink[] sinks = new Sink[args.length == 3 ? Integer.parseInt(args[2]) : 4];
        final Thread[] threads = new Thread[sinks.length];
        for (int i = 0; i < sinks.length; i++)
        {
            sinks[i] = new Sink(port);
            threads[i] = new Thread(sinks[i], "receiver-" + i);
            threads[i].start();
        }
        final int rcvbuf = sinks[0].channel.getOption(StandardSocketOptions.SO_RCVBUF);
        System.err.println("listening on 127.0.0.1:" + port + " with " + sinks.length + " sockets, receive buffer " +
            rcvbuf + " bytes each");

        long seen = -1;
        long since = System.nanoTime();
        while (true)
        {
            final long count = count(sinks);
            final long now = System.nanoTime();
            if (count >= expected)
            {
                break;
            }
            if (count != seen)
            {
                seen = count;
                since = now;
            }
            else if (now - since > (count == 0 ? FIRST_NANOS : IDLE_NANOS))
            {
                break;
            }
            Thread.sleep(20);
        }
        for (final Sink sink : sinks)
        {
            sink.channel.close();
        }
        long innerBytes = 0;
        for (int i = 0; i < sinks.length; i++)
        {
            threads[i].join();
            innerBytes += sinks[i].innerBytes;
        }
        System.out.println("received " + count(sinks) + " datagrams " + innerBytes + " inner-bytes sockets " +
            sinks.length + " rcvbuf " + rcvbuf);
    }

    private static long count(final Sink[] sinks)
    {
        long count = 0;
        for (final Sink sink : sinks)
        {
            count += sink.datagrams;
        }
        return count;
    }
}
