package io.trafficmirror.vxlan;

import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.nio.ByteBuffer;

/**
 * Picks the outer UDP source port of a VXLAN packet from the inner frame's flow, the way RFC 7348 §5
 * recommends: a hash of the inner headers, in the dynamic range 49152..65535, so that routers and load
 * balancers that spread traffic by 5-tuple spread tunnelled flows too.
 *
 * <p>The hash is <em>symmetric</em>: both directions of a flow get the same port, so a target behind a
 * flow-hashing load balancer sees a whole conversation on one path. (AWS does not promise this; see
 * SEMANTICS.md.) The flow is:
 * <ul>
 *   <li>TCP, UDP, SCTP: addresses, protocol and ports (5-tuple);</li>
 *   <li>ICMP and ICMPv6: addresses, protocol and, for echo request and reply, the echo identifier in place
 *       of both ports, so a ping and its reply share a port;</li>
 *   <li>other IP protocols, and fragments that carry no ports: addresses and protocol (3-tuple);</li>
 *   <li>non-IP frames (ARP, LLDP, ...) and frames it cannot parse: the two MAC addresses and the Ethernet
 *       type, or for a frame shorter than an Ethernet header, its bytes. Every frame gets a port in range.</li>
 * </ul>
 * The flow comes from the project's one header walker, {@link PacketHeaders}: {@link #sourcePort(PacketHeaders)}
 * hashes what a parse already found (a sender that parsed the frame to filter it pays nothing more), and the
 * methods that take bytes parse them first, with the walker's caps on VLAN tags and extension headers. Nothing
 * is read outside the given bounds and nothing is allocated per call (the byte-taking methods keep one walker
 * per thread). Public, so that a sender that sends VXLAN through a UDP socket can bind or pick the same port this
 * library puts in outer headers.
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

    /**
     * The walker for callers that only have bytes: one per thread, made on a thread's first call. It holds no
     * reference to a caller's buffer between calls.
     */
    private static final ThreadLocal<PacketHeaders> WALKERS = ThreadLocal.withInitial(PacketHeaders::new);

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
        return portInBounds(WALKERS.get(), frame, offset, length);
    }

    /**
     * The outer UDP source port for an inner Ethernet frame held in an array.
     *
     * @param frame the array holding the frame.
     * @param offset index of the frame's first byte.
     * @param length bytes of the frame available.
     * @return a port in {@link #MIN_PORT}..{@link #MAX_PORT}.
     */
    public static int sourcePort(final byte[] frame, final int offset, final int length)
    {
        if (!Bytes.inBounds(offset, length, frame.length))
        {
            return MIN_PORT;
        }
        if (length < PacketHeaders.ETHERNET_HEADER_LENGTH)
        {
            long h = length;
            for (int i = offset, end = offset + length; i < end; i++)
            {
                h = mix(h + (frame[i] & 0xFF));
            }
            return port(mix(h));
        }
        final PacketHeaders walker = WALKERS.get();
        walker.parseEthernet(frame, offset, length);
        return port(hash(walker));
    }

    /**
     * {@link #sourcePort(ByteBuffer, int, int)} for a caller that has checked the bounds already and keeps its own
     * walker, which this parse overwrites.
     */
    static int portInBounds(final PacketHeaders walker, final ByteBuffer frame, final int offset, final int length)
    {
        if (length < PacketHeaders.ETHERNET_HEADER_LENGTH)
        {
            long h = length;
            for (int i = offset, end = offset + length; i < end; i++)
            {
                h = mix(h + Bytes.u8(frame, i));
            }
            return port(mix(h));
        }
        walker.parseEthernet(frame, offset, length);
        return port(hash(walker));
    }

    private static int port(final long hash)
    {
        return MIN_PORT + (int)(hash >>> (64 - PORT_BITS));
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
        final int ports = headers.flowPorts();
        // Each endpoint is address and port in 48 bits; putting the smaller first makes the hash symmetric.
        final long a = (headers.sourceIpv4() & 0xFFFF_FFFFL) << 16 | ports >>> 16;
        final long b = (headers.destinationIpv4() & 0xFFFF_FFFFL) << 16 | ports & 0xFFFF;
        final long low = Math.min(a, b);
        final long high = Math.max(a, b);
        // Two multiplications: the top bits of a product depend on every bit of its inputs, and only the
        // top bits become the port.
        return ((low * GOLDEN ^ high) + headers.protocol()) * MULTIPLIER;
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
