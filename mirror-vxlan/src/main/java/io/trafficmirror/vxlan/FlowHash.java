package io.trafficmirror.vxlan;

import io.trafficmirror.vxlan.packet.PacketHeaders;
import io.trafficmirror.vxlan.packet.ParseResult;

import java.nio.ByteBuffer;

/**
 * Picks the outer UDP source port of a VXLAN packet from the inner frame's flow, the way RFC 7348 §5
 * recommends: a hash of the inner headers, in the dynamic range 49152..65535, so that routers and load
 * balancers that spread traffic by 5-tuple spread tunnelled flows too.
 *
 * <p>The hash is <em>symmetric</em>: both directions of a flow get the same port, so a target behind a
 * flow-hashing load balancer sees a whole conversation on one path. (AWS does not promise this; see
 * docs/semantics.md, "The flow-hash source port".) The flow is:
 * <ul>
 *   <li>TCP, UDP, SCTP: addresses, protocol and ports (5-tuple);</li>
 *   <li>ICMP and ICMPv6: addresses, protocol and, for echo request and reply, the echo identifier in place
 *       of both ports, so a ping and its reply share a port;</li>
 *   <li>other IP protocols, and fragments that carry no ports: addresses and protocol (3-tuple);</li>
 *   <li>non-IP frames (ARP, LLDP, ...) and frames it cannot parse: the two MAC addresses and the Ethernet
 *       type, or for a frame shorter than an Ethernet header, its bytes. Every frame gets a port in range.</li>
 * </ul>
 * The flow is what the project's one header walker, {@link PacketHeaders}, finds: {@link #sourcePort(PacketHeaders)}
 * hashes a parse (a sender that parsed the frame to filter it pays nothing more), and the methods that take bytes
 * walk them with the walker's static readers, caps and layout constants, reading only what the hash needs; both
 * give a frame the same port. Nothing is read outside the given bounds and nothing is allocated. Public, so that
 * a sender that sends VXLAN through a UDP socket can bind or pick the same port this library puts in outer
 * headers.
 */
public final class FlowHash
{
    /** Lowest port returned: the start of the IANA dynamic range. */
    public static final int MIN_PORT = 49152;
    /** Highest port returned. */
    public static final int MAX_PORT = 65535;

    private static final int PORT_BITS = 14;
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;
    private static final long MULTIPLIER = 0xD6E8_FEB8_6659_FD93L;

    private FlowHash()
    {
    }

    /**
     * The outer UDP source port for a frame already parsed, without reading the frame again.
     *
     * <p>For a frame parsed with {@link PacketHeaders#parseEthernet(ByteBuffer, int, int)} this is the port
     * {@link #sourcePort(ByteBuffer, int, int)} gives the same bytes, except for a frame shorter than an Ethernet
     * header (which carries no flow, and which no mirror session sends): its bytes are not in the parse, so it
     * gets a port from its length alone. A raw IP packet ({@link PacketHeaders#parseIp(ByteBuffer, int, int)})
     * gets the port of its flow, as if it had an Ethernet header.
     *
     * @param headers the last parse of the frame; not changed.
     * @return a port in {@link #MIN_PORT}..{@link #MAX_PORT}, the same for both directions of a flow.
     */
    public static int sourcePort(final PacketHeaders headers)
    {
        return port(hash(headers));
    }

    /**
     * The outer UDP source port for an inner Ethernet frame.
     *
     * @param frame the buffer holding the frame; position, limit and order are not changed.
     * @param offset absolute index of the frame's first byte.
     * @param length bytes of the frame available (it may be cut short).
     * @return a port in {@link #MIN_PORT}..{@link #MAX_PORT}, the same for both directions of a flow.
     */
    public static int sourcePort(final ByteBuffer frame, final int offset, final int length)
    {
        if (!Bytes.inBounds(offset, length, frame.limit()))
        {
            return MIN_PORT;
        }
        return portInBounds(frame, offset, length);
    }

    /**
     * The outer UDP source port for an inner Ethernet frame held in an array.
     *
     * <p>Wraps the array in a short-lived view, which the JIT normally removes; a hot loop that cannot
     * afford even that keeps its frames in a {@link ByteBuffer}.
     *
     * @param frame the array holding the frame.
     * @param offset index of the frame's first byte.
     * @param length bytes of the frame available.
     * @return a port in {@link #MIN_PORT}..{@link #MAX_PORT}.
     */
    public static int sourcePort(final byte[] frame, final int offset, final int length)
    {
        return sourcePort(ByteBuffer.wrap(frame), offset, length);
    }

    /** {@link #sourcePort(ByteBuffer, int, int)} for a caller that has checked the bounds already. */
    static int portInBounds(final ByteBuffer frame, final int offset, final int length)
    {
        return port(hash(frame, offset, length));
    }

    private static int port(final long hash)
    {
        return MIN_PORT + (int)(hash >>> (64 - PORT_BITS));
    }

    /** {@link #hash(PacketHeaders)} of the frame's bytes, reading only what the hash needs. */
    private static long hash(final ByteBuffer frame, final int offset, final int length)
    {
        final int end = offset + length;
        if (length < PacketHeaders.ETHERNET_HEADER_LENGTH)
        {
            long h = length;
            for (int i = offset; i < end; i++)
            {
                h = mix(h + Bytes.u8(frame, i));
            }
            return mix(h);
        }
        int typeIndex = offset + PacketHeaders.ETHERNET_TYPE_OFFSET;
        int etherType = Bytes.u16(frame, typeIndex);
        if (etherType == PacketHeaders.ETHERTYPE_VLAN || etherType == PacketHeaders.ETHERTYPE_QINQ)
        {
            typeIndex = PacketHeaders.etherTypeIndex(frame, offset, end);
            etherType = Bytes.u16(frame, typeIndex);
        }
        final int p = typeIndex + 2;
        long h = 0;
        if (etherType == PacketHeaders.ETHERTYPE_IPV4)
        {
            h = ipv4(frame, p, end);
        }
        else if (etherType == PacketHeaders.ETHERTYPE_IPV6)
        {
            h = ipv6(frame, p, end);
        }
        return h != 0 ? h : macHash(frame, offset, etherType);
    }

    private static long macHash(final ByteBuffer frame, final int offset, final int etherType)
    {
        final long destination = Bytes.i64(frame, offset) >>> 16;
        final long source = Bytes.i64(frame, offset + 4) & 0xFFFF_FFFF_FFFFL;
        return combine(mix(destination), mix(source), etherType);
    }

    private static long ipv4(final ByteBuffer frame, final int p, final int end)
    {
        if (p + PacketHeaders.IPV4_MIN_HEADER_LENGTH > end)
        {
            return 0;
        }
        // Three independent wide reads instead of a chain: bytes 0..7 (version, header length, total length,
        // fragment field), 8..15 (protocol, source), 16..23 (destination and, without options, both ports).
        final long first = Bytes.i64(frame, p);
        final long second = Bytes.i64(frame, p + 8);
        final boolean portsInThird = p + PacketHeaders.IPV4_MIN_HEADER_LENGTH + 4 <= end;
        final long third = portsInThird ? Bytes.i64(frame, p + 16) : (long)Bytes.i32(frame, p + 16) << 32;
        final int headerLength = (int)(first >>> 56 & 0x0F) * 4;
        final int totalLength = (int)(first >>> 32) & 0xFFFF;
        if ((first >>> 60) != 4 || headerLength < PacketHeaders.IPV4_MIN_HEADER_LENGTH
            || (totalLength != 0 && totalLength < headerLength))
        {
            return 0;
        }
        final int protocol = (int)(second >>> 48) & 0xFF;
        final long source = second & 0xFFFF_FFFFL;
        final long destination = third >>> 32;
        int ports = 0;
        if ((first & PacketHeaders.IPV4_FRAGMENT_OFFSET_MASK) == 0)
        {
            if (headerLength == PacketHeaders.IPV4_MIN_HEADER_LENGTH && (protocol == PacketHeaders.PROTOCOL_TCP
                || protocol == PacketHeaders.PROTOCOL_UDP || protocol == PacketHeaders.PROTOCOL_SCTP))
            {
                // The common frame: both ports are in the third read when the capture and the packet's own
                // length (0: the captured bytes) hold them, which is the walker's rule without its arithmetic.
                final boolean portsInPacket = totalLength == 0 || totalLength >= PacketHeaders.IPV4_MIN_HEADER_LENGTH + 4;
                ports = portsInThird && portsInPacket ? (int)third : 0;
            }
            else if (p + headerLength <= end)
            {
                final int packetEnd = totalLength == 0 ? end : (int)Math.min(end, (long)p + totalLength);
                ports = flowPorts(frame, p + headerLength, packetEnd, protocol, 4);
            }
        }
        return ipv4(source, destination, ports, protocol);
    }

    private static long ipv6(final ByteBuffer frame, final int p, final int end)
    {
        if (p + PacketHeaders.IPV6_HEADER_LENGTH > end || (Bytes.u8(frame, p) >>> 4) != 6)
        {
            return 0;
        }
        final long source = mix(mix(Bytes.i64(frame, p + PacketHeaders.IPV6_SOURCE_OFFSET))
            + Bytes.i64(frame, p + PacketHeaders.IPV6_SOURCE_OFFSET + 8));
        final long destination = mix(mix(Bytes.i64(frame, p + PacketHeaders.IPV6_DESTINATION_OFFSET))
            + Bytes.i64(frame, p + PacketHeaders.IPV6_DESTINATION_OFFSET + 8));
        final long walk = PacketHeaders.walkIpv6(frame, p, end);
        int protocol = PacketHeaders.PROTOCOL_UNKNOWN;
        int ports = 0;
        if (PacketHeaders.walkResult(walk) == ParseResult.OK)
        {
            protocol = PacketHeaders.walkProtocol(walk);
            if (!PacketHeaders.walkLaterFragment(walk))
            {
                final int packetEnd = (int)Math.min(end, PacketHeaders.ipDeclaredEnd(frame, p, end, 6));
                ports = flowPorts(frame, PacketHeaders.walkOffset(walk), packetEnd, protocol, 6);
            }
        }
        return combine(source + (ports >>> 16), destination + (ports & 0xFFFF), protocol);
    }

    /** {@link PacketHeaders#flowPorts()} of the upper-layer header at {@code l4}, which ends by {@code packetEnd}. */
    private static int flowPorts(
        final ByteBuffer frame, final int l4, final int packetEnd, final int protocol, final int version)
    {
        if (protocol == PacketHeaders.PROTOCOL_TCP || protocol == PacketHeaders.PROTOCOL_UDP
            || protocol == PacketHeaders.PROTOCOL_SCTP)
        {
            return packetEnd - l4 >= 4 ? Bytes.i32(frame, l4) : 0;
        }
        final boolean icmp =
            version == 4 ? protocol == PacketHeaders.PROTOCOL_ICMP : protocol == PacketHeaders.PROTOCOL_ICMPV6;
        if (icmp && packetEnd - l4 >= PacketHeaders.ICMP_ECHO_IDENTIFIER_OFFSET + 2)
        {
            final int type = Bytes.u8(frame, l4);
            final boolean echo = version == 4
                ? type == PacketHeaders.ICMP_ECHO_REQUEST || type == PacketHeaders.ICMP_ECHO_REPLY
                : type == PacketHeaders.ICMPV6_ECHO_REQUEST || type == PacketHeaders.ICMPV6_ECHO_REPLY;
            if (echo)
            {
                final int identifier = Bytes.u16(frame, l4 + PacketHeaders.ICMP_ECHO_IDENTIFIER_OFFSET);
                return identifier << 16 | identifier;
            }
        }
        return 0;
    }

    /**
     * A symmetric hash whose top {@link #PORT_BITS} bits are well mixed; the low bits need not be. IP packets whose
     * fixed header the walker read hash by flow; everything else by the link header.
     */
    private static long hash(final PacketHeaders headers)
    {
        final int version = headers.ipVersion();
        if (version == 4)
        {
            final long h = ipv4(headers);
            if (h != 0)
            {
                return h;
            }
        }
        else if (version == 6)
        {
            return ipv6(headers);
        }
        if (headers.hasLinkHeader())
        {
            return combine(mix(headers.destinationMac()), mix(headers.sourceMac()), headers.etherType());
        }
        return mix(headers.capturedLength());
    }

    private static long ipv4(final PacketHeaders headers)
    {
        return ipv4(
            headers.sourceIpv4() & 0xFFFF_FFFFL, headers.destinationIpv4() & 0xFFFF_FFFFL, headers.flowPorts(),
            headers.protocol());
    }

    private static long ipv4(final long source, final long destination, final int ports, final int protocol)
    {
        // Each endpoint is address and port in 48 bits; putting the smaller first makes the hash symmetric.
        final long a = source << 16 | ports >>> 16;
        final long b = destination << 16 | ports & 0xFFFF;
        final long low = Math.min(a, b);
        final long high = Math.max(a, b);
        // Two multiplications: the top bits of a product depend on every bit of its inputs, and only the
        // top bits become the port.
        return ((low * GOLDEN ^ high) + protocol) * MULTIPLIER;
    }

    private static long ipv6(final PacketHeaders headers)
    {
        final long source = mix(mix(headers.sourceIpv6High()) + headers.sourceIpv6Low());
        final long destination = mix(mix(headers.destinationIpv6High()) + headers.destinationIpv6Low());
        final int ports = headers.flowPorts();
        return combine(source + (ports >>> 16), destination + (ports & 0xFFFF), headers.protocol());
    }

    /** Order-independent combination of the two endpoints, so that both directions hash alike. */
    private static long combine(final long endpointA, final long endpointB, final int protocol)
    {
        final long h = mix(mix(endpointA) + mix(endpointB) + protocol * GOLDEN);
        return h == 0 ? GOLDEN : h;
    }

    /** The finaliser of MurmurHash3's 64-bit variant: every input bit affects every output bit. */
    private static long mix(final long value)
    {
        long h = value;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }
}
