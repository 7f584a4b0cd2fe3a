package io.trafficmirror.vxlan;

import static io.trafficmirror.vxlan.packet.PacketHeaders.ETHERNET_DESTINATION_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.ETHERNET_HEADER_LENGTH;
import static io.trafficmirror.vxlan.packet.PacketHeaders.ETHERNET_SOURCE_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.ETHERNET_TYPE_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.ETHERTYPE_IPV4;
import static io.trafficmirror.vxlan.packet.PacketHeaders.ETHERTYPE_IPV6;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_CHECKSUM_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_DESTINATION_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_DONT_FRAGMENT;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_FLAGS_FRAGMENT_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_IDENTIFICATION_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_MIN_HEADER_LENGTH;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_PROTOCOL_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_SOURCE_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_TOS_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_TOTAL_LENGTH_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_TTL_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV4_VERSION_IHL_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV6_DESTINATION_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV6_HEADER_LENGTH;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV6_HOP_LIMIT_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV6_NEXT_HEADER_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV6_PAYLOAD_LENGTH_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV6_SOURCE_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.IPV6_VERSION_CLASS_FLOW_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.PROTOCOL_UDP;
import static io.trafficmirror.vxlan.packet.PacketHeaders.UDP_CHECKSUM_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.UDP_DESTINATION_PORT_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.UDP_HEADER_LENGTH;
import static io.trafficmirror.vxlan.packet.PacketHeaders.UDP_LENGTH_OFFSET;
import static io.trafficmirror.vxlan.packet.PacketHeaders.UDP_SOURCE_PORT_OFFSET;

import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Writes the outer Ethernet, IPv4 or IPv6, UDP and VXLAN headers of a mirrored packet in front of an inner
 * Ethernet frame, as AWS Traffic Mirroring sends them, without ever copying the inner frame.
 *
 * <pre>
 *  IPv4 (HEADER_LENGTH_IPV4 = 50)              IPv6 (HEADER_LENGTH_IPV6 = 70)
 *   0 +--------------------------------+         0 +--------------------------------+
 *     | Ethernet: dst MAC, src MAC,    |           | Ethernet: dst MAC, src MAC,    |
 *     | type 0x0800                    |           | type 0x86DD                    |
 *  14 +--------------------------------+        14 +--------------------------------+
 *     | IPv4: 0x45, TOS, total length, |           | IPv6: version 6, traffic class,|
 *     | ID, flags+fragment offset, TTL,|           | flow label 0, payload length,  |
 *     | protocol 17, header checksum,  |           | next header 17, hop limit,     |
 *     | source, destination            |           | source, destination            |
 *  34 +--------------------------------+        54 +--------------------------------+
 *     | UDP: source port (flow hash),  |           | UDP: source port (flow hash),  |
 *     | 4789, length, checksum         |           | 4789, length, checksum         |
 *  42 +--------------------------------+        62 +--------------------------------+
 *     | VXLAN: 0x08, 0, VNI, 0         |           | VXLAN: 0x08, 0, VNI, 0         |
 *  50 +--------------------------------+        70 +--------------------------------+
 *     | inner frame, maybe truncated   |           | inner frame, maybe truncated   |
 *     +--------------------------------+           +--------------------------------+
 * </pre>
 *
 * <p>With {@link #geneveEnvelope(InetAddress, InetAddress)} the encoder writes what the appliances behind a Gateway
 * Load Balancer receive: the VXLAN packet above, without its Ethernet header, inside a GENEVE envelope over IPv4
 * ({@link #GENEVE_ENVELOPE_LENGTH} = 82 bytes; headers 118 bytes over a VXLAN packet in IPv4, 138 in IPv6):
 *
 * <pre>
 *   0 +--------------------------------+
 *     | Ethernet: MACs, type 0x0800    |
 *  14 +--------------------------------+
 *     | IPv4: load balancer to         |
 *     | appliance, protocol 17         |
 *  34 +--------------------------------+
 *     | UDP: source port (flow hash),  |
 *     | 6081, length, checksum 0       |
 *  42 +--------------------------------+
 *     | GENEVE: 0x08 (8 words of       |
 *     | options), 0, 0x0800 or 0x86DD, |
 *     | VNI 0; options of class 0x0108:|
 *     | endpoint id, attachment id,    |
 *     | flow cookie (GeneveHeaderEncoder)|
 *  82 +--------------------------------+
 *     | IPv4 or IPv6, UDP 4789, VXLAN, |
 *     | inner frame, as above          |
 *     +--------------------------------+
 * </pre>
 *
 * <p>The MTU still bounds the VXLAN packet, the one the load balancer takes in; the envelope's 68 bytes of IP, UDP
 * and GENEVE come on top, as they do from AWS's Gateway Load Balancer.
 *
 * <p>Two ways to use it:
 * <ul>
 *   <li>{@link #encodeInHeadroom(ByteBuffer, int, int)}: the caller received or built the frame at least
 *       {@link #headerLength()} bytes into its buffer; the headers go into that headroom and the whole
 *       packet is one contiguous slice;</li>
 *   <li>{@link #encodeHeaders(ByteBuffer, int, ByteBuffer, int, int)}: the headers go into a separate small
 *       buffer, and the caller sends header buffer and frame together with a gathering write.</li>
 * </ul>
 *
 * <p>Header lengths and field offsets are {@link PacketHeaders}'s, the one definition of that layout which the
 * decoder and the flow hash read with.
 *
 * <p>Defaults are what AWS sends: IPv4 TOS 0, identification 0, DF clear, TTL 255, UDP checksum 0,
 * destination port 4789, source port from {@link FlowHash}. Over IPv6 the UDP checksum is always computed,
 * as RFC 8200 asks. The packet is cut so that the inner frame holds at most {@link #packetLength(int)} bytes
 * and the outer IP packet fits the {@link #mtu(int)}; lengths and checksums describe the cut packet, and the
 * inner bytes themselves are never changed.
 *
 * <p>Configuration methods validate and throw {@link IllegalArgumentException}: they run once per session,
 * off the packet path. They precompute a header template and partial checksums, so that encoding a packet is
 * seven (IPv4) or ten (IPv6) word writes and, when a UDP checksum is due, one pass over the inner bytes.
 * Encode methods never throw on bad input and never allocate. Not thread-safe: one instance per sending thread.
 */
public final class OuterHeadersEncoder
{
    /** Outer headers over IPv4: 14 + 20 + 8 + 8. */
    public static final int HEADER_LENGTH_IPV4 =
        ETHERNET_HEADER_LENGTH + IPV4_MIN_HEADER_LENGTH + UDP_HEADER_LENGTH + VxlanHeaderEncoder.HEADER_LENGTH;
    /** Outer headers over IPv6: 14 + 40 + 8 + 8. */
    public static final int HEADER_LENGTH_IPV6 =
        ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + UDP_HEADER_LENGTH + VxlanHeaderEncoder.HEADER_LENGTH;

    /** The GENEVE envelope in front of the VXLAN packet: Ethernet 14, IPv4 20, UDP 8, GENEVE with GWLB options 40. */
    public static final int GENEVE_ENVELOPE_LENGTH = ETHERNET_HEADER_LENGTH + IPV4_MIN_HEADER_LENGTH + UDP_HEADER_LENGTH
        + GeneveHeaderEncoder.GWLB_HEADER_LENGTH;
    /** Outer headers of a VXLAN packet over IPv4 in a GENEVE envelope: 82 + 20 + 8 + 8. */
    public static final int HEADER_LENGTH_GENEVE_IPV4 = GENEVE_ENVELOPE_LENGTH - ETHERNET_HEADER_LENGTH + HEADER_LENGTH_IPV4;
    /** Outer headers of a VXLAN packet over IPv6 in a GENEVE envelope, the longest: 82 + 40 + 8 + 8. */
    public static final int HEADER_LENGTH_GENEVE_IPV6 = GENEVE_ENVELOPE_LENGTH - ETHERNET_HEADER_LENGTH + HEADER_LENGTH_IPV6;
    /** IANA's GENEVE port, the envelope's destination port. */
    public static final int GENEVE_PORT = GeneveHeaderDecoder.GENEVE_PORT;
    /** {@link #flowCookie(long)} value that derives the GWLB flow cookie from the flow and VNI (the default). */
    public static final long FLOW_COOKIE_FROM_FLOW = -1L;
    /** IANA's VXLAN port. */
    public static final int VXLAN_PORT = 4789;
    /** The MTU of an AWS network interface, and the default target MTU. */
    public static final int DEFAULT_MTU = 9001;
    /** Smallest MTU accepted: IPv4's minimum (RFC 791). */
    public static final int MIN_MTU = 68;
    /** Largest MTU accepted: an IP packet's length field is 16 bits. */
    public static final int MAX_MTU = 65535;
    /** Largest AWS PacketLength. */
    public static final int MAX_PACKET_LENGTH = 8500;
    /** {@link #packetLength(int)} value that mirrors the whole frame (still cut to the MTU). */
    public static final int WHOLE_PACKET = Integer.MAX_VALUE;
    /** {@link #sourcePort(int)} value that derives the source port from the inner flow (the default). */
    public static final int SOURCE_PORT_FROM_FLOW = -1;

    private static final int VXLAN_AND_UDP_LENGTH = UDP_HEADER_LENGTH + VxlanHeaderEncoder.HEADER_LENGTH;
    private static final int V4_UDP = ETHERNET_HEADER_LENGTH + IPV4_MIN_HEADER_LENGTH;
    private static final int V6_UDP = ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH;
    private static final int V4_TOTAL_LENGTH_SHIFT = shift(ETHERNET_HEADER_LENGTH + IPV4_TOTAL_LENGTH_OFFSET, 16);
    private static final int V4_CHECKSUM_SHIFT = shift(ETHERNET_HEADER_LENGTH + IPV4_CHECKSUM_OFFSET, 24);
    private static final int V4_UDP_SOURCE_PORT_SHIFT = shift(V4_UDP + UDP_SOURCE_PORT_OFFSET, 32);
    private static final int V4_UDP_LENGTH_SHIFT = shift(V4_UDP + UDP_LENGTH_OFFSET, 32);
    private static final int V4_UDP_CHECKSUM_SHIFT = shift(V4_UDP + UDP_CHECKSUM_OFFSET, 40);
    private static final int V6_PAYLOAD_LENGTH_SHIFT = shift(ETHERNET_HEADER_LENGTH + IPV6_PAYLOAD_LENGTH_OFFSET, 16);
    private static final int V6_UDP_SOURCE_PORT_SHIFT = shift(V6_UDP + UDP_SOURCE_PORT_OFFSET, 48);
    private static final int V6_UDP_LENGTH_SHIFT = shift(V6_UDP + UDP_LENGTH_OFFSET, 56);
    private static final int V6_UDP_CHECKSUM_SHIFT = shift(V6_UDP + UDP_CHECKSUM_OFFSET, 56);
    private static final int ENVELOPE_TOTAL_LENGTH_SHIFT = V4_TOTAL_LENGTH_SHIFT;
    private static final int ENVELOPE_CHECKSUM_SHIFT = V4_CHECKSUM_SHIFT;
    private static final int ENVELOPE_SOURCE_PORT_SHIFT = V4_UDP_SOURCE_PORT_SHIFT;
    private static final int ENVELOPE_UDP_LENGTH_SHIFT = V4_UDP_LENGTH_SHIFT;
    /** The flow cookie ends the envelope: its high half is the last of word 9, its low half the tail. */
    private static final int ENVELOPE_COOKIE_SHIFT = shift(GENEVE_ENVELOPE_LENGTH - 4, 72);

    private final byte[] template = new byte[HEADER_LENGTH_IPV6];
    private final ByteBuffer templateBuffer = ByteBuffer.wrap(template);
    private final ArrayView frameArrayView = new ArrayView();
    private final ArrayView headerArrayView = new ArrayView();

    private final byte[] destinationMac = new byte[6];
    private final byte[] sourceMac = new byte[6];
    private byte[] sourceAddress;
    private byte[] destinationAddress;
    private int destinationPort = VXLAN_PORT;
    private int sourcePort = SOURCE_PORT_FROM_FLOW;
    private int vni;
    private int ttl = 255;
    private int tos;
    private int identification;
    private boolean dontFragment;
    private boolean ipv4UdpChecksum;
    private int packetLength = WHOLE_PACKET;
    private int mtu = DEFAULT_MTU;

    // The GENEVE envelope, when there is one: its template, and where the VXLAN packet starts after it.
    private final byte[] envelope = new byte[GENEVE_ENVELOPE_LENGTH];
    private final ByteBuffer envelopeBuffer = ByteBuffer.wrap(envelope);
    private final GeneveHeaderEncoder geneveEncoder = new GeneveHeaderEncoder();
    private byte[] envelopeSourceAddress;
    private byte[] envelopeDestinationAddress;
    private long endpointId;
    private long attachmentId;
    private long flowCookie = FLOW_COOKIE_FROM_FLOW;
    private int envelopeShift;
    private int envelopeHeaderPartialSum;
    // The envelope template as big-endian words, as for the VXLAN headers: 10 words and a short (82 bytes).
    private long envelope0;
    private long envelope1;
    private long envelope2;
    private long envelope3;
    private long envelope4;
    private long envelope5;
    private long envelope6;
    private long envelope7;
    private long envelope8;
    private long envelope9;

    // Derived by rebuild(): what the packet path reads. The template as big-endian words: IPv4 uses
    // word0..word5 and tailShort (50 bytes), IPv6 word0..word7, tailInt and tailShort (70 bytes).
    private long word0;
    private long word1;
    private long word2;
    private long word3;
    private long word4;
    private long word5;
    private long word6;
    private long word7;
    private int tailInt;
    private int tailShort;
    private boolean ipv6;
    private int headerLength;
    private int udpOffset;
    private int maxInnerLength;
    private boolean computeUdpChecksum;
    private int ipv4HeaderPartialSum;
    private long udpPartialSum;

    /**
     * Makes an encoder with AWS's defaults; it needs {@link #addresses(InetAddress, InetAddress)} (or
     * {@link #ipv4Addresses(int, int)}) before it encodes anything.
     */
    public OuterHeadersEncoder()
    {
        rebuild();
    }

    /**
     * Sets the outer MAC addresses, normally the target's (or next hop's) and the sender's.
     *
     * @param destination six bytes.
     * @param source six bytes.
     * @return this.
     */
    public OuterHeadersEncoder macAddresses(final byte[] destination, final byte[] source)
    {
        checkLength("destination MAC", destination, 6);
        checkLength("source MAC", source, 6);
        System.arraycopy(destination, 0, destinationMac, 0, 6);
        System.arraycopy(source, 0, sourceMac, 0, 6);
        return rebuild();
    }

    /**
     * Sets the outer IP addresses: the mirror source's primary address and the target's. Both IPv4 or both IPv6;
     * the family decides the header layout.
     *
     * @param source the sender.
     * @param destination the mirror target.
     * @return this.
     */
    public OuterHeadersEncoder addresses(final InetAddress source, final InetAddress destination)
    {
        final boolean bothV4 = source instanceof Inet4Address && destination instanceof Inet4Address;
        final boolean bothV6 = source instanceof Inet6Address && destination instanceof Inet6Address;
        if (!bothV4 && !bothV6)
        {
            throw new IllegalArgumentException(
                "outer addresses: source " + source + " and destination " + destination + " must be both IPv4 or both IPv6");
        }
        sourceAddress = source.getAddress();
        destinationAddress = destination.getAddress();
        return rebuild();
    }

    /**
     * Sets IPv4 outer addresses from their 32-bit values, most significant byte first on the wire.
     *
     * @param source the sender.
     * @param destination the mirror target.
     * @return this.
     */
    public OuterHeadersEncoder ipv4Addresses(final int source, final int destination)
    {
        sourceAddress = new byte[] {(byte)(source >>> 24), (byte)(source >>> 16), (byte)(source >>> 8), (byte)source};
        destinationAddress = new byte[] {
            (byte)(destination >>> 24), (byte)(destination >>> 16), (byte)(destination >>> 8), (byte)destination};
        return rebuild();
    }

    /**
     * Sets the VXLAN Network Identifier, the session's {@code VirtualNetworkId}.
     *
     * @param vni 0..16777215.
     * @return this.
     */
    public OuterHeadersEncoder vni(final int vni)
    {
        checkRange("VNI", vni, 0, VxlanHeaderDecoder.MAX_VNI);
        this.vni = vni;
        return rebuild();
    }

    /**
     * Sets the outer UDP destination port; 4789 unless the target listens elsewhere.
     *
     * @param port 1..65535.
     * @return this.
     */
    public OuterHeadersEncoder destinationPort(final int port)
    {
        checkRange("destination port", port, 1, 65535);
        this.destinationPort = port;
        return rebuild();
    }

    /**
     * Fixes the outer UDP source port, or with {@link #SOURCE_PORT_FROM_FLOW} derives it per packet from the
     * inner flow ({@link FlowHash}), as AWS does.
     *
     * @param port 0..65535 or {@link #SOURCE_PORT_FROM_FLOW}.
     * @return this.
     */
    public OuterHeadersEncoder sourcePort(final int port)
    {
        if (port != SOURCE_PORT_FROM_FLOW)
        {
            checkRange("source port", port, 0, 65535);
        }
        this.sourcePort = port;
        return this;
    }

    /**
     * Sets the IPv4 TTL or IPv6 hop limit; AWS sends 255.
     *
     * @param ttl 1..255.
     * @return this.
     */
    public OuterHeadersEncoder ttl(final int ttl)
    {
        checkRange("TTL", ttl, 1, 255);
        this.ttl = ttl;
        return rebuild();
    }

    /**
     * Sets the IPv4 type of service byte or IPv6 traffic class (DSCP and ECN); AWS sends 0.
     *
     * @param tos 0..255.
     * @return this.
     */
    public OuterHeadersEncoder tos(final int tos)
    {
        checkRange("TOS", tos, 0, 255);
        this.tos = tos;
        return rebuild();
    }

    /**
     * Sets the IPv4 identification written in every packet; AWS sends 0 (the packets are never fragmented
     * on the way, RFC 6864 allows a constant).
     *
     * @param identification 0..65535.
     * @return this.
     */
    public OuterHeadersEncoder identification(final int identification)
    {
        checkRange("IPv4 identification", identification, 0, 65535);
        this.identification = identification;
        return rebuild();
    }

    /**
     * Sets or clears the IPv4 don't-fragment flag; AWS leaves it clear.
     *
     * @param dontFragment true to set DF.
     * @return this.
     */
    public OuterHeadersEncoder dontFragment(final boolean dontFragment)
    {
        this.dontFragment = dontFragment;
        return rebuild();
    }

    /**
     * Computes the UDP checksum over IPv4 instead of sending 0 as AWS does. IPv6 always gets a checksum.
     *
     * @param enabled true to compute it; this costs one read pass over the inner bytes.
     * @return this.
     */
    public OuterHeadersEncoder udpChecksum(final boolean enabled)
    {
        this.ipv4UdpChecksum = enabled;
        return rebuild();
    }

    /**
     * Wraps each VXLAN packet in a GENEVE envelope, as a Gateway Load Balancer delivers it to an appliance; see the
     * class comment. The envelope's IPv4 header takes this encoder's TTL, TOS, identification and DF bit; its UDP
     * source port is the VXLAN packet's, its checksum 0.
     *
     * @param source the load balancer's address.
     * @param destination the appliance's address.
     * @return this.
     */
    public OuterHeadersEncoder geneveEnvelope(final InetAddress source, final InetAddress destination)
    {
        if (!(source instanceof Inet4Address) || !(destination instanceof Inet4Address))
        {
            throw new IllegalArgumentException("outer headers: GENEVE envelope source " + source + " and destination "
                + destination + " must both be IPv4");
        }
        envelopeSourceAddress = source.getAddress();
        envelopeDestinationAddress = destination.getAddress();
        return rebuild();
    }

    /**
     * Writes plain VXLAN packets again, without a GENEVE envelope (the default).
     *
     * @return this.
     */
    public OuterHeadersEncoder noEnvelope()
    {
        envelopeSourceAddress = null;
        envelopeDestinationAddress = null;
        return rebuild();
    }

    /**
     * Sets the Gateway Load Balancer ids the GENEVE envelope carries in its options; both 0 by default.
     *
     * @param endpointId the 64-bit id of the VPC endpoint the traffic came through.
     * @param attachmentId the 64-bit attachment id.
     * @return this.
     */
    public OuterHeadersEncoder gatewayLoadBalancerIds(final long endpointId, final long attachmentId)
    {
        this.endpointId = endpointId;
        this.attachmentId = attachmentId;
        return rebuild();
    }

    /**
     * Fixes the GENEVE envelope's flow cookie, or with {@link #FLOW_COOKIE_FROM_FLOW} derives it per packet from
     * the outer source port (the flow hash, the same for both directions of a flow) and the VNI.
     *
     * @param cookie 0..0xFFFFFFFF or {@link #FLOW_COOKIE_FROM_FLOW}.
     * @return this.
     */
    public OuterHeadersEncoder flowCookie(final long cookie)
    {
        if (cookie != FLOW_COOKIE_FROM_FLOW && (cookie < 0 || cookie > 0xFFFF_FFFFL))
        {
            throw new IllegalArgumentException("outer headers: flow cookie " + cookie + " is outside 0..4294967295");
        }
        this.flowCookie = cookie;
        return this;
    }

    /**
     * The flow cookie derived from a flow's outer source port and the session's VNI: the same for every packet of
     * the flow, in both directions.
     *
     * @param sourcePort the outer UDP source port.
     * @param vni the VNI.
     * @return 32 bits.
     */
    public static int derivedFlowCookie(final int sourcePort, final int vni)
    {
        // A 32-bit finaliser (MurmurHash3's fmix32) over port and VNI, so near ports give unrelated cookies.
        int h = vni * 0x9E37_79B1 ^ sourcePort;
        h ^= h >>> 16;
        h *= 0x85EB_CA6B;
        h ^= h >>> 13;
        h *= 0xC2B2_AE35;
        h ^= h >>> 16;
        return h;
    }

    /**
     * Sets the session's PacketLength: how many bytes of the inner frame, counted after the VXLAN header,
     * are mirrored at most.
     *
     * @param packetLength 1..{@link #MAX_PACKET_LENGTH}, or {@link #WHOLE_PACKET}.
     * @return this.
     */
    public OuterHeadersEncoder packetLength(final int packetLength)
    {
        if (packetLength != WHOLE_PACKET)
        {
            checkRange("packet length", packetLength, 1, MAX_PACKET_LENGTH);
        }
        this.packetLength = packetLength;
        return rebuild();
    }

    /**
     * Sets the target's MTU: the largest outer IP packet (IP + UDP + VXLAN + inner frame, not the outer
     * Ethernet header). Frames that would not fit are cut.
     *
     * @param mtu {@link #MIN_MTU}..{@link #MAX_MTU}; default {@link #DEFAULT_MTU}.
     * @return this.
     */
    public OuterHeadersEncoder mtu(final int mtu)
    {
        checkRange("MTU", mtu, MIN_MTU, MAX_MTU);
        this.mtu = mtu;
        return rebuild();
    }

    /**
     * Length of the outer headers this encoder writes: {@link #HEADER_LENGTH_IPV4} or {@link #HEADER_LENGTH_IPV6},
     * plus {@link #GENEVE_ENVELOPE_LENGTH} less an Ethernet header in a GENEVE envelope.
     *
     * @return the headroom a frame needs for {@link #encodeInHeadroom(ByteBuffer, int, int)}.
     */
    public int headerLength()
    {
        return headerLength;
    }

    /**
     * How many bytes of a frame are mirrored: the frame cut to the packet length and to what the MTU leaves.
     * A sender using a UDP socket sends this many inner bytes after the VXLAN header.
     *
     * @param frameLength bytes in the original frame.
     * @return 0..frameLength.
     */
    public int innerLength(final int frameLength)
    {
        final int limit = Math.min(packetLength, maxInnerLength());
        return Math.max(0, Math.min(frameLength, limit));
    }

    /**
     * Writes the outer headers into the {@link #headerLength()} bytes in front of the frame.
     *
     * @param buffer holds the frame with headroom before it; must be writable.
     * @param frameOffset absolute index of the inner frame's first byte.
     * @param frameLength bytes in the inner frame.
     * @return the length of the finished packet, which starts at {@code frameOffset - headerLength()};
     *     or a negative {@link ResultCode}: {@code NOT_CONFIGURED}, {@code OUT_OF_BOUNDS}, {@code NO_HEADROOM},
     *     {@code READ_ONLY_BUFFER}. Nothing is written on failure.
     */
    public int encodeInHeadroom(final ByteBuffer buffer, final int frameOffset, final int frameLength)
    {
        if (sourceAddress == null)
        {
            return ResultCode.NOT_CONFIGURED;
        }
        if (!Bytes.inBounds(frameOffset, frameLength, buffer.limit()))
        {
            return ResultCode.OUT_OF_BOUNDS;
        }
        if (frameOffset < headerLength)
        {
            return ResultCode.NO_HEADROOM;
        }
        if (buffer.isReadOnly())
        {
            return ResultCode.READ_ONLY_BUFFER;
        }
        return headerLength + write(buffer, frameOffset - headerLength, buffer, frameOffset, frameLength);
    }

    /**
     * Array form of {@link #encodeInHeadroom(ByteBuffer, int, int)}.
     *
     * @param array holds the frame with headroom before it; re-using the same array allocates nothing.
     * @param frameOffset index of the inner frame's first byte.
     * @param frameLength bytes in the inner frame.
     * @return the packet length, starting at {@code frameOffset - headerLength()}, or a negative {@link ResultCode}.
     */
    public int encodeInHeadroom(final byte[] array, final int frameOffset, final int frameLength)
    {
        return encodeInHeadroom(frameArrayView.of(array), frameOffset, frameLength);
    }

    /**
     * Writes the outer headers into their own buffer, for a gathering write of headers then frame.
     *
     * @param headers where the {@link #headerLength()} header bytes go; must be writable.
     * @param headersOffset absolute index in {@code headers}.
     * @param frame the inner frame; only read, and only when a UDP checksum is due.
     * @param frameOffset absolute index of the inner frame's first byte.
     * @param frameLength bytes in the inner frame.
     * @return how many inner bytes to send after the headers (the frame may be cut), or a negative
     *     {@link ResultCode}: {@code NOT_CONFIGURED}, {@code OUT_OF_BOUNDS}, {@code BUFFER_TOO_SMALL},
     *     {@code READ_ONLY_BUFFER}. Nothing is written on failure.
     */
    public int encodeHeaders(
        final ByteBuffer headers,
        final int headersOffset,
        final ByteBuffer frame,
        final int frameOffset,
        final int frameLength)
    {
        if (sourceAddress == null)
        {
            return ResultCode.NOT_CONFIGURED;
        }
        if (!Bytes.inBounds(frameOffset, frameLength, frame.limit()))
        {
            return ResultCode.OUT_OF_BOUNDS;
        }
        if (!Bytes.inBounds(headersOffset, headerLength, headers.limit()))
        {
            return ResultCode.BUFFER_TOO_SMALL;
        }
        if (headers.isReadOnly())
        {
            return ResultCode.READ_ONLY_BUFFER;
        }
        return write(headers, headersOffset, frame, frameOffset, frameLength);
    }

    /**
     * Array form of {@link #encodeHeaders(ByteBuffer, int, ByteBuffer, int, int)}.
     *
     * @param headers where the header bytes go.
     * @param headersOffset index in {@code headers}.
     * @param frame the inner frame.
     * @param frameOffset index of the inner frame's first byte.
     * @param frameLength bytes in the inner frame.
     * @return inner bytes to send after the headers, or a negative {@link ResultCode}.
     */
    public int encodeHeaders(
        final byte[] headers,
        final int headersOffset,
        final byte[] frame,
        final int frameOffset,
        final int frameLength)
    {
        return encodeHeaders(
            headerArrayView.of(headers), headersOffset, frameArrayView.of(frame), frameOffset, frameLength);
    }

    // Kept in small methods so that the JIT inlines the whole packet path (its limit is 325 bytecodes a method).
    private int write(
        final ByteBuffer out, final int start, final ByteBuffer frame, final int frameOffset, final int frameLength)
    {
        final int inner = Math.min(frameLength, maxInnerLength);
        final int port = sourcePort >= 0 ? sourcePort : FlowHash.portInBounds(frame, frameOffset, frameLength);
        final int udpLength = VXLAN_AND_UDP_LENGTH + inner;
        final long udpChecksum = computeUdpChecksum ? udpChecksum(frame, frameOffset, inner, udpLength, port) : 0;
        // In an envelope the VXLAN packet's Ethernet header lands in the envelope's last bytes, written over next.
        final int vxlanStart = start + envelopeShift;
        if (ipv6)
        {
            writeIpv6(out, vxlanStart, port, udpLength, udpChecksum);
        }
        else
        {
            writeIpv4(out, vxlanStart, port, udpLength, udpChecksum);
        }
        if (envelopeShift != 0)
        {
            writeEnvelope(out, start, port, udpLength + (ipv6 ? IPV6_HEADER_LENGTH : IPV4_MIN_HEADER_LENGTH));
        }
        return inner;
    }

    private void writeEnvelope(final ByteBuffer out, final int start, final int port, final int vxlanPacketLength)
    {
        final int udpLength = UDP_HEADER_LENGTH + GeneveHeaderEncoder.GWLB_HEADER_LENGTH + vxlanPacketLength;
        final int totalLength = IPV4_MIN_HEADER_LENGTH + udpLength;
        final int sum = envelopeHeaderPartialSum + totalLength;
        final int headerChecksum = ~((sum & 0xFFFF) + (sum >>> 16)) & 0xFFFF;
        final int cookie = flowCookie == FLOW_COOKIE_FROM_FLOW ? derivedFlowCookie(port, vni) : (int)flowCookie;
        Bytes.put64(out, start, envelope0);
        Bytes.put64(out, start + 8, envelope1);
        Bytes.put64(out, start + 16, envelope2 | (long)totalLength << ENVELOPE_TOTAL_LENGTH_SHIFT);
        Bytes.put64(out, start + 24, envelope3 | (long)headerChecksum << ENVELOPE_CHECKSUM_SHIFT);
        Bytes.put64(out, start + 32, envelope4
            | (long)port << ENVELOPE_SOURCE_PORT_SHIFT | (long)udpLength << ENVELOPE_UDP_LENGTH_SHIFT);
        Bytes.put64(out, start + 40, envelope5);
        Bytes.put64(out, start + 48, envelope6);
        Bytes.put64(out, start + 56, envelope7);
        Bytes.put64(out, start + 64, envelope8);
        Bytes.put64(out, start + 72, envelope9 | (long)(cookie >>> 16) << ENVELOPE_COOKIE_SHIFT);
        Bytes.put16(out, start + 80, cookie);
    }

    private long udpChecksum(
        final ByteBuffer frame, final int frameOffset, final int inner, final int udpLength, final int port)
    {
        // Pseudo-header length and UDP length field are the same value, hence twice.
        final long sum = Bytes.addToChecksum(frame, frameOffset, inner, udpPartialSum + 2L * udpLength + port);
        final int checksum = Bytes.foldChecksum(sum);
        return checksum == 0 ? 0xFFFF : checksum;
    }

    // The template is held as big-endian 64-bit words; every per-packet field lies inside one of them,
    // so each word is written once with its fields folded in: 7 writes for IPv4, 10 for IPv6.
    private void writeIpv4(
        final ByteBuffer out, final int start, final int port, final int udpLength, final long udpChecksum)
    {
        final int totalLength = IPV4_MIN_HEADER_LENGTH + udpLength;
        // The partial sum is folded to 16 bits already, so one end-around carry finishes it.
        final int sum = ipv4HeaderPartialSum + totalLength;
        final long headerChecksum = ~((sum & 0xFFFF) + (sum >>> 16)) & 0xFFFF;
        Bytes.put64(out, start, word0);
        Bytes.put64(out, start + 8, word1);
        Bytes.put64(out, start + 16, word2 | (long)totalLength << V4_TOTAL_LENGTH_SHIFT);
        Bytes.put64(out, start + 24, word3 | headerChecksum << V4_CHECKSUM_SHIFT);
        Bytes.put64(out, start + 32, word4
            | (long)port << V4_UDP_SOURCE_PORT_SHIFT | (long)udpLength << V4_UDP_LENGTH_SHIFT);
        Bytes.put64(out, start + 40, word5 | udpChecksum << V4_UDP_CHECKSUM_SHIFT);
        Bytes.put16(out, start + 48, tailShort);
    }

    private void writeIpv6(
        final ByteBuffer out, final int start, final int port, final int udpLength, final long udpChecksum)
    {
        Bytes.put64(out, start, word0);
        Bytes.put64(out, start + 8, word1);
        Bytes.put64(out, start + 16, word2 | (long)udpLength << V6_PAYLOAD_LENGTH_SHIFT);
        Bytes.put64(out, start + 24, word3);
        Bytes.put64(out, start + 32, word4);
        Bytes.put64(out, start + 40, word5);
        Bytes.put64(out, start + 48, word6 | (long)port << V6_UDP_SOURCE_PORT_SHIFT);
        Bytes.put64(out, start + 56, word7
            | (long)udpLength << V6_UDP_LENGTH_SHIFT | udpChecksum << V6_UDP_CHECKSUM_SHIFT);
        Bytes.put32(out, start + 64, tailInt);
        Bytes.put16(out, start + 68, tailShort);
    }

    private int maxInnerLength()
    {
        final int ipHeaderLength = ipv6 ? IPV6_HEADER_LENGTH : IPV4_MIN_HEADER_LENGTH;
        return Math.min(packetLength, mtu - ipHeaderLength - VXLAN_AND_UDP_LENGTH);
    }

    private OuterHeadersEncoder rebuild()
    {
        ipv6 = sourceAddress != null && sourceAddress.length == 16;
        envelopeShift = envelopeSourceAddress == null ? 0 : GENEVE_ENVELOPE_LENGTH - ETHERNET_HEADER_LENGTH;
        headerLength = (ipv6 ? HEADER_LENGTH_IPV6 : HEADER_LENGTH_IPV4) + envelopeShift;
        rebuildEnvelope();
        maxInnerLength = maxInnerLength();
        computeUdpChecksum = ipv6 || ipv4UdpChecksum;

        final ByteBuffer t = templateBuffer;
        Arrays.fill(template, (byte)0);
        t.put(ETHERNET_DESTINATION_OFFSET, destinationMac);
        t.put(ETHERNET_SOURCE_OFFSET, sourceMac);
        Bytes.put16(t, ETHERNET_TYPE_OFFSET, ipv6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
        final int ip = ETHERNET_HEADER_LENGTH;
        final byte[] source = sourceAddress != null ? sourceAddress : new byte[4];
        final byte[] destination = destinationAddress != null ? destinationAddress : new byte[4];
        if (ipv6)
        {
            Bytes.put32(t, ip + IPV6_VERSION_CLASS_FLOW_OFFSET, 6 << 28 | tos << 20);
            Bytes.put8(t, ip + IPV6_NEXT_HEADER_OFFSET, PROTOCOL_UDP);
            Bytes.put8(t, ip + IPV6_HOP_LIMIT_OFFSET, ttl);
            t.put(ip + IPV6_SOURCE_OFFSET, source);
            t.put(ip + IPV6_DESTINATION_OFFSET, destination);
            udpOffset = ip + IPV6_HEADER_LENGTH;
        }
        else
        {
            writeIpv4Template(t, ip, source, destination);
            udpOffset = ip + IPV4_MIN_HEADER_LENGTH;
        }
        Bytes.put16(t, udpOffset + UDP_DESTINATION_PORT_OFFSET, destinationPort);
        final int vxlan = udpOffset + UDP_HEADER_LENGTH;
        Bytes.put8(t, vxlan + VxlanHeaderEncoder.FLAGS_OFFSET, VxlanHeaderEncoder.FLAGS);
        Bytes.put32(t, vxlan + VxlanHeaderEncoder.VNI_OFFSET, vni << 8);

        word0 = Bytes.i64(t, 0);
        word1 = Bytes.i64(t, 8);
        word2 = Bytes.i64(t, 16);
        word3 = Bytes.i64(t, 24);
        word4 = Bytes.i64(t, 32);
        word5 = Bytes.i64(t, 40);
        word6 = Bytes.i64(t, 48);
        word7 = Bytes.i64(t, 56);
        tailInt = ipv6 ? Bytes.i32(t, 64) : 0;
        tailShort = Bytes.u16(t, ipv6 ? 68 : 48);

        // Everything in the IPv4 header but total length and checksum, which are zero in the template.
        ipv4HeaderPartialSum = ipv6 ? 0 : ~Bytes.foldChecksum(Bytes.addToChecksum(t, ip, IPV4_MIN_HEADER_LENGTH, 0)) & 0xFFFF;
        // Pseudo-header addresses and protocol, UDP destination port, VXLAN header; the packet adds the rest.
        udpPartialSum = Bytes.addToChecksum(t, ip + (ipv6 ? IPV6_SOURCE_OFFSET : IPV4_SOURCE_OFFSET), 2 * source.length, 0)
            + PROTOCOL_UDP
            + destinationPort
            + Bytes.addToChecksum(t, vxlan, VxlanHeaderEncoder.HEADER_LENGTH, 0);
        return this;
    }

    /** The IPv4 header's fields that stay the same from packet to packet; length and checksum are left zero. */
    private void writeIpv4Template(final ByteBuffer t, final int ip, final byte[] source, final byte[] destination)
    {
        Bytes.put8(t, ip + IPV4_VERSION_IHL_OFFSET, 0x45);
        Bytes.put8(t, ip + IPV4_TOS_OFFSET, tos);
        Bytes.put16(t, ip + IPV4_IDENTIFICATION_OFFSET, identification);
        Bytes.put16(t, ip + IPV4_FLAGS_FRAGMENT_OFFSET, dontFragment ? IPV4_DONT_FRAGMENT : 0);
        Bytes.put8(t, ip + IPV4_TTL_OFFSET, ttl);
        Bytes.put8(t, ip + IPV4_PROTOCOL_OFFSET, PROTOCOL_UDP);
        t.put(ip + IPV4_SOURCE_OFFSET, source);
        t.put(ip + IPV4_DESTINATION_OFFSET, destination);
    }

    private void rebuildEnvelope()
    {
        Arrays.fill(envelope, (byte)0);
        if (envelopeSourceAddress == null)
        {
            envelopeHeaderPartialSum = 0;
            return;
        }
        final ByteBuffer e = envelopeBuffer;
        e.put(ETHERNET_DESTINATION_OFFSET, destinationMac);
        e.put(ETHERNET_SOURCE_OFFSET, sourceMac);
        Bytes.put16(e, ETHERNET_TYPE_OFFSET, ETHERTYPE_IPV4);
        final int ip = ETHERNET_HEADER_LENGTH;
        writeIpv4Template(e, ip, envelopeSourceAddress, envelopeDestinationAddress);
        Bytes.put16(e, V4_UDP + UDP_DESTINATION_PORT_OFFSET, GENEVE_PORT);
        // The flow cookie is written per packet over the 0 here.
        geneveEncoder.wrap(e, V4_UDP + UDP_HEADER_LENGTH)
            .encodeGatewayLoadBalancer(ipv6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, 0, endpointId, attachmentId, 0);
        envelopeHeaderPartialSum = ~Bytes.foldChecksum(Bytes.addToChecksum(e, ip, IPV4_MIN_HEADER_LENGTH, 0)) & 0xFFFF;
        envelope0 = Bytes.i64(e, 0);
        envelope1 = Bytes.i64(e, 8);
        envelope2 = Bytes.i64(e, 16);
        envelope3 = Bytes.i64(e, 24);
        envelope4 = Bytes.i64(e, 32);
        envelope5 = Bytes.i64(e, 40);
        envelope6 = Bytes.i64(e, 48);
        envelope7 = Bytes.i64(e, 56);
        envelope8 = Bytes.i64(e, 64);
        envelope9 = Bytes.i64(e, 72);
    }

    /**
     * Left shift that places a 16-bit field at header offset {@code offset} inside the big-endian 64-bit word
     * that starts at {@code word}; fails class initialisation if the layout ever stops fitting.
     */
    private static int shift(final int offset, final int word)
    {
        if (offset < word || offset + 2 > word + 8)
        {
            throw new ExceptionInInitializerError("field at " + offset + " is not inside the word at " + word);
        }
        return (word + 6 - offset) * 8;
    }

    private static void checkRange(final String field, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(
                "outer headers: " + field + " " + value + " is outside " + min + ".." + max);
        }
    }

    private static void checkLength(final String field, final byte[] value, final int length)
    {
        if (value == null || value.length != length)
        {
            throw new IllegalArgumentException(
                "outer headers: " + field + " must be " + length + " bytes, got " + (value == null ? "null" : value.length));
        }
    }
}
