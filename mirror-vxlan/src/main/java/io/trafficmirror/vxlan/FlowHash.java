package io.trafficmirror.vxlan;

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
 * It reads Ethernet, any number of VLAN tags (0x8100, 0x88a8), IPv4 and IPv6 with its usual extension
 * headers, reads no byte outside the given bounds and allocates nothing. Public, so that a sender that
 * sends VXLAN through a UDP socket can bind or pick the same port this library puts in outer headers.
 */
public final class FlowHash
{
    /** Lowest port returned: the start of the IANA dynamic range. */
    public static final int MIN_PORT = 49152;
    /** Highest port returned. */
    public static final int MAX_PORT = 65535;

    private static final int ETHERNET_HEADER_LENGTH = 14;
    private static final int ETHER_TYPE_OFFSET = 12;
    private static final int VLAN_TAG_LENGTH = 4;
    private static final int ETHER_TYPE_VLAN = 0x8100;
    private static final int ETHER_TYPE_QINQ = 0x88A8;
    private static final int ETHER_TYPE_IPV4 = 0x0800;
    private static final int ETHER_TYPE_IPV6 = 0x86DD;
    private static final int IPV4_MIN_HEADER_LENGTH = 20;
    private static final int IPV6_HEADER_LENGTH = 40;
    private static final int MAX_EXTENSION_HEADERS = 8;
    private static final int PROTOCOL_ICMP = 1;
    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;
    private static final int PROTOCOL_SCTP = 132;
    private static final int PROTOCOL_ICMPV6 = 58;
    private static final int PORT_BITS = 14;
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;
    private static final long MULTIPLIER = 0xD6E8_FEB8_6659_FD93L;

    private FlowHash()
    {
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
        return MIN_PORT + (int)(hash(frame, offset, length) >>> (64 - PORT_BITS));
    }

    /** A symmetric hash whose top {@link #PORT_BITS} bits are well mixed; the low bits need not be. */
    private static long hash(final ByteBuffer frame, final int offset, final int length)
    {
        final int end = offset + length;
        if (length < ETHERNET_HEADER_LENGTH)
        {
            long h = length;
            for (int i = offset; i < end; i++)
            {
                h = mix(h + Bytes.u8(frame, i));
            }
            return mix(h);
        }

        int etherType = Bytes.u16(frame, offset + ETHER_TYPE_OFFSET);
        int p = offset + ETHERNET_HEADER_LENGTH;
        while ((etherType == ETHER_TYPE_VLAN || etherType == ETHER_TYPE_QINQ) && p + VLAN_TAG_LENGTH <= end)
        {
            etherType = Bytes.u16(frame, p + 2);
            p += VLAN_TAG_LENGTH;
        }

        long h = 0;
        if (etherType == ETHER_TYPE_IPV4)
        {
            h = ipv4(frame, p, end);
        }
        else if (etherType == ETHER_TYPE_IPV6)
        {
            h = ipv6(frame, p, end);
        }
        return h != 0 ? h : macHash(frame, offset, etherType);
    }

    private static long ipv4(final ByteBuffer frame, final int p, final int end)
    {
        if (p + IPV4_MIN_HEADER_LENGTH > end)
        {
            return 0;
        }
        // Three independent wide reads instead of a chain: bytes 0..7 (version, header length, fragment
        // field), 8..15 (protocol, source), 16..23 (destination and, without options, both ports).
        final long first = Bytes.i64(frame, p);
        final long second = Bytes.i64(frame, p + 8);
        final boolean portsInThird = p + IPV4_MIN_HEADER_LENGTH + 4 <= end;
        final long third = portsInThird ? Bytes.i64(frame, p + 16) : (long)Bytes.i32(frame, p + 16) << 32;
        if ((first >>> 60) != 4)
        {
            return 0;
        }
        final int headerLength = (int)(first >>> 56 & 0x0F) * 4;
        if (headerLength < IPV4_MIN_HEADER_LENGTH)
        {
            return 0;
        }
        final int protocol = (int)(second >>> 48) & 0xFF;
        final long source = second & 0xFFFF_FFFFL;
        final long destination = third >>> 32;
        final boolean firstFragment = (first & 0x1FFF) == 0;
        int ports = 0;
        if (firstFragment)
        {
            final boolean fiveTuple = protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP || protocol == PROTOCOL_SCTP;
            ports = fiveTuple && headerLength == IPV4_MIN_HEADER_LENGTH
                ? (portsInThird ? (int)third : 0)
                : ports(frame, p + headerLength, end, protocol, PROTOCOL_ICMP, 8, 0);
        }
        // Each endpoint is address and port in 48 bits; putting the smaller first makes the hash symmetric.
        final long a = source << 16 | ports >>> 16;
        final long b = destination << 16 | ports & 0xFFFF;
        final long low = Math.min(a, b);
        final long high = Math.max(a, b);
        // Two multiplications: the top bits of a product depend on every bit of its inputs, and only the
        // top bits become the port.
        return ((low * GOLDEN ^ high) + protocol) * MULTIPLIER;
    }

    private static long ipv6(final ByteBuffer frame, final int p, final int end)
    {
        if (p + IPV6_HEADER_LENGTH > end || (Bytes.u8(frame, p) >>> 4) != 6)
        {
            return 0;
        }
        final long source = mix(mix(Bytes.i64(frame, p + 8)) + Bytes.i64(frame, p + 16));
        final long destination = mix(mix(Bytes.i64(frame, p + 24)) + Bytes.i64(frame, p + 32));
        int next = Bytes.u8(frame, p + 6);
        int l4 = p + IPV6_HEADER_LENGTH;
        boolean portsPresent = true;
        for (int i = 0; i < MAX_EXTENSION_HEADERS && l4 + 8 <= end; i++)
        {
            if (next == 0 || next == 43 || next == 60)
            {
                final int length = (Bytes.u8(frame, l4 + 1) + 1) * 8;
                next = Bytes.u8(frame, l4);
                l4 += length;
            }
            else if (next == 44)
            {
                portsPresent = (Bytes.u16(frame, l4 + 2) & 0xFFF8) == 0;
                next = Bytes.u8(frame, l4);
                l4 += 8;
            }
            else if (next == 51)
            {
                final int length = (Bytes.u8(frame, l4 + 1) + 2) * 4;
                next = Bytes.u8(frame, l4);
                l4 += length;
            }
            else
            {
                break;
            }
        }
        int sourcePort = 0;
        int destinationPort = 0;
        if (portsPresent)
        {
            final int ports = ports(frame, l4, end, next, PROTOCOL_ICMPV6, 128, 129);
            sourcePort = ports >>> 16;
            destinationPort = ports & 0xFFFF;
        }
        return combine(source + sourcePort, destination + destinationPort, next);
    }

    /** Source port in the high 16 bits, destination port in the low 16; 0 when the packet carries none. */
    private static int ports(
        final ByteBuffer frame,
        final int l4,
        final int end,
        final int protocol,
        final int icmpProtocol,
        final int echoRequest,
        final int echoReply)
    {
        if (protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP || protocol == PROTOCOL_SCTP)
        {
            return l4 + 4 <= end ? Bytes.i32(frame, l4) : 0;
        }
        if (protocol == icmpProtocol && l4 + 6 <= end)
        {
            final int type = Bytes.u8(frame, l4);
            if (type == echoRequest || type == echoReply)
            {
                final int identifier = Bytes.u16(frame, l4 + 4);
                return identifier << 16 | identifier;
            }
        }
        return 0;
    }

    private static long macHash(final ByteBuffer frame, final int offset, final int etherType)
    {
        final long destination = Bytes.i64(frame, offset) >>> 16;
        final long source = Bytes.i64(frame, offset + 4) & 0xFFFF_FFFF_FFFFL;
        return combine(mix(destination), mix(source), etherType);
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
