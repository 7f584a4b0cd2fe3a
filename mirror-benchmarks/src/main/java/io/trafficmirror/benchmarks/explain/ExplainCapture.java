package io.trafficmirror.benchmarks.explain;

import io.trafficmirror.core.capture.PcapWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes the capture {@code scripts/explain-vs-tcpdump.sh} times {@code mirror explain} and tcpdump on: a web
 * server's mixed traffic as the getting-started configuration's source interface sees it, Ethernet frames of
 * IPv4 and IPv6, TCP and UDP, small acknowledgements and full-size segments, with some SSH (port 22, which the
 * configuration rejects), some Amazon DNS and some traffic of other hosts.
 *
 * <pre>
 * java -cp mirror-benchmarks/target/benchmarks.jar io.trafficmirror.benchmarks.explain.ExplainCapture OUT.pcap FRAMES [SEED]
 * </pre>
 */
public final class ExplainCapture
{
    /** The source interface's IPv4 address, 172.31.0.238. */
    static final int INSTANCE_IPV4 = 0xAC1F00EE;
    /** The source interface's IPv6 address, 2600:1f18:abcd:1200::238, as two halves. */
    static final long INSTANCE_IPV6_HIGH = 0x2600_1F18_ABCD_1200L;
    static final long INSTANCE_IPV6_LOW = 0x238L;
    static final long INSTANCE_MAC = 0x0285_69C2_AB02L;
    static final long GATEWAY_MAC = 0x0211_2233_4455L;

    private static final int ETHERNET = 14;
    private static final int MAX_FRAME = 1514;

    private ExplainCapture()
    {
    }

    /**
     * @param args the output file, the number of frames, and optionally a seed.
     * @throws IOException if the file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length < 2)
        {
            System.err.println("usage: ExplainCapture OUT.pcap FRAMES [SEED]");
            System.exit(2);
        }
        final long frames = Long.parseLong(args[1]);
        final long seed = args.length > 2 ? Long.parseLong(args[2]) : 20_261_202L;
        final SplittableRandom random = new SplittableRandom(seed);
        final ByteBuffer frame = ByteBuffer.allocate(MAX_FRAME).order(ByteOrder.BIG_ENDIAN);
        long nanos = 1_764_633_600_000_000_000L;
        try (PcapWriter writer = PcapWriter.create(Path.of(args[0])))
        {
            for (long i = 0; i < frames; i++)
            {
                final int length = build(frame, random);
                nanos += 1_000 + random.nextInt(20_000);
                writer.write(nanos, frame, 0, length);
            }
        }
    }

    /** Fills {@code frame} with one packet and returns its length. */
    static int build(final ByteBuffer frame, final SplittableRandom random)
    {
        final int size = size(random);
        final boolean inbound = random.nextBoolean();
        final boolean ipv6 = random.nextInt(100) < 20;
        final int kind = random.nextInt(100);
        final boolean udp = kind >= 75;
        final boolean ssh = kind < 10;
        final boolean dns = kind >= 95;
        final boolean otherHost = random.nextInt(100) < 3;

        final int serverPort = ssh ? 22 : dns ? 53 : (random.nextBoolean() ? 443 : 80);
        final int clientPort = 32_768 + random.nextInt(28_000);
        final int sourcePort = inbound ? clientPort : serverPort;
        final int destinationPort = inbound ? serverPort : clientPort;
        final int transport = udp ? 8 : 20;
        final int network = ipv6 ? 40 : 20;
        final int length = Math.max(size, ETHERNET + network + transport);

        putMac(frame, 0, inbound ? INSTANCE_MAC : GATEWAY_MAC);
        putMac(frame, 6, inbound ? GATEWAY_MAC : INSTANCE_MAC);
        frame.putShort(12, (short)(ipv6 ? 0x86DD : 0x0800));
        final int payloadLength = length - ETHERNET - network;
        final int protocol = udp ? 17 : 6;
        if (ipv6)
        {
            final long peerHigh = dns ? 0xFD00_00EC_0000_0000L : 0x2001_0DB8_0000_0000L | random.nextInt(1 << 16);
            final long peerLow = dns ? 0x23 : random.nextLong();
            final long instanceHigh = INSTANCE_IPV6_HIGH;
            final long instanceLow = otherHost ? INSTANCE_IPV6_LOW + 1 + random.nextInt(100) : INSTANCE_IPV6_LOW;
            frame.putInt(ETHERNET, 0x6000_0000 | random.nextInt(1 << 20));
            frame.putShort(ETHERNET + 4, (short)payloadLength);
            frame.put(ETHERNET + 6, (byte)protocol);
            frame.put(ETHERNET + 7, (byte)64);
            frame.putLong(ETHERNET + 8, inbound ? peerHigh : instanceHigh);
            frame.putLong(ETHERNET + 16, inbound ? peerLow : instanceLow);
            frame.putLong(ETHERNET + 24, inbound ? instanceHigh : peerHigh);
            frame.putLong(ETHERNET + 32, inbound ? instanceLow : peerLow);
        }
        else
        {
            final int peer = dns ? 0xAC1F0002 : 0xC633_6400 | random.nextInt(1 << 10);
            final int instance = otherHost ? INSTANCE_IPV4 + 1 + random.nextInt(16) : INSTANCE_IPV4;
            frame.put(ETHERNET, (byte)0x45);
            frame.put(ETHERNET + 1, (byte)0);
            frame.putShort(ETHERNET + 2, (short)(length - ETHERNET));
            frame.putShort(ETHERNET + 4, (short)random.nextInt(1 << 16));
            frame.putShort(ETHERNET + 6, (short)0x4000);
            frame.put(ETHERNET + 8, (byte)64);
            frame.put(ETHERNET + 9, (byte)protocol);
            frame.putShort(ETHERNET + 10, (short)0);
            frame.putInt(ETHERNET + 12, inbound ? peer : instance);
            frame.putInt(ETHERNET + 16, inbound ? instance : peer);
        }
        final int l4 = ETHERNET + network;
        frame.putShort(l4, (short)sourcePort);
        frame.putShort(l4 + 2, (short)destinationPort);
        if (udp)
        {
            frame.putShort(l4 + 4, (short)payloadLength);
            frame.putShort(l4 + 6, (short)0);
        }
        else
        {
            frame.putInt(l4 + 4, random.nextInt());
            frame.putInt(l4 + 8, random.nextInt());
            frame.putShort(l4 + 12, (short)(0x5000 | (random.nextInt(4) == 0 ? 0x18 : 0x10)));
            frame.putShort(l4 + 14, (short)65_535);
            frame.putInt(l4 + 16, 0);
        }
        for (int i = l4 + transport; i < length; i++)
        {
            frame.put(i, (byte)i);
        }
        return length;
    }

    /** Frame sizes as a web server sees them: many acknowledgements, many full segments, some in between. */
    private static int size(final SplittableRandom random)
    {
        final int bucket = random.nextInt(100);
        if (bucket < 45)
        {
            return 54 + random.nextInt(24);
        }
        if (bucket < 75)
        {
            return 100 + random.nextInt(1_300);
        }
        return MAX_FRAME;
    }

    private static void putMac(final ByteBuffer frame, final int index, final long mac)
    {
        frame.putShort(index, (short)(mac >>> 32));
        frame.putInt(index + 2, (int)mac);
    }
}
