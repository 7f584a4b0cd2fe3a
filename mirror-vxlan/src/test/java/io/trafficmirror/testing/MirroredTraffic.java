package io.trafficmirror.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tunnelled traffic the project makes itself, so that contract, fuzz and oracle tests stand on a clone alone:
 * VXLAN packets shaped as a mirroring session sends them (outer IPv4 without options, UDP to 4789, the I flag and
 * the session's VNI, so the inner frame starts at byte 50) and GENEVE packets (no options, Ethernet payload, inner
 * frame at byte 50 too). The inner frames cycle through SSH, DNS and NTP over IPv4, ICMP echo, HTTPS and DNS over
 * IPv6, a VLAN-tagged TCP segment and ARP, each with the checksums a host would send. Everything is a function of
 * the packet's index, so every run sees the same bytes.
 */
public final class MirroredTraffic
{
    public static final int VXLAN_VNI = 4_712_345;
    public static final int GENEVE_VNI = 123;
    /** Outer addresses: the mirror source's interface and the target's, from 198.18.0.0/15. */
    public static final int OUTER_SOURCE = FrameBuilder.ip(198, 18, 0, 238);
    public static final int OUTER_DESTINATION = FrameBuilder.ip(198, 18, 9, 40);
    /** How many kinds of inner frame {@link #innerFrame(int)} cycles through. */
    public static final int INNER_KINDS = 8;
    public static final int INNER_OFFSET = 50;
    /** The files {@link #captures()} holds: 100 VXLAN packets, 10 GENEVE packets, and a mix with plain frames. */
    public static final String VXLAN_CAPTURE = "project-vxlan.pcap";
    public static final String GENEVE_CAPTURE = "project-geneve.pcap";
    public static final String MIXED_CAPTURE = "project-mixed.pcap";

    private static List<Path> captures;

    private static final int CLIENT = FrameBuilder.ip(192, 0, 2, 10);
    private static final int SERVER = FrameBuilder.ip(192, 0, 2, 20);

    private MirroredTraffic()
    {
    }

    /** The inner frame of packet {@code index}. */
    public static byte[] innerFrame(final int index)
    {
        final FrameBuilder frame = new FrameBuilder();
        frame.checksums = true;
        frame.sourceMac = 0x0200_5E00_0010L;
        frame.destinationMac = 0x0200_5E00_0020L;
        final boolean reply = (index / INNER_KINDS) % 2 == 1;
        frame.sourceIpv4 = reply ? SERVER : CLIENT;
        frame.destinationIpv4 = reply ? CLIENT : SERVER;
        final int clientPort = 40_000 + index % 1000;
        switch (index % INNER_KINDS)
        {
            case 0 -> ports(frame, 6, clientPort, 22, reply, 48 + index % 200);
            case 1 ->
            {
                ports(frame, 17, clientPort, 53, reply, 0);
                frame.payload = dns(index, reply);
            }
            case 2 ->
            {
                ports(frame, 17, 123, 123, reply, 0);
                // NTP version 4, client (mode 3) or server (mode 4), the rest zero.
                frame.payload = new byte[48];
                frame.payload[0] = (byte)(reply ? 0x24 : 0x23);
            }
            case 3 ->
            {
                frame.protocol = 1;
                frame.icmpType = reply ? 0 : 8;
                frame.payloadLength = 56;
            }
            case 4, 5 ->
            {
                frame.ipVersion = 6;
                frame.sourceIpv6High = 0x2001_0db8_0000_0001L;
                frame.sourceIpv6Low = reply ? 2 : 1;
                frame.destinationIpv6High = 0x2001_0db8_0000_0001L;
                frame.destinationIpv6Low = reply ? 1 : 2;
                if (index % INNER_KINDS == 4)
                {
                    ports(frame, 6, clientPort, 443, reply, 100 + index % 300);
                }
                else
                {
                    ports(frame, 17, clientPort, 53, reply, 0);
                    frame.payload = dns(index, reply);
                }
            }
            case 6 ->
            {
                frame.vlanTpids = new int[] {0x8100};
                ports(frame, 6, clientPort, 8080, reply, 20);
            }
            default ->
            {
                frame.ipVersion = 0;
                frame.destinationMac = 0xFFFF_FFFF_FFFFL;
            }
        }
        return frame.build();
    }

    /** VXLAN packet {@code index}: the session's VNI, a source port that follows the inner flow. */
    public static byte[] vxlan(final int index)
    {
        return vxlan(index, 0x08, VXLAN_VNI);
    }

    /** VXLAN packet {@code index} with the given flags (0x08 is the I flag alone) and VNI. */
    public static byte[] vxlan(final int index, final int flags, final int vni)
    {
        return outer(0).tunnel(49_152 + (index % INNER_KINDS) * 7, FrameBuilder.VXLAN_PORT,
            FrameBuilder.vxlanHeader(flags, vni), innerFrame(index));
    }

    /** GENEVE packet {@code index}: VNI 123, no options, an Ethernet payload. */
    public static byte[] geneve(final int index)
    {
        return outer(1).tunnel(50_000 + index % INNER_KINDS, FrameBuilder.GENEVE_PORT,
            FrameBuilder.geneveHeader(GENEVE_VNI, 0x6558, new byte[0]), innerFrame(index));
    }

    public static List<byte[]> vxlanPackets(final int count)
    {
        final List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            packets.add(vxlan(i));
        }
        return packets;
    }

    public static List<byte[]> genevePackets(final int count)
    {
        final List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            packets.add(geneve(i));
        }
        return packets;
    }

    /**
     * Writes the traffic as classic pcap files into the directory and returns them, sorted by name: 100 VXLAN
     * packets, 10 GENEVE packets, and a mix of both with plain UDP and TCP frames that are not tunnels.
     */
    public static List<Path> writeCaptures(final Path directory) throws IOException
    {
        final Path geneve = directory.resolve(GENEVE_CAPTURE);
        final Path mixed = directory.resolve(MIXED_CAPTURE);
        final Path vxlan = directory.resolve(VXLAN_CAPTURE);
        Pcap.write(geneve, genevePackets(10));
        final List<byte[]> both = new ArrayList<>();
        for (int i = 0; i < 24; i++)
        {
            both.add(i % 3 == 0 ? geneve(i) : i % 3 == 1 ? vxlan(i) : innerFrame(i));
        }
        Pcap.write(mixed, both);
        Pcap.write(vxlan, vxlanPackets(100));
        return List.of(geneve, mixed, vxlan);
    }

    /**
     * 100 frames of a mirrored instance, 172.31.0.238 in the default VPC (172.31.0.0/16, resolver at 172.31.0.2),
     * as a mirror source sees them before encapsulation: SSH in and out, DNS to the resolver and its answers, NTP
     * and HTTPS to hosts outside. IPv4 without options throughout.
     */
    public static List<byte[]> instanceFrames()
    {
        final int instance = FrameBuilder.ip(172, 31, 0, 238);
        final int resolver = FrameBuilder.ip(172, 31, 0, 2);
        final int sshClient = FrameBuilder.ip(198, 51, 100, 7);
        final int ntp = FrameBuilder.ip(203, 0, 113, 123);
        final int web = FrameBuilder.ip(203, 0, 113, 80);
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            final byte[] frame = switch (i % 10)
            {
                case 0, 2, 4 -> FrameBuilder.ipv4(6, sshClient, instance, 50_022, 22, 60 + i);
                case 1, 3, 5 -> FrameBuilder.ipv4(6, instance, sshClient, 22, 50_022, 100 + i);
                case 6 -> FrameBuilder.ipv4(17, instance, resolver, 40_000 + i, 53, 80);
                case 7 -> FrameBuilder.ipv4(17, resolver, instance, 53, 40_000 + i - 1, 120);
                case 8 -> FrameBuilder.ipv4(17, instance, ntp, 123, 123, 90);
                default -> FrameBuilder.ipv4(6, instance, web, 44_000 + i, 443, 200 + i);
            };
            frames.add(frame);
        }
        return frames;
    }

    /** The captures of {@link #writeCaptures}, written once per test run into a temporary directory. */
    public static synchronized List<Path> captures() throws IOException
    {
        if (captures == null)
        {
            final Path directory = Files.createTempDirectory("trafficmirror-captures");
            captures = writeCaptures(directory);
            directory.toFile().deleteOnExit();
            captures.forEach(file -> file.toFile().deleteOnExit());
        }
        return captures;
    }

    /** One of {@link #captures()} by name. */
    public static Path capture(final String name) throws IOException
    {
        final List<Path> files = captures();
        return files.stream().filter(file -> file.getFileName().toString().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException(name + " is not one of " + files));
    }

    private static FrameBuilder outer(final int session)
    {
        final FrameBuilder outer = new FrameBuilder();
        outer.checksums = true;
        outer.sourceMac = 0x0200_5E00_0100L + session;
        outer.destinationMac = 0x0200_5E00_0200L;
        outer.sourceIpv4 = OUTER_SOURCE + session;
        outer.destinationIpv4 = OUTER_DESTINATION;
        return outer;
    }

    /** A DNS query for the A record of {@code h<index>.example}, or its answer (RFC 1035). */
    private static byte[] dns(final int index, final boolean reply)
    {
        final byte[] label = ("h" + index).getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer out = ByteBuffer.allocate(12 + label.length + 15 + 16);
        out.putShort((short)index).putShort((short)(reply ? 0x8180 : 0x0100)).putShort((short)1)
            .putShort((short)(reply ? 1 : 0)).putShort((short)0).putShort((short)0);
        out.put((byte)label.length).put(label).put((byte)7).put("example".getBytes(StandardCharsets.US_ASCII))
            .put((byte)0).putShort((short)1).putShort((short)1);
        if (reply)
        {
            // A pointer to the question's name, type A, class IN, TTL 60, four bytes of address.
            out.putShort((short)0xC00C).putShort((short)1).putShort((short)1).putInt(60).putShort((short)4)
                .putInt(SERVER);
        }
        final byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    private static void ports(final FrameBuilder frame, final int protocol, final int clientPort,
        final int serverPort, final boolean reply, final int payloadLength)
    {
        frame.protocol = protocol;
        frame.sourcePort = reply ? serverPort : clientPort;
        frame.destinationPort = reply ? clientPort : serverPort;
        frame.payloadLength = payloadLength;
    }
}
