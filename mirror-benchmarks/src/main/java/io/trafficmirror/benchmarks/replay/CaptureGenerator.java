package io.trafficmirror.benchmarks.replay;

import io.trafficmirror.core.capture.PcapWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a large capture for {@code scripts/replay-vs-tcpreplay.sh}: IPv4 TCP and UDP frames between the
 * getting-started instance (172.31.0.238) and 4,096 flows to hosts outside its VPC, half inbound and half outbound,
 * none of them SSH, so the getting-started configuration mirrors every one. Sizes are a mix like a server's traffic:
 * half small (60 to 120 bytes), a third medium (200 to 600), the rest large (1,000 to 1,514). Seeded, so a run can
 * be repeated. IP header checksums are right; TCP and UDP checksums are left 0, which nothing on this path checks.
 * <p>
 * Usage: {@code java -cp benchmarks.jar io.trafficmirror.benchmarks.replay.CaptureGenerator OUT.pcap FRAMES}
 */
public final class CaptureGenerator
{
    private static final int INSTANCE = 0xAC1F_00EE;
    private static final int FLOWS = 4096;
    private static final int MAX_FRAME = 1514;
    private static final long START_NANOS = 1_767_225_600_000_000_000L;

    private CaptureGenerator()
    {
    }

    /**
     * @param args the file to write and the number of frames.
     * @throws IOException when the file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 2)
        {
            System.err.println("usage: CaptureGenerator OUT.pcap FRAMES");
            System.exit(2);
        }
        final Path file = Path.of(args[0]);
        final long frames = Long.parseLong(args[1]);
        final SplittableRandom random = new SplittableRandom(0x5EED_2026L);
        final ByteBuffer frame = ByteBuffer.allocate(MAX_FRAME);
        long bytes = 0;
        try (PcapWriter writer = PcapWriter.create(file))
        {
            for (long i = 0; i < frames; i++)
            {
                final int length = build(frame, random.nextInt(FLOWS), random.nextBoolean(), size(random), i);
                writer.write(START_NANOS + i * 1_000, frame, 0, length);
                bytes += length;
            }
        }
        System.out.println("wrote " + frames + " frames, " + bytes + " bytes of frames, to " + file);
    }

    private static int size(final SplittableRandom random)
    {
        final int kind = random.nextInt(6);
        if (kind < 3)
        {
            return 60 + random.nextInt(61);
        }
        if (kind < 5)
        {
            return 200 + random.nextInt(401);
        }
        return 1000 + random.nextInt(MAX_FRAME - 1000 + 1);
    }

    /** Ethernet, IPv4 and TCP (flows with an even number) or UDP, padded with a pattern to {@code length}. */
    private static int build(final ByteBuffer frame, final int flow, final boolean inbound, final int length,
        final long sequence)
    {
        final boolean tcp = (flow & 1) == 0;
        final int peer = 0xCB00_7100 | (1 + flow % 250); // 203.0.113.1..250
        final int peerPort = 1024 + flow;
        final int servicePort = tcp ? 443 : 4433;
        frame.clear();
        frame.putLong(0, 0x0200_0000_000A_0200L); // destination 02:00:00:00:00:0a, first half of the source
        frame.putInt(8, 0x0000_000B);            // source 02:00:00:00:00:0b
        frame.putShort(12, (short)0x0800);
        frame.put(14, (byte)0x45);
        frame.put(15, (byte)0);
        frame.putShort(16, (short)(length - 14));
        frame.putShort(18, (short)sequence);
        frame.putShort(20, (short)0x4000);
        frame.put(22, (byte)64);
        frame.put(23, (byte)(tcp ? 6 : 17));
        frame.putShort(24, (short)0);
        frame.putInt(26, inbound ? peer : INSTANCE);
        frame.putInt(30, inbound ? INSTANCE : peer);
        frame.putShort(24, checksum(frame, 14, 20));
        frame.putShort(34, (short)(inbound ? peerPort : servicePort));
        frame.putShort(36, (short)(inbound ? servicePort : peerPort));
        final int payload;
        if (tcp)
        {
            frame.putInt(38, (int)sequence);
            frame.putInt(42, 0);
            frame.putShort(46, (short)0x5018); // 20-byte header, PSH and ACK
            frame.putShort(48, (short)0xFFFF);
            frame.putInt(50, 0);
            payload = 54;
        }
        else
        {
            frame.putShort(38, (short)(length - 34));
            frame.putShort(40, (short)0);
            payload = 42;
        }
        for (int i = payload; i < length; i++)
        {
            frame.put(i, (byte)(i + sequence));
        }
        return length;
    }

    private static short checksum(final ByteBuffer frame, final int offset, final int length)
    {
        int sum = 0;
        for (int i = offset; i < offset + length; i += 2)
        {
            sum += frame.getShort(i) & 0xFFFF;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (short)~sum;
    }
}
