package io.trafficmirror.testing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writer of Ethernet frames for every module's tests, well-formed or deliberately broken, byte by byte from the
 * RFCs, so that tests do not depend on the code under test to make their input: plain and VLAN-tagged IPv4 and
 * IPv6 with TCP, UDP, ICMP or any protocol, IPv6 extension headers, fragments, lying lengths, cut captures, and
 * VXLAN or GENEVE packets around an inner frame. Checksums are left zero unless {@link #checksums} asks for them.
 * The static shortcuts build the common shapes in one call.
 */
public final class FrameBuilder
{
    /** IPv6 extension header to emit: type (0, 43, 44, 51, 60) and total length in bytes. */
    public record Extension(int type, int length, int fragmentOffsetUnits, boolean moreFragments)
    {
    }

    /** The MAC addresses {@link #ipv4(int, int, int, int, int, int)} puts on its frames (source A, destination B). */
    public static final byte[] MAC_A = {0x02, 0, 0, 0, 0, 0x0a};
    public static final byte[] MAC_B = {0x02, 0, 0, 0, 0, 0x0b};

    public static final int VXLAN_PORT = 4789;
    public static final int GENEVE_PORT = 6081;

    public long destinationMac = 0x0200_0000_0002L;
    public long sourceMac = 0x0200_0000_0001L;
    public int[] vlanTpids = new int[0];
    /** EtherType used when ipVersion is 0 (ARP by default). */
    public int nonIpEtherType = 0x0806;
    /** 0 for a non-IP frame, 4 or 6. */
    public int ipVersion = 4;
    public int sourceIpv4;
    public int destinationIpv4;
    public long sourceIpv6High;
    public long sourceIpv6Low;
    public long destinationIpv6High;
    public long destinationIpv6Low;
    public int protocol = 6;
    public int ipv4OptionsLength;
    public boolean dontFragment;
    public boolean moreFragments;
    /** IPv4 fragment offset in 8-byte units. */
    public int fragmentOffsetUnits;
    public final List<Extension> extensions = new ArrayList<>();
    public int sourcePort;
    public int destinationPort;
    public int icmpType;
    public int icmpCode;
    public int payloadLength;
    /** Added to the IPv4 total length or IPv6 payload length written in the header (may break it). */
    public int declaredLengthDelta;
    /** Ethernet trailer bytes after the IP packet, not counted by the IP length. */
    public int padding;
    /** Bytes kept (a capture's snaplen); negative keeps everything. */
    public int snapLength = -1;
    /** Emit no Ethernet header: a raw IP packet. */
    public boolean rawIp;
    /** When set, the bytes after the transport header instead of {@code payloadLength} patterned bytes. */
    public byte[] payload;
    /**
     * When set, written as they are right after the IP header (and its extensions) in place of the protocol's own
     * header, whatever the protocol and even in a later fragment: for tests that need those bytes exactly.
     */
    public byte[] transportHeader;
    /** Fill in the IPv4 header checksum and the TCP, UDP, ICMP or ICMPv6 checksum (RFC 1071), as a host sends them. */
    public boolean checksums;

    /** @return whether the transport header is written (not a later fragment). */
    public boolean writesTransportHeader()
    {
        if (ipVersion == 4)
        {
            return fragmentOffsetUnits == 0;
        }
        for (final Extension extension : extensions)
        {
            if (extension.type() == 44 && extension.fragmentOffsetUnits() != 0)
            {
                return false;
            }
        }
        return true;
    }

    public byte[] build()
    {
        final ByteBuffer out = ByteBuffer.allocate(20_000);
        if (!rawIp)
        {
            putMac(out, destinationMac);
            putMac(out, sourceMac);
            for (final int tpid : vlanTpids)
            {
                out.putShort((short)tpid);
                out.putShort((short)0x0064);
            }
            out.putShort((short)(ipVersion == 4 ? 0x0800 : ipVersion == 6 ? 0x86DD : nonIpEtherType));
        }
        if (ipVersion == 0)
        {
            final byte[] arp = new byte[28 + payloadLength];
            arp[1] = 1;
            arp[2] = 8;
            arp[4] = 6;
            arp[5] = 4;
            arp[7] = 1;
            out.put(arp);
        }
        else
        {
            final byte[] upper = upperLayer();
            if (ipVersion == 4)
            {
                writeIpv4(out, upper);
            }
            else
            {
                writeIpv6(out, upper);
            }
        }
        out.put(new byte[padding]);
        final int length = snapLength >= 0 ? Math.min(snapLength, out.position()) : out.position();
        final byte[] frame = new byte[length];
        out.flip();
        out.get(frame, 0, length);
        return frame;
    }

    private byte[] upperLayer()
    {
        final int bodyLength = payload != null ? payload.length : payloadLength;
        final ByteBuffer l4 = ByteBuffer.allocate(100 + (transportHeader != null ? transportHeader.length : 0)
            + bodyLength);
        if (transportHeader != null)
        {
            l4.put(transportHeader);
        }
        else if (writesTransportHeader())
        {
            if (protocol == 6)
            {
                l4.putShort((short)sourcePort).putShort((short)destinationPort).putInt(1).putInt(0);
                l4.put((byte)0x50).put((byte)0x02).putShort((short)1024).putShort((short)0).putShort((short)0);
            }
            else if (protocol == 17)
            {
                l4.putShort((short)sourcePort).putShort((short)destinationPort);
                l4.putShort((short)(8 + bodyLength)).putShort((short)0);
            }
            else if ((protocol == 1 && ipVersion == 4) || (protocol == 58 && ipVersion == 6))
            {
                l4.put((byte)icmpType).put((byte)icmpCode).putShort((short)0).putInt(0);
            }
        }
        if (payload != null)
        {
            l4.put(payload);
        }
        else
        {
            for (int i = 0; i < payloadLength; i++)
            {
                l4.put((byte)(i * 7));
            }
        }
        final byte[] bytes = new byte[l4.position()];
        l4.flip().get(bytes);
        return bytes;
    }

    private void writeIpv4(final ByteBuffer out, final byte[] upper)
    {
        final int start = out.position();
        final int headerLength = 20 + ipv4OptionsLength;
        out.put((byte)(0x40 | (headerLength / 4)));
        out.put((byte)0);
        out.putShort((short)(headerLength + upper.length + declaredLengthDelta));
        out.putShort((short)0x1234);
        out.putShort((short)((dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | fragmentOffsetUnits));
        out.put((byte)64);
        out.put((byte)protocol);
        out.putShort((short)0);
        out.putInt(sourceIpv4);
        out.putInt(destinationIpv4);
        for (int i = 0; i < ipv4OptionsLength; i++)
        {
            out.put((byte)1);
        }
        if (checksums)
        {
            out.putShort(start + 10, (short)~sum(out.array(), start, headerLength, 0));
            final long pseudo = protocol == 1 ? 0 : (sourceIpv4 >>> 16) + (sourceIpv4 & 0xFFFF)
                + (destinationIpv4 >>> 16) + (destinationIpv4 & 0xFFFF) + protocol + upper.length;
            fillTransportChecksum(upper, pseudo);
        }
        out.put(upper);
    }

    private void fillTransportChecksum(final byte[] upper, final long pseudoHeaderSum)
    {
        final int at = switch (protocol)
        {
            case 6 -> 16;
            case 17 -> 6;
            case 1, 58 -> 2;
            default -> -1;
        };
        if (at < 0 || transportHeader != null || !writesTransportHeader() || upper.length < at + 2)
        {
            return;
        }
        final int checksum = ~sum(upper, 0, upper.length, pseudoHeaderSum) & 0xFFFF;
        // A computed UDP checksum of zero is sent as all ones (RFC 768).
        final int sent = protocol == 17 && checksum == 0 ? 0xFFFF : checksum;
        upper[at] = (byte)(sent >>> 8);
        upper[at + 1] = (byte)sent;
    }

    private static long halves(final long value)
    {
        return (value >>> 48) + ((value >>> 32) & 0xFFFF) + ((value >>> 16) & 0xFFFF) + (value & 0xFFFF);
    }

    /** The RFC 1071 one's-complement sum of the bytes, starting from {@code initial}, folded to 16 bits. */
    private static int sum(final byte[] bytes, final int offset, final int length, final long initial)
    {
        long sum = initial;
        for (int i = 0; i < length; i += 2)
        {
            final int high = bytes[offset + i] & 0xFF;
            final int low = i + 1 < length ? bytes[offset + i + 1] & 0xFF : 0;
            sum += high << 8 | low;
        }
        while (sum >>> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }

    private void writeIpv6(final ByteBuffer out, final byte[] upper)
    {
        int extensionsLength = 0;
        for (final Extension extension : extensions)
        {
            extensionsLength += extension.length();
        }
        out.putInt(0x6000_0000);
        out.putShort((short)(extensionsLength + upper.length + declaredLengthDelta));
        out.put((byte)(extensions.isEmpty() ? protocol : extensions.get(0).type()));
        out.put((byte)64);
        out.putLong(sourceIpv6High).putLong(sourceIpv6Low).putLong(destinationIpv6High).putLong(destinationIpv6Low);
        for (int i = 0; i < extensions.size(); i++)
        {
            final Extension extension = extensions.get(i);
            final int next = i + 1 < extensions.size() ? extensions.get(i + 1).type() : protocol;
            final int start = out.position();
            out.put((byte)next);
            switch (extension.type())
            {
                case 44:
                    out.put((byte)0);
                    out.putShort((short)((extension.fragmentOffsetUnits() << 3) | (extension.moreFragments() ? 1 : 0)));
                    out.putInt(0x0BAD_F00D);
                    break;
                case 51:
                    out.put((byte)(extension.length() / 4 - 2));
                    out.putShort((short)0);
                    out.putInt(0x100);
                    out.putInt(1);
                    break;
                case 43:
                    out.put((byte)(extension.length() / 8 - 1));
                    out.put((byte)253);
                    out.put((byte)0);
                    break;
                default:
                    out.put((byte)(extension.length() / 8 - 1));
                    // One PadN option fills the rest: type 1, length = area - 2.
                    out.put((byte)1);
                    out.put((byte)(extension.length() - 4));
                    break;
            }
            while (out.position() < start + extension.length())
            {
                out.put((byte)0);
            }
        }
        if (checksums && (protocol == 6 || protocol == 17 || protocol == 58))
        {
            fillTransportChecksum(upper, halves(sourceIpv6High) + halves(sourceIpv6Low) + halves(destinationIpv6High)
                + halves(destinationIpv6Low) + upper.length + protocol);
        }
        out.put(upper);
    }

    private static void putMac(final ByteBuffer out, final long mac)
    {
        out.putShort((short)(mac >>> 32));
        out.putInt((int)mac);
    }

    /** A random but well-formed extension header of the given type. */
    public static Extension randomExtension(final SplittableRandom random, final int type)
    {
        switch (type)
        {
            case 44:
                return new Extension(44, 8, 0, false);
            case 51:
                return new Extension(51, 8 * (2 + random.nextInt(3)), 0, false);
            default:
                return new Extension(type, 8 * (1 + random.nextInt(3)), 0, false);
        }
    }

    /**
     * A builder of an IPv4 TCP frame with 20 bytes of payload, for rule cases that set only addresses and ports.
     */
    public static FrameBuilder tcp(final int source, final int destination, final int sourcePort, final int destinationPort)
    {
        final FrameBuilder frame = new FrameBuilder();
        frame.sourceIpv4 = source;
        frame.destinationIpv4 = destination;
        frame.payloadLength = 20;
        frame.protocol = 6;
        frame.sourcePort = sourcePort;
        frame.destinationPort = destinationPort;
        return frame;
    }

    /**
     * As {@link #tcp(int, int, int, int)}, with UDP.
     */
    public static FrameBuilder udp(final int source, final int destination, final int sourcePort, final int destinationPort)
    {
        final FrameBuilder frame = tcp(source, destination, sourcePort, destinationPort);
        frame.protocol = 17;
        return frame;
    }

    /**
     * A builder of an IPv6 frame from 2001:db8:0:1::5 port 40000 to 2001:db8:0:2::7 port 8080, 16 bytes of payload.
     */
    public static FrameBuilder ipv6(final int protocol)
    {
        final FrameBuilder frame = new FrameBuilder();
        frame.ipVersion = 6;
        frame.protocol = protocol;
        frame.sourceIpv6High = 0x2001_0DB8_0000_0001L;
        frame.sourceIpv6Low = 5;
        frame.destinationIpv6High = 0x2001_0DB8_0000_0002L;
        frame.destinationIpv6Low = 7;
        frame.sourcePort = 40000;
        frame.destinationPort = 8080;
        frame.payloadLength = 16;
        return frame;
    }

    /**
     * An IPv4 frame from {@link #MAC_A} to {@link #MAC_B} with a TCP (6) or UDP (17) header whose ports are given,
     * filled with patterned payload up to {@code length} bytes (at least the headers).
     */
    public static byte[] ipv4(final int protocol, final int sourceIp, final int destinationIp, final int sourcePort,
        final int destinationPort, final int length)
    {
        final FrameBuilder frame = new FrameBuilder();
        frame.sourceMac = mac(MAC_A);
        frame.destinationMac = mac(MAC_B);
        frame.protocol = protocol;
        frame.sourceIpv4 = sourceIp;
        frame.destinationIpv4 = destinationIp;
        frame.sourcePort = sourcePort;
        frame.destinationPort = destinationPort;
        final int headers = 14 + 20 + (protocol == 6 ? 20 : 8);
        frame.payloadLength = Math.max(0, length - headers);
        return frame.build();
    }

    /**
     * Ethernet (with a VLAN tag of each given TPID) + IPv4 with the given flags-and-fragment-offset field + the given
     * first 8 bytes after the IP header, then 16 zero bytes.
     */
    public static byte[] ipv4(final int[] vlanTpids, final int sourceIp, final int destinationIp, final int protocol,
        final int fragmentField, final long transportFirst8)
    {
        final FrameBuilder frame = new FrameBuilder();
        frame.vlanTpids = vlanTpids;
        frame.protocol = protocol;
        frame.sourceIpv4 = sourceIp;
        frame.destinationIpv4 = destinationIp;
        frame.dontFragment = (fragmentField & 0x4000) != 0;
        frame.moreFragments = (fragmentField & 0x2000) != 0;
        frame.fragmentOffsetUnits = fragmentField & 0x1FFF;
        frame.transportHeader = ByteBuffer.allocate(8).putLong(transportFirst8).array();
        frame.payload = new byte[16];
        return frame.build();
    }

    /**
     * Ethernet + IPv6 (optionally behind an 8-byte hop-by-hop header) + the given first 8 bytes after the IPv6
     * headers, then 16 zero bytes; addresses as {high, low} 64-bit halves.
     */
    public static byte[] ipv6(final long[] source, final long[] destination, final int protocol,
        final boolean hopByHop, final long transportFirst8)
    {
        final FrameBuilder frame = new FrameBuilder();
        frame.ipVersion = 6;
        frame.protocol = protocol;
        frame.sourceIpv6High = source[0];
        frame.sourceIpv6Low = source[1];
        frame.destinationIpv6High = destination[0];
        frame.destinationIpv6Low = destination[1];
        if (hopByHop)
        {
            frame.extensions.add(new Extension(0, 8, 0, false));
        }
        frame.transportHeader = ByteBuffer.allocate(8).putLong(transportFirst8).array();
        frame.payload = new byte[16];
        return frame.build();
    }

    /** The first 8 bytes of a TCP or UDP header: the two ports, then 32 bits of the caller's. */
    public static long ports(final int source, final int destination, final int rest)
    {
        return ((long)(source & 0xFFFF) << 48) | ((long)(destination & 0xFFFF) << 32) | (rest & 0xFFFF_FFFFL);
    }

    /** The first 8 bytes of an ICMP echo: type, code 0, checksum 0, identifier, sequence. */
    public static long echo(final int type, final int identifier, final int sequence)
    {
        return ((long)type << 56) | ((long)(identifier & 0xFFFF) << 16) | (sequence & 0xFFFF);
    }

    /** An IPv4 address from its four dotted-decimal parts. */
    public static int ip(final int a, final int b, final int c, final int d)
    {
        return a << 24 | b << 16 | c << 8 | d;
    }

    /** The 8-byte VXLAN header of RFC 7348: flags (0x08 is the I flag alone), 24 reserved bits, VNI, 8 reserved. */
    public static byte[] vxlanHeader(final int flags, final int vni)
    {
        return ByteBuffer.allocate(8).put((byte)flags).put(new byte[3]).putInt(vni << 8).array();
    }

    /**
     * A GENEVE header of RFC 8926: version 0, the options' length in 4-byte words, no O or C flag, the protocol type
     * (0x6558 for Ethernet), the VNI and the options as given (a multiple of 4 bytes).
     */
    public static byte[] geneveHeader(final int vni, final int protocolType, final byte[] options)
    {
        return ByteBuffer.allocate(8 + options.length).put((byte)(options.length / 4)).put((byte)0)
            .putShort((short)protocolType).putInt(vni << 8).put(options).array();
    }

    /**
     * This frame as the outer packet of a tunnel: UDP from {@code sourcePort} to {@code destinationPort}, carrying
     * the tunnel header and then the inner frame.
     */
    public byte[] tunnel(final int sourcePort, final int destinationPort, final byte[] tunnelHeader,
        final byte[] inner)
    {
        protocol = 17;
        this.sourcePort = sourcePort;
        this.destinationPort = destinationPort;
        payload = new byte[tunnelHeader.length + inner.length];
        System.arraycopy(tunnelHeader, 0, payload, 0, tunnelHeader.length);
        System.arraycopy(inner, 0, payload, tunnelHeader.length, inner.length);
        return build();
    }

    private static long mac(final byte[] mac)
    {
        long value = 0;
        for (final byte b : mac)
        {
            value = value << 8 | (b & 0xFF);
        }
        return value;
    }
}
