package io.trafficmirror.examples.demo;

import io.trafficmirror.core.capture.PcapWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The traffic of the demo's bundled capture ({@code demo/getting-started-traffic.pcap}): what the web server of the
 * getting-started scenario (172.31.0.238, MAC 02:85:69:c2:ab:02) sends and receives in a few seconds. An SSH
 * session (which the scenario's filter rejects), HTTPS, DNS to the VPC resolver (mirrored: the filter has
 * {@code amazon-dns}), NTP to a public server and to Amazon Time Sync, instance metadata, ARP and a ping. Frames
 * are built field by field with correct IPv4, TCP, UDP and ICMP checksums.
 * <p>
 * {@link #main} writes the capture; a test checks that the bundled file is exactly what this class builds.
 */
public final class DemoTraffic
{
    static final byte[] SERVER_MAC = mac("02:85:69:c2:ab:02");
    static final byte[] GATEWAY_MAC = mac("02:29:23:74:c7:7d");
    static final int SERVER = ipv4(172, 31, 0, 238);
    static final int CLIENT = ipv4(18, 196, 145, 224);
    static final int RESOLVER = ipv4(172, 31, 0, 2);
    static final int NTP_SERVER = ipv4(78, 46, 93, 39);
    static final int TIME_SYNC = ipv4(169, 254, 169, 123);
    static final int METADATA = ipv4(169, 254, 169, 254);
    static final int PING_PEER = ipv4(1, 1, 1, 1);
    /** First timestamp: 2026-11-29T12:00:00Z in nanoseconds. */
    static final long START_NANOS = 1_795_953_600_000_000_000L;

    private DemoTraffic()
    {
    }

    /**
     * Writes the capture.
     *
     * @param args the output file.
     * @throws IOException if it cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        try (PcapWriter writer = PcapWriter.create(Path.of(args[0])))
        {
            final List<byte[]> frames = frames();
            for (int i = 0; i < frames.size(); i++)
            {
                final byte[] frame = frames.get(i);
                writer.write(timestamp(i), ByteBuffer.wrap(frame), 0, frame.length);
            }
        }
    }

    /**
     * @param index a frame's index.
     * @return its capture timestamp, 10 ms apart.
     */
    public static long timestamp(final int index)
    {
        return START_NANOS + index * 10_000_000L;
    }

    /**
     * @return the frames, in capture order.
     */
    public static List<byte[]> frames()
    {
        final List<byte[]> frames = new ArrayList<>();
        // SSH: the client's session to the server, both directions (rejected by rules 100 and 101).
        conversation(frames, 51000, 22, new int[]{48, 96, 64, 128, 80, 160});
        // HTTPS: accepted by rule 200 in both directions.
        conversation(frames, 51001, 443, new int[]{100, 1200, 150, 1250, 200, 1300});
        // DNS with the VPC resolver (base + 2): mirrored because the filter names amazon-dns.
        frames.add(udp(SERVER_MAC, GATEWAY_MAC, SERVER, RESOLVER, 40123, 53, dns(false)));
        frames.add(udp(GATEWAY_MAC, SERVER_MAC, RESOLVER, SERVER, 53, 40123, dns(true)));
        // NTP with a public server: ordinary traffic, accepted.
        frames.add(udp(SERVER_MAC, GATEWAY_MAC, SERVER, NTP_SERVER, 123, 123, ntp(3)));
        frames.add(udp(GATEWAY_MAC, SERVER_MAC, NTP_SERVER, SERVER, 123, 123, ntp(4)));
        // Amazon Time Sync and instance metadata: never mirrored (AWS exclusions).
        frames.add(udp(SERVER_MAC, GATEWAY_MAC, SERVER, TIME_SYNC, 123, 123, ntp(3)));
        frames.add(tcp(SERVER_MAC, GATEWAY_MAC, SERVER, METADATA, 52000, 80, 9000, 1, 120));
        // ARP: never mirrored.
        frames.add(arp(SERVER_MAC, SERVER, RESOLVER));
        // A ping and its reply: accepted by rule 200.
        frames.add(icmpEcho(SERVER_MAC, GATEWAY_MAC, SERVER, PING_PEER, 8, 1));
        frames.add(icmpEcho(GATEWAY_MAC, SERVER_MAC, PING_PEER, SERVER, 0, 1));
        return frames;
    }

    /**
     * A client and the server taking turns, with sequence and acknowledgement numbers that follow the bytes sent.
     */
    private static void conversation(final List<byte[]> frames, final int clientPort, final int serverPort,
        final int[] payloads)
    {
        int clientSeq = 1_000_000 + clientPort;
        int serverSeq = 7_000_000 + serverPort;
        for (int i = 0; i < payloads.length; i++)
        {
            if ((i & 1) == 0)
            {
                frames.add(tcp(GATEWAY_MAC, SERVER_MAC, CLIENT, SERVER, clientPort, serverPort, clientSeq, serverSeq,
                    payloads[i]));
                clientSeq += payloads[i];
            }
            else
            {
                frames.add(tcp(SERVER_MAC, GATEWAY_MAC, SERVER, CLIENT, serverPort, clientPort, serverSeq, clientSeq,
                    payloads[i]));
                serverSeq += payloads[i];
            }
        }
    }

    private static byte[] tcp(final byte[] srcMac, final byte[] dstMac, final int src, final int dst,
        final int srcPort, final int dstPort, final int seq, final int ack, final int payload)
    {
        final ByteBuffer l4 = ByteBuffer.allocate(20 + payload);
        l4.putShort((short)srcPort).putShort((short)dstPort).putInt(seq).putInt(ack)
            .put((byte)0x50).put((byte)0x18).putShort((short)501).putShort((short)0).putShort((short)0);
        fill(l4, payload);
        l4.putShort(16, (short)transportChecksum(src, dst, 6, l4.array()));
        return ipv4Frame(srcMac, dstMac, src, dst, 6, l4.array());
    }

    private static byte[] udp(final byte[] srcMac, final byte[] dstMac, final int src, final int dst,
        final int srcPort, final int dstPort, final byte[] payload)
    {
        final ByteBuffer l4 = ByteBuffer.allocate(8 + payload.length);
        l4.putShort((short)srcPort).putShort((short)dstPort).putShort((short)(8 + payload.length)).putShort((short)0);
        l4.put(payload);
        final int checksum = transportChecksum(src, dst, 17, l4.array());
        l4.putShort(6, (short)(checksum == 0 ? 0xFFFF : checksum));
        return ipv4Frame(srcMac, dstMac, src, dst, 17, l4.array());
    }

    /** A DNS query for the A record of example.com, or its answer (RFC 1035). */
    private static byte[] dns(final boolean answer)
    {
        final ByteBuffer message = ByteBuffer.allocate(64);
        message.putShort((short)0x2a6b).putShort((short)(answer ? 0x8180 : 0x0100)).putShort((short)1)
            .putShort((short)(answer ? 1 : 0)).putShort((short)0).putShort((short)0);
        message.put((byte)7).put("example".getBytes(StandardCharsets.US_ASCII))
            .put((byte)3).put("com".getBytes(StandardCharsets.US_ASCII)).put((byte)0)
            .putShort((short)1).putShort((short)1);
        if (answer)
        {
            message.putShort((short)0xc00c).putShort((short)1).putShort((short)1).putInt(300).putShort((short)4)
                .putInt(ipv4(93, 184, 215, 14));
        }
        return Arrays.copyOf(message.array(), message.position());
    }

    /** An NTPv4 packet of the given mode: 3 client, 4 server (RFC 5905). */
    private static byte[] ntp(final int mode)
    {
        final ByteBuffer message = ByteBuffer.allocate(48);
        message.put((byte)(4 << 3 | mode)).put((byte)(mode == 4 ? 2 : 0)).put((byte)6).put((byte)0xe9);
        message.putLong(40, 0xece5_a180_0000_0000L);
        return message.array();
    }

    private static byte[] icmpEcho(final byte[] srcMac, final byte[] dstMac, final int src, final int dst,
        final int type, final int sequence)
    {
        final ByteBuffer l4 = ByteBuffer.allocate(8 + 32);
        l4.put((byte)type).put((byte)0).putShort((short)0).putShort((short)0x1d2c).putShort((short)sequence);
        fill(l4, 32);
        l4.putShort(2, (short)checksum(l4.array(), 0, l4.capacity(), 0));
        return ipv4Frame(srcMac, dstMac, src, dst, 1, l4.array());
    }

    private static byte[] arp(final byte[] senderMac, final int sender, final int target)
    {
        final ByteBuffer frame = ByteBuffer.allocate(42);
        frame.put(new byte[]{-1, -1, -1, -1, -1, -1}).put(senderMac).putShort((short)0x0806);
        frame.putShort((short)1).putShort((short)0x0800).put((byte)6).put((byte)4).putShort((short)1)
            .put(senderMac).putInt(sender).put(new byte[6]).putInt(target);
        return frame.array();
    }

    private static byte[] ipv4Frame(final byte[] srcMac, final byte[] dstMac, final int src, final int dst,
        final int protocol, final byte[] l4)
    {
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + l4.length);
        frame.put(dstMac).put(srcMac).putShort((short)0x0800);
        frame.put((byte)0x45).put((byte)0).putShort((short)(20 + l4.length)).putShort((short)0x1234)
            .putShort((short)0x4000).put((byte)64).put((byte)protocol).putShort((short)0).putInt(src).putInt(dst);
        frame.putShort(24, (short)checksum(frame.array(), 14, 20, 0));
        frame.put(l4);
        return frame.array();
    }

    private static int transportChecksum(final int src, final int dst, final int protocol, final byte[] l4)
    {
        final long pseudo = (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + l4.length;
        return checksum(l4, 0, l4.length, pseudo);
    }

    /** The Internet checksum (RFC 1071) of a range, starting from a partial sum. */
    private static int checksum(final byte[] bytes, final int offset, final int length, final long initial)
    {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2)
        {
            sum += ((bytes[offset + i] & 0xFF) << 8) | (bytes[offset + i + 1] & 0xFF);
        }
        if ((length & 1) != 0)
        {
            sum += (bytes[offset + length - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    private static void fill(final ByteBuffer buffer, final int payload)
    {
        for (int i = 0; i < payload; i++)
        {
            buffer.put((byte)('a' + i % 26));
        }
    }

    private static byte[] mac(final String text)
    {
        final String[] parts = text.split(":");
        final byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            mac[i] = (byte)Integer.parseInt(parts[i], 16);
        }
        return mac;
    }

    private static int ipv4(final int a, final int b, final int c, final int d)
    {
        return a << 24 | b << 16 | c << 8 | d;
    }
}
