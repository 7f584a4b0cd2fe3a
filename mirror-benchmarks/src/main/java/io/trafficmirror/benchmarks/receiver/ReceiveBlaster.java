package io.trafficmirror.benchmarks.receiver;

import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.vxlan.VxlanHeaderEncoder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends VXLAN datagrams to a receiver at a fixed rate for a fixed time, for
 * {@code mirror-benchmarks/scripts/receive-vs-tcpdump.sh}: the UDP payloads of a real mirror capture, over and over,
 * or, when the capture is absent, generated datagrams of the same mix of sizes. Prints one line,
 * {@code sent=N seconds=S rate=R}, the datagrams sent and the rate reached.
 *
 * <pre>
 * java -cp benchmarks.jar io.trafficmirror.benchmarks.receiver.ReceiveBlaster HOST:PORT RATE SECONDS [CAPTURE]
 * </pre>
 *
 * <p>Pacing: every 100 microseconds the sender catches up with {@code rate * elapsed}, so the stream is even
 * rather than one burst a second; a rate the machine cannot reach shows as a lower {@code rate=}.
 */
public final class ReceiveBlaster
{
    private static final int VXLAN_PORT = 4789;
    private static final long TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private ReceiveBlaster()
    {
    }

    /**
     * Runs the blast.
     *
     * @param args HOST:PORT, datagrams per second, seconds, and optionally the capture to take payloads from.
     * @throws IOException if the socket fails or the capture cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length < 3)
        {
            System.err.println("usage: ReceiveBlaster HOST:PORT RATE SECONDS [CAPTURE]");
            System.exit(2);
        }
        final int colon = args[0].lastIndexOf(':');
        final InetSocketAddress target = new InetSocketAddress(args[0].substring(0, colon),
            Integer.parseInt(args[0].substring(colon + 1)));
        final long rate = Long.parseLong(args[1]);
        final long seconds = Long.parseLong(args[2]);
        final List<ByteBuffer> datagrams = datagrams(args.length > 3 ? Path.of(args[3]) : null);

        try (DatagramChannel channel = DatagramChannel.open())
        {
            channel.connect(target);
            final long start = System.nanoTime();
            final long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long sent = 0;
            int next = 0;
            long now = start;
            while (now < end)
            {
                final long due = (now - start) * rate / 1_000_000_000L;
                while (sent < due)
                {
                    final ByteBuffer datagram = datagrams.get(next);
                    datagram.clear();
                    channel.write(datagram);
                    sent++;
                    next = next + 1 == datagrams.size() ? 0 : next + 1;
                }
                final long tickEnd = now + TICK_NANOS;
                while ((now = System.nanoTime()) < tickEnd)
                {
                    Thread.onSpinWait();
                }
            }
            final double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("sent=%d seconds=%.3f rate=%.0f%n", sent, elapsed, sent / elapsed);
        }
    }

    private static List<ByteBuffer> datagrams(final Path capture) throws IOException
    {
        final List<ByteBuffer> datagrams = new ArrayList<>();
        if (capture != null && Files.isReadable(capture))
        {
            try (CaptureReader reader = CaptureReader.open(capture))
            {
                while (reader.next())
                {
                    final ByteBuffer payload = udpPayload(reader.frame());
                    if (payload != null)
                    {
                        datagrams.add(payload);
                    }
                }
            }
            System.err.println("blaster: " + datagrams.size() + " datagrams from " + capture);
        }
        if (datagrams.isEmpty())
        {
            System.err.println("blaster: " + capture + " is absent or holds no VXLAN datagrams: sending generated "
                + "VXLAN datagrams (100 to 1514-byte frames) instead");
            for (int i = 0; i < 100; i++)
            {
                datagrams.add(generated(i));
            }
        }
        return datagrams;
    }

    /** The UDP payload of an Ethernet/IPv4 frame to the VXLAN port, in a direct buffer of its own; else null. */
    private static ByteBuffer udpPayload(final ByteBuffer frame)
    {
        final int start = frame.position();
        int ip = start + 14;
        int etherType = frame.getShort(start + 12) & 0xFFFF;
        while (etherType == 0x8100 || etherType == 0x88A8)
        {
            etherType = frame.getShort(ip + 2) & 0xFFFF;
            ip += 4;
        }
        if (etherType != 0x0800 || (frame.get(ip + 9) & 0xFF) != 17)
        {
            return null;
        }
        final int udp = ip + (frame.get(ip) & 0x0F) * 4;
        if ((frame.getShort(udp + 2) & 0xFFFF) != VXLAN_PORT)
        {
            return null;
        }
        final int length = Math.min((frame.getShort(udp + 4) & 0xFFFF) - 8, frame.limit() - udp - 8);
        final ByteBuffer payload = ByteBuffer.allocateDirect(length);
        payload.put(0, frame, udp + 8, length);
        return payload;
    }

    private static ByteBuffer generated(final int i)
    {
        final int frameLength = i % 10 == 0 ? 1514 : 100 + i * 7;
        final ByteBuffer datagram = ByteBuffer.allocateDirect(VxlanHeaderEncoder.HEADER_LENGTH + frameLength);
        new VxlanHeaderEncoder().wrap(datagram, 0).encode(5_569_041);
        for (int b = 0; b < frameLength; b++)
        {
            datagram.put(VxlanHeaderEncoder.HEADER_LENGTH + b, (byte)(b * 31 + i));
        }
        return datagram;
    }
}
