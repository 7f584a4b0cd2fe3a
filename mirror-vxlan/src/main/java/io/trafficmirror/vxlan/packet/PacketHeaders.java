package io.trafficmirror.vxlan.packet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reusable, mutable flyweight holding the header fields a mirror filter needs, parsed in place from an
 * Ethernet frame or a raw IP packet without copying or allocating. Keep one instance per thread and call
 * a {@code parse*} method per packet; every call overwrites all fields.
 *
 * <pre>
 * Ethernet II        dst MAC(6) src MAC(6) EtherType(2)
 * VLAN tag (any)     TPID 0x8100 or 0x88a8 | TCI(2) EtherType(2)   repeated, at most MAX_VLAN_TAGS
 * IPv4               ver/IHL, total length, flags + fragment offset, protocol, src(4), dst(4), options
 * IPv6               payload length, next header, src(16), dst(16), then extension headers
 *                    0 hop-by-hop, 43 routing, 60 destination options: (len + 1) * 8 bytes
 *                    51 AH: (len + 2) * 4 bytes; 44 fragment: 8 bytes; at most MAX_IPV6_EXTENSION_HEADERS
 * TCP / UDP / SCTP   src port(2) dst port(2)
 * ICMP / ICMPv6      type(1) code(1)   protocol 1 or 58, whatever the IP version, as other decoders do;
 *                    echo request and reply also checksum(2) identifier(2)
 * </pre>
 *
 * <p>This is the one walk over these headers in the project, and its constants are the one definition of their
 * layout: the mirror filter matches on what it reads, {@code VxlanFrameDecoder} finds the outer UDP header with
 * it, {@code FlowHash} computes the outer source port from it ({@link #flowPorts()}), and
 * {@code OuterHeadersEncoder} writes headers at the same offsets. Offsets are relative to the header they name.
 *
 * <p>Decisions, following docs/semantics.md, "How packets are read":
 * <ul>
 *   <li>VLAN tags, 802.1Q (0x8100) and 802.1ad (0x88a8), are skipped in any order and number up to
 *   {@link #MAX_VLAN_TAGS}, a cap that only bounds work: real frames carry one or two.</li>
 *   <li>Ports are present only when the first 4 bytes of the TCP or UDP header lie within the captured bytes
 *   and within the IP packet's own length (Ethernet padding is not a header), in an unfragmented packet or in
 *   a fragment with offset 0. A frame cut short by its capture is parsed as far as it goes.</li>
 *   <li>An IPv4 fragment with a non-zero offset has no transport header; an IPv6 fragment with a non-zero
 *   offset ends the extension header walk and its protocol is the fragment header's next header.</li>
 *   <li>ESP (50) and every protocol other than the extension headers above end the IPv6 walk. IPv4 AH is not
 *   walked: IPv4's protocol is the header's protocol field.</li>
 *   <li>An IPv4 total length of 0 or an IPv6 payload length of 0 (a capture of a segmentation-offloaded packet,
 *   or an IPv6 jumbogram) means the captured bytes are the packet, as Pcap4J and Wireshark read it.</li>
 * </ul>
 *
 * <p>Bounds: every read is checked against the end of the given slice first (sums computed in {@code long}),
 * so a malformed packet yields a {@link ParseResult} code and never an exception or a read outside the slice.
 * Bytes are read absolutely in network byte order; the caller's buffer position, limit and order are neither
 * used nor changed. Not thread-safe by design.
 */
public final class PacketHeaders
{
    /** Most VLAN tags skipped before giving up with {@link ParseResult#TOO_MANY_VLAN_TAGS}. */
    public static final int MAX_VLAN_TAGS = 8;
    /** Most IPv6 extension headers walked before giving up with {@link ParseResult#TOO_MANY_EXTENSION_HEADERS}. */
    public static final int MAX_IPV6_EXTENSION_HEADERS = 8;
    /** {@link #protocol()} when the upper-layer protocol could not be determined. */
    public static final int PROTOCOL_UNKNOWN = -1;

    /** Ethernet: offset of the destination MAC. */
    public static final int ETHERNET_DESTINATION_OFFSET = 0;
    /** Ethernet: offset of the source MAC. */
    public static final int ETHERNET_SOURCE_OFFSET = 6;
    /** Ethernet: offset of the EtherType (or the first VLAN tag's TPID). */
    public static final int ETHERNET_TYPE_OFFSET = 12;
    /** Ethernet II header length. */
    public static final int ETHERNET_HEADER_LENGTH = 14;
    /** VLAN tag: offset of the tag control information (priority, DEI, VLAN id), relative to the tag. */
    public static final int VLAN_TCI_OFFSET = 0;
    /** VLAN tag: offset of the EtherType that follows the tag. */
    public static final int VLAN_TYPE_OFFSET = 2;
    /** Length of one VLAN tag. */
    public static final int VLAN_TAG_LENGTH = 4;

    /** IPv4: offset of version and header length (IHL). */
    public static final int IPV4_VERSION_IHL_OFFSET = 0;
    /** IPv4: offset of the type of service byte. */
    public static final int IPV4_TOS_OFFSET = 1;
    /** IPv4: offset of the total length. */
    public static final int IPV4_TOTAL_LENGTH_OFFSET = 2;
    /** IPv4: offset of the identification. */
    public static final int IPV4_IDENTIFICATION_OFFSET = 4;
    /** IPv4: offset of the flags and fragment offset. */
    public static final int IPV4_FLAGS_FRAGMENT_OFFSET = 6;
    /** IPv4: offset of the time to live. */
    public static final int IPV4_TTL_OFFSET = 8;
    /** IPv4: offset of the protocol. */
    public static final int IPV4_PROTOCOL_OFFSET = 9;
    /** IPv4: offset of the header checksum. */
    public static final int IPV4_CHECKSUM_OFFSET = 10;
    /** IPv4: offset of the source address. */
    public static final int IPV4_SOURCE_OFFSET = 12;
    /** IPv4: offset of the destination address. */
    public static final int IPV4_DESTINATION_OFFSET = 16;
    /** Fixed IPv4 header length (IHL 5), also the length of a header without options. */
    public static final int IPV4_MIN_HEADER_LENGTH = 20;
    /** IPv4: the don't-fragment flag in the flags and fragment offset field. */
    public static final int IPV4_DONT_FRAGMENT = 0x4000;
    /** IPv4: the more-fragments flag in the flags and fragment offset field. */
    public static final int IPV4_MORE_FRAGMENTS = 0x2000;
    /** IPv4: the fragment offset (in 8-byte units) in the flags and fragment offset field. */
    public static final int IPV4_FRAGMENT_OFFSET_MASK = 0x1FFF;

    /** IPv6: offset of version, traffic class and flow label. */
    public static final int IPV6_VERSION_CLASS_FLOW_OFFSET = 0;
    /** IPv6: offset of the payload length. */
    public static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
    /** IPv6: offset of the next header. */
    public static final int IPV6_NEXT_HEADER_OFFSET = 6;
    /** IPv6: offset of the hop limit. */
    public static final int IPV6_HOP_LIMIT_OFFSET = 7;
    /** IPv6: offset of the source address. */
    public static final int IPV6_SOURCE_OFFSET = 8;
    /** IPv6: offset of the destination address. */
    public static final int IPV6_DESTINATION_OFFSET = 24;
    /** Fixed IPv6 header length. */
    public static final int IPV6_HEADER_LENGTH = 40;
    /** IPv6 extension header: offset of the next header, relative to the extension header. */
    public static final int EXTENSION_NEXT_HEADER_OFFSET = 0;
    /** IPv6 extension header: offset of the length field (8-byte units, or 4-byte units for AH). */
    public static final int EXTENSION_LENGTH_OFFSET = 1;
    /** IPv6 fragment header: offset of the fragment offset and flags. */
    public static final int FRAGMENT_OFFSET_FLAGS_OFFSET = 2;
    /** IPv6 fragment header length. */
    public static final int FRAGMENT_HEADER_LENGTH = 8;
    /** IPv6 fragment header: the fragment offset (in bytes, a multiple of 8) in the offset and flags field. */
    public static final int FRAGMENT_OFFSET_MASK = 0xFFF8;
    /** IPv6 fragment header: the more-fragments flag in the offset and flags field. */
    public static final int FRAGMENT_MORE_FRAGMENTS = 0x0001;

    /** UDP: offset of the source port, relative to the UDP header. */
    public static final int UDP_SOURCE_PORT_OFFSET = 0;
    /** UDP: offset of the destination port. */
    public static final int UDP_DESTINATION_PORT_OFFSET = 2;
    /** UDP: offset of the length. */
    public static final int UDP_LENGTH_OFFSET = 4;
    /** UDP: offset of the checksum. */
    public static final int UDP_CHECKSUM_OFFSET = 6;
    /** UDP header length. */
    public static final int UDP_HEADER_LENGTH = 8;
    /** ICMP and ICMPv6 echo: offset of the identifier, relative to the ICMP header. */
    public static final int ICMP_ECHO_IDENTIFIER_OFFSET = 4;

    /** EtherType of IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** EtherType of ARP. */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** EtherType of IPv6. */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** TPID of an 802.1Q VLAN tag. */
    public static final int ETHERTYPE_VLAN = 0x8100;
    /** TPID of an 802.1ad (QinQ service) VLAN tag. */
    public static final int ETHERTYPE_QINQ = 0x88A8;

    /** IP protocol number of ICMP. */
    public static final int PROTOCOL_ICMP = 1;
    /** IP protocol number of TCP. */
    public static final int PROTOCOL_TCP = 6;
    /** IP protocol number of UDP. */
    public static final int PROTOCOL_UDP = 17;
    /** IP protocol number of ICMPv6. */
    public static final int PROTOCOL_ICMPV6 = 58;
    /** IP protocol number of SCTP, whose ports {@link #flowPorts()} holds. */
    public static final int PROTOCOL_SCTP = 132;
    /** IPv6 next header of a hop-by-hop options header. */
    public static final int PROTOCOL_HOP_BY_HOP = 0;
    /** IPv6 next header of a routing header. */
    public static final int PROTOCOL_ROUTING = 43;
    /** IPv6 next header of a fragment header. */
    public static final int PROTOCOL_FRAGMENT = 44;
    /** IPv6 next header (and IPv4 protocol) of ESP, which ends the extension header walk. */
    public static final int PROTOCOL_ESP = 50;
    /** IPv6 next header of an authentication header (AH). */
    public static final int PROTOCOL_AUTHENTICATION_HEADER = 51;
    /** IPv6 next header of a destination options header. */
    public static final int PROTOCOL_DESTINATION_OPTIONS = 60;

    /** ICMP (over IPv4) type of an echo request. */
    public static final int ICMP_ECHO_REQUEST = 8;
    /** ICMP (over IPv4) type of an echo reply. */
    public static final int ICMP_ECHO_REPLY = 0;
    /** ICMPv6 (over IPv6) type of an echo request. */
    public static final int ICMPV6_ECHO_REQUEST = 128;
    /** ICMPv6 (over IPv6) type of an echo reply. */
    public static final int ICMPV6_ECHO_REPLY = 129;

    private static final VarHandle ARRAY_SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle ARRAY_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BUFFER_SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BUFFER_INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BUFFER_LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    // walkIpv6's packed result: offset in bits 0..31, protocol 32..39, result code 40..47, then these flags.
    private static final long WALK_MORE_FRAGMENTS = 1L << 48;
    private static final long WALK_LATER_FRAGMENT = 1L << 49;

    // The bytes being parsed: exactly one of array and buffer is non-null during a parse call, both null after,
    // so that the flyweight never keeps a caller's buffer alive. Indices below are absolute in array/buffer.
    private byte[] array;
    private ByteBuffer buffer;
    private int end;

    private int result;
    private int frameOffset;
    private int capturedLength;
    private boolean hasLinkHeader;
    private long destinationMac;
    private long sourceMac;
    private int etherType;
    private int vlanTagCount;
    private int outerVlanId;
    private int ipOffset;
    private int ipVersion;
    private int ipHeaderLength;
    private int ipDeclaredLength;
    private int sourceIpv4;
    private int destinationIpv4;
    private long sourceIpv6High;
    private long sourceIpv6Low;
    private long destinationIpv6High;
    private long destinationIpv6Low;
    private int protocol;
    private int extensionHeaderCount;
    private boolean fragment;
    private int fragmentOffset;
    private boolean moreFragments;
    private boolean dontFragment;
    private int transportOffset;
    private boolean hasPorts;
    private int sourcePort;
    private int destinationPort;
    private int flowPorts;
    private boolean hasIcmp;
    private int icmpType;
    private int icmpCode;

    /**
     * Parses an Ethernet frame held in {@code buffer} between absolute indices {@code offset} and
     * {@code offset + length}. Heap, direct and read-only buffers all work; position, limit and byte order are
     * ignored, except that the slice must lie within {@code [0, limit)}.
     *
     * @param buffer the frame's buffer
     * @param offset absolute index of the frame's first byte
     * @param length captured length of the frame
     * @return a {@link ParseResult} code, also available as {@link #result()}
     */
    public int parseEthernet(final ByteBuffer buffer, final int offset, final int length)
    {
        if (buffer == null || !sliceWithin(offset, length, buffer.limit()))
        {
            return invalidArguments(offset, length);
        }
        this.buffer = buffer;
        try
        {
            return parseEthernetAt(offset, length);
        }
        finally
        {
            this.buffer = null;
        }
    }

    /**
     * Parses an Ethernet frame in {@code array[offset, offset + length)}.
     *
     * @param array the frame's bytes
     * @param offset index of the frame's first byte
     * @param length captured length of the frame
     * @return a {@link ParseResult} code, also available as {@link #result()}
     */
    public int parseEthernet(final byte[] array, final int offset, final int length)
    {
        if (array == null || !sliceWithin(offset, length, array.length))
        {
            return invalidArguments(offset, length);
        }
        this.array = array;
        try
        {
            return parseEthernetAt(offset, length);
        }
        finally
        {
            this.array = null;
        }
    }

    /**
     * Parses a raw IPv4 or IPv6 packet (no link header; the version nibble decides) held in {@code buffer}
     * between absolute indices {@code offset} and {@code offset + length}. MAC fields are 0 and
     * {@link #etherType()} is the EtherType the version implies.
     *
     * @param buffer the packet's buffer
     * @param offset absolute index of the IP header's first byte
     * @param length captured length of the packet
     * @return a {@link ParseResult} code
     */
    public int parseIp(final ByteBuffer buffer, final int offset, final int length)
    {
        if (buffer == null || !sliceWithin(offset, length, buffer.limit()))
        {
            return invalidArguments(offset, length);
        }
        this.buffer = buffer;
        try
        {
            return parseIpAt(offset, length);
        }
        finally
        {
            this.buffer = null;
        }
    }

    /**
     * Parses a raw IPv4 or IPv6 packet in {@code array[offset, offset + length)}.
     *
     * @param array the packet's bytes
     * @param offset index of the IP header's first byte
     * @param length captured length of the packet
     * @return a {@link ParseResult} code
     */
    public int parseIp(final byte[] array, final int offset, final int length)
    {
        if (array == null || !sliceWithin(offset, length, array.length))
        {
            return invalidArguments(offset, length);
        }
        this.array = array;
        try
        {
            return parseIpAt(offset, length);
        }
        finally
        {
            this.array = null;
        }
    }

    // Static readers: the same walk for callers that want to know only where headers are and what they say (the
    // VXLAN decoder, the flow hash from bytes) without the cost of filling every field of a flyweight. They read
    // a ByteBuffer absolutely, big-endian; the caller has checked that [offset, end) lies within its limit.
    // PacketHeadersStaticReadersTest checks them against the parse methods.

    /**
     * Skips the VLAN tags of an Ethernet frame, at most {@link #MAX_VLAN_TAGS}, as the parse methods do.
     *
     * @param buffer the frame's buffer
     * @param offset absolute index of the frame, whose {@link #ETHERNET_HEADER_LENGTH} bytes must lie before
     *     {@code end}
     * @param end absolute index after the last captured byte
     * @return the absolute index of the EtherType field that ends the tags; if the value there is still a VLAN
     *     TPID, the next tag is cut short by {@code end} or beyond the cap (see {@link #vlanTagsSkipped})
     */
    public static int etherTypeIndex(final ByteBuffer buffer, final int offset, final int end)
    {
        int index = offset + ETHERNET_TYPE_OFFSET;
        for (int tags = 0; tags < MAX_VLAN_TAGS; tags++)
        {
            final int type = (short)BUFFER_SHORT.get(buffer, index) & 0xFFFF;
            if ((type != ETHERTYPE_VLAN && type != ETHERTYPE_QINQ) || end - index - 2 < VLAN_TAG_LENGTH)
            {
                return index;
            }
            index += VLAN_TAG_LENGTH;
        }
        return index;
    }

    /**
     * @param offset absolute index of the frame given to {@link #etherTypeIndex}
     * @param etherTypeIndex what it returned
     * @return the number of VLAN tags it skipped
     */
    public static int vlanTagsSkipped(final int offset, final int etherTypeIndex)
    {
        return (etherTypeIndex - offset - ETHERNET_TYPE_OFFSET) / VLAN_TAG_LENGTH;
    }

    /**
     * Where an IP packet ends by its own length field, as the parse methods read it: IPv4 total length, or 40 +
     * IPv6 payload length, and the captured bytes when the field is 0 (a segmentation-offloaded packet, a
     * jumbogram). The fixed header must lie before {@code end}.
     *
     * @param buffer the packet's buffer
     * @param start absolute index of the IP header
     * @param end absolute index after the last captured byte
     * @param version 4 or 6
     * @return the absolute end the packet claims, which may lie beyond {@code end}
     */
    public static long ipDeclaredEnd(final ByteBuffer buffer, final int start, final int end, final int version)
    {
        final int field = (short)BUFFER_SHORT.get(
            buffer, start + (version == 4 ? IPV4_TOTAL_LENGTH_OFFSET : IPV6_PAYLOAD_LENGTH_OFFSET)) & 0xFFFF;
        if (field == 0)
        {
            return end;
        }
        return (long)start + (version == 4 ? field : IPV6_HEADER_LENGTH + field);
    }

    /**
     * Walks the extension headers of the IPv6 packet at {@code start} as the parse methods do: hop-by-hop,
     * routing, fragment, destination options and AH, at most {@link #MAX_IPV6_EXTENSION_HEADERS}, each within
     * the packet's own length; a fragment with a non-zero offset ends the walk. The fixed header must lie
     * before {@code end} and have version 6.
     *
     * @param buffer the packet's buffer
     * @param start absolute index of the IPv6 header
     * @param end absolute index after the last captured byte
     * @return the walk, packed: read it with {@link #walkResult}, {@link #walkProtocol}, {@link #walkOffset},
     *     {@link #walkLaterFragment} and {@link #walkMoreFragments}
     */
    public static long walkIpv6(final ByteBuffer buffer, final int start, final int end)
    {
        final long declaredEnd = ipDeclaredEnd(buffer, start, end, 6);
        final boolean capturedWhole = declaredEnd <= end;
        final int packetEnd = capturedWhole ? (int)declaredEnd : end;
        final int cutResult = capturedWhole ? ParseResult.MALFORMED_EXTENSION_HEADER : ParseResult.TRUNCATED_IP_OPTIONS;
        int next = buffer.get(start + IPV6_NEXT_HEADER_OFFSET) & 0xFF;
        int index = start + IPV6_HEADER_LENGTH;
        long more = 0;
        for (int walked = 0; ; walked++)
        {
            final int headerLength;
            final boolean authentication = next == PROTOCOL_AUTHENTICATION_HEADER;
            if (authentication
                || next == PROTOCOL_HOP_BY_HOP || next == PROTOCOL_ROUTING || next == PROTOCOL_DESTINATION_OPTIONS)
            {
                if (packetEnd - index < 2)
                {
                    return walk(cutResult, 0, 0, 0);
                }
                final int units = buffer.get(index + EXTENSION_LENGTH_OFFSET) & 0xFF;
                headerLength = authentication ? (units + 2) << 2 : (units + 1) << 3;
            }
            else if (next == PROTOCOL_FRAGMENT)
            {
                headerLength = FRAGMENT_HEADER_LENGTH;
            }
            else
            {
                return walk(ParseResult.OK, next, index, more);
            }
            if (walked == MAX_IPV6_EXTENSION_HEADERS)
            {
                return walk(ParseResult.TOO_MANY_EXTENSION_HEADERS, 0, 0, 0);
            }
            if (packetEnd - index < headerLength)
            {
                return walk(cutResult, 0, 0, 0);
            }
            final int following = buffer.get(index + EXTENSION_NEXT_HEADER_OFFSET) & 0xFF;
            if (next == PROTOCOL_FRAGMENT)
            {
                final int offsetAndFlags = (short)BUFFER_SHORT.get(buffer, index + FRAGMENT_OFFSET_FLAGS_OFFSET) & 0xFFFF;
                more = (offsetAndFlags & FRAGMENT_MORE_FRAGMENTS) != 0 ? WALK_MORE_FRAGMENTS : 0;
                if ((offsetAndFlags & FRAGMENT_OFFSET_MASK) != 0)
                {
                    return walk(ParseResult.OK, following, 0, more | WALK_LATER_FRAGMENT);
                }
            }
            next = following;
            index += headerLength;
        }
    }

    private static long walk(final int result, final int protocol, final int offset, final long flags)
    {
        return (long)result << 40 | (long)protocol << 32 | (offset & 0xFFFF_FFFFL) | flags;
    }

    /**
     * @param walk what {@link #walkIpv6} returned
     * @return {@link ParseResult#OK}, or {@link ParseResult#TRUNCATED_IP_OPTIONS},
     *     {@link ParseResult#MALFORMED_EXTENSION_HEADER} or {@link ParseResult#TOO_MANY_EXTENSION_HEADERS}, after
     *     which the protocol is unknown
     */
    public static int walkResult(final long walk)
    {
        return (int)(walk >>> 40) & 0xFF;
    }

    /**
     * @param walk what {@link #walkIpv6} returned
     * @return the upper-layer protocol after an {@code OK} walk (for a later fragment, the fragment header's next
     *     header)
     */
    public static int walkProtocol(final long walk)
    {
        return (int)(walk >>> 32) & 0xFF;
    }

    /**
     * @param walk what {@link #walkIpv6} returned
     * @return the absolute index of the upper-layer header after an {@code OK} walk that is not a later fragment
     */
    public static int walkOffset(final long walk)
    {
        return (int)walk;
    }

    /**
     * @param walk what {@link #walkIpv6} returned
     * @return whether a fragment header with a non-zero offset ended the walk: no upper-layer header follows
     */
    public static boolean walkLaterFragment(final long walk)
    {
        return (walk & WALK_LATER_FRAGMENT) != 0;
    }

    /**
     * @param walk what {@link #walkIpv6} returned
     * @return whether a fragment header walked had the more-fragments flag set
     */
    public static boolean walkMoreFragments(final long walk)
    {
        return (walk & WALK_MORE_FRAGMENTS) != 0;
    }

    private static boolean sliceWithin(final int offset, final int length, final int limit)
    {
        return offset >= 0 && length >= 0 && (long) offset + length <= limit;
    }

    private int invalidArguments(final int offset, final int length)
    {
        reset(offset, length);
        return result = noIpLayer(ParseResult.INVALID_ARGUMENTS);
    }

    // Every field is written on every parse, most of them once: the link fields here, the IP fields either by a
    // successful IPv4 or IPv6 header parse or by clearIpLayer(), the transport fields by parseTransport() or
    // clearTransport(). Writing each once rather than resetting all first saves about twenty stores a packet.
    private void reset(final int offset, final int length)
    {
        end = offset + length;
        frameOffset = offset;
        capturedLength = length;
        hasLinkHeader = false;
        destinationMac = 0;
        sourceMac = 0;
        etherType = -1;
        vlanTagCount = 0;
        outerVlanId = -1;
        ipOffset = -1;
    }

    private int noIpLayer(final int code)
    {
        clearIpLayer();
        return code;
    }

    private void clearIpLayer()
    {
        ipVersion = 0;
        ipHeaderLength = 0;
        ipDeclaredLength = 0;
        sourceIpv4 = 0;
        destinationIpv4 = 0;
        sourceIpv6High = 0;
        sourceIpv6Low = 0;
        destinationIpv6High = 0;
        destinationIpv6Low = 0;
        protocol = PROTOCOL_UNKNOWN;
        extensionHeaderCount = 0;
        fragment = false;
        fragmentOffset = 0;
        moreFragments = false;
        dontFragment = false;
        clearTransport();
    }

    private void clearTransport()
    {
        transportOffset = -1;
        hasPorts = false;
        sourcePort = 0;
        destinationPort = 0;
        flowPorts = 0;
        hasIcmp = false;
        icmpType = 0;
        icmpCode = 0;
    }

    private int parseEthernetAt(final int offset, final int length)
    {
        reset(offset, length);
        if (length < ETHERNET_HEADER_LENGTH)
        {
            return result = noIpLayer(ParseResult.TRUNCATED_LINK_HEADER);
        }
        hasLinkHeader = true;
        destinationMac = u48(offset + ETHERNET_DESTINATION_OFFSET);
        sourceMac = u48(offset + ETHERNET_SOURCE_OFFSET);
        int type = u16(offset + ETHERNET_TYPE_OFFSET);
        int index = offset + ETHERNET_HEADER_LENGTH;
        while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ)
        {
            if (vlanTagCount == MAX_VLAN_TAGS)
            {
                etherType = type;
                return result = noIpLayer(ParseResult.TOO_MANY_VLAN_TAGS);
            }
            if (end - index < VLAN_TAG_LENGTH)
            {
                etherType = type;
                return result = noIpLayer(ParseResult.TRUNCATED_LINK_HEADER);
            }
            if (vlanTagCount == 0)
            {
                outerVlanId = u16(index + VLAN_TCI_OFFSET) & 0x0FFF;
            }
            type = u16(index + VLAN_TYPE_OFFSET);
            index += VLAN_TAG_LENGTH;
            vlanTagCount++;
        }
        etherType = type;
        if (type == ETHERTYPE_IPV4)
        {
            return result = parseIpv4(index);
        }
        if (type == ETHERTYPE_IPV6)
        {
            return result = parseIpv6(index);
        }
        return result = noIpLayer(ParseResult.NOT_IP);
    }

    private int parseIpAt(final int offset, final int length)
    {
        reset(offset, length);
        if (length < 1)
        {
            return result = noIpLayer(ParseResult.TRUNCATED_IP_HEADER);
        }
        final int version = u8(offset) >>> 4;
        if (version == 4)
        {
            etherType = ETHERTYPE_IPV4;
            return result = parseIpv4(offset);
        }
        if (version == 6)
        {
            etherType = ETHERTYPE_IPV6;
            return result = parseIpv6(offset);
        }
        ipOffset = offset;
        return result = noIpLayer(ParseResult.MALFORMED_IP_HEADER);
    }

    private int parseIpv4(final int start)
    {
        ipOffset = start;
        if (end - start < IPV4_MIN_HEADER_LENGTH)
        {
            return noIpLayer(ParseResult.TRUNCATED_IP_HEADER);
        }
        final int versionAndIhl = u8(start + IPV4_VERSION_IHL_OFFSET);
        final int headerLength = (versionAndIhl & 0x0F) << 2;
        final int lengthField = u16(start + IPV4_TOTAL_LENGTH_OFFSET);
        // Total length 0 is a capture of a segmentation-offloaded packet: the captured bytes are the packet.
        final int totalLength = lengthField == 0 ? end - start : lengthField;
        if (versionAndIhl >>> 4 != 4 || headerLength < IPV4_MIN_HEADER_LENGTH || (lengthField != 0 && totalLength < headerLength))
        {
            return noIpLayer(ParseResult.MALFORMED_IP_HEADER);
        }
        ipVersion = 4;
        ipHeaderLength = headerLength;
        ipDeclaredLength = totalLength;
        final int flagsAndOffset = u16(start + IPV4_FLAGS_FRAGMENT_OFFSET);
        dontFragment = (flagsAndOffset & IPV4_DONT_FRAGMENT) != 0;
        final boolean more = (flagsAndOffset & IPV4_MORE_FRAGMENTS) != 0;
        final int offset = (flagsAndOffset & IPV4_FRAGMENT_OFFSET_MASK) << 3;
        moreFragments = more;
        fragmentOffset = offset;
        fragment = more || offset != 0;
        protocol = u8(start + IPV4_PROTOCOL_OFFSET);
        sourceIpv4 = s32(start + IPV4_SOURCE_OFFSET);
        destinationIpv4 = s32(start + IPV4_DESTINATION_OFFSET);
        sourceIpv6High = 0;
        sourceIpv6Low = 0;
        destinationIpv6High = 0;
        destinationIpv6Low = 0;
        extensionHeaderCount = 0;
        if (end - start < headerLength)
        {
            clearTransport();
            return ParseResult.TRUNCATED_IP_OPTIONS;
        }
        if (offset != 0)
        {
            clearTransport();
            return ParseResult.OK;
        }
        final int packetEnd = (int)Math.min(end, (long)start + totalLength);
        return parseTransport(start + headerLength, packetEnd);
    }

    private int parseIpv6(final int start)
    {
        ipOffset = start;
        if (end - start < IPV6_HEADER_LENGTH)
        {
            return noIpLayer(ParseResult.TRUNCATED_IP_HEADER);
        }
        if (u8(start + IPV6_VERSION_CLASS_FLOW_OFFSET) >>> 4 != 6)
        {
            return noIpLayer(ParseResult.MALFORMED_IP_HEADER);
        }
        ipVersion = 6;
        sourceIpv4 = 0;
        destinationIpv4 = 0;
        dontFragment = false;
        fragment = false;
        fragmentOffset = 0;
        moreFragments = false;
        extensionHeaderCount = 0;
        protocol = PROTOCOL_UNKNOWN;
        ipHeaderLength = IPV6_HEADER_LENGTH;
        final int payloadLength = u16(start + IPV6_PAYLOAD_LENGTH_OFFSET);
        // Payload length 0 is a jumbogram (RFC 2675) or a segmentation-offloaded capture: the bytes are the packet.
        final int declaredLength = payloadLength == 0 ? end - start : IPV6_HEADER_LENGTH + payloadLength;
        ipDeclaredLength = declaredLength;
        sourceIpv6High = s64(start + IPV6_SOURCE_OFFSET);
        sourceIpv6Low = s64(start + IPV6_SOURCE_OFFSET + 8);
        destinationIpv6High = s64(start + IPV6_DESTINATION_OFFSET);
        destinationIpv6Low = s64(start + IPV6_DESTINATION_OFFSET + 8);
        final boolean capturedWhole = (long) start + declaredLength <= end;
        final int packetEnd = capturedWhole ? start + declaredLength : end;
        final int cutResult = capturedWhole ? ParseResult.MALFORMED_EXTENSION_HEADER : ParseResult.TRUNCATED_IP_OPTIONS;

        int next = u8(start + IPV6_NEXT_HEADER_OFFSET);
        int index = start + IPV6_HEADER_LENGTH;
        while (true)
        {
            final int headerLength;
            if (next == PROTOCOL_HOP_BY_HOP || next == PROTOCOL_ROUTING || next == PROTOCOL_DESTINATION_OPTIONS)
            {
                if (packetEnd - index < 2)
                {
                    return noTransport(cutResult);
                }
                headerLength = (u8(index + EXTENSION_LENGTH_OFFSET) + 1) << 3;
            }
            else if (next == PROTOCOL_AUTHENTICATION_HEADER)
            {
                if (packetEnd - index < 2)
                {
                    return noTransport(cutResult);
                }
                headerLength = (u8(index + EXTENSION_LENGTH_OFFSET) + 2) << 2;
            }
            else if (next == PROTOCOL_FRAGMENT)
            {
                headerLength = FRAGMENT_HEADER_LENGTH;
            }
            else
            {
                break;
            }
            if (extensionHeaderCount == MAX_IPV6_EXTENSION_HEADERS)
            {
                return noTransport(ParseResult.TOO_MANY_EXTENSION_HEADERS);
            }
            if (packetEnd - index < headerLength)
            {
                return noTransport(cutResult);
            }
            extensionHeaderCount++;
            final int following = u8(index + EXTENSION_NEXT_HEADER_OFFSET);
            if (next == PROTOCOL_FRAGMENT)
            {
                final int offsetAndFlags = u16(index + FRAGMENT_OFFSET_FLAGS_OFFSET);
                fragment = true;
                fragmentOffset = offsetAndFlags & FRAGMENT_OFFSET_MASK;
                moreFragments = (offsetAndFlags & FRAGMENT_MORE_FRAGMENTS) != 0;
                if (fragmentOffset != 0)
                {
                    protocol = following;
                    return noTransport(ParseResult.OK);
                }
            }
            next = following;
            index += headerLength;
        }
        protocol = next;
        return parseTransport(index, packetEnd);
    }

    /**
     * Reads ports or ICMP type and code from the header at {@code start}, which must end by {@code packetEnd}, and
     * the flow's port pair (SCTP ports, an echo identifier) that only {@link #flowPorts()} reports.
     */
    private int parseTransport(final int start, final int packetEnd)
    {
        final int proto = protocol;
        if (proto == PROTOCOL_TCP || proto == PROTOCOL_UDP)
        {
            transportOffset = start;
            hasIcmp = false;
            icmpType = 0;
            icmpCode = 0;
            if (packetEnd - start < 4)
            {
                hasPorts = false;
                sourcePort = 0;
                destinationPort = 0;
                flowPorts = 0;
                return ParseResult.TRUNCATED_TRANSPORT;
            }
            final int ports = s32(start);
            sourcePort = ports >>> 16;
            destinationPort = ports & 0xFFFF;
            flowPorts = ports;
            hasPorts = true;
            return ParseResult.OK;
        }
        hasPorts = false;
        sourcePort = 0;
        destinationPort = 0;
        if (proto == PROTOCOL_ICMP || proto == PROTOCOL_ICMPV6)
        {
            transportOffset = start;
            if (packetEnd - start < 2)
            {
                hasIcmp = false;
                icmpType = 0;
                icmpCode = 0;
                flowPorts = 0;
                return ParseResult.TRUNCATED_TRANSPORT;
            }
            final int type = u8(start);
            icmpType = type;
            icmpCode = u8(start + 1);
            hasIcmp = true;
            flowPorts = echoIdentifiers(start, packetEnd, proto, type);
            return ParseResult.OK;
        }
        transportOffset = start <= packetEnd ? start : -1;
        hasIcmp = false;
        icmpType = 0;
        icmpCode = 0;
        flowPorts = proto == PROTOCOL_SCTP ? sctpPorts(start, packetEnd) : 0;
        return ParseResult.OK;
    }

    /**
     * An echo's identifier in both halves, standing in for ports so that a ping and its reply are one flow; only
     * the ICMP of the packet's own IP version has echo types (ICMPv6 over IPv4 is some other message). Kept out
     * of {@link #parseTransport} so that the JIT still inlines that.
     */
    private int echoIdentifiers(final int start, final int packetEnd, final int proto, final int type)
    {
        final boolean echo = proto == PROTOCOL_ICMP
            ? ipVersion == 4 && (type == ICMP_ECHO_REQUEST || type == ICMP_ECHO_REPLY)
            : ipVersion == 6 && (type == ICMPV6_ECHO_REQUEST || type == ICMPV6_ECHO_REPLY);
        if (!echo || packetEnd - start < ICMP_ECHO_IDENTIFIER_OFFSET + 2)
        {
            return 0;
        }
        final int identifier = u16(start + ICMP_ECHO_IDENTIFIER_OFFSET);
        return identifier << 16 | identifier;
    }

    private int sctpPorts(final int start, final int packetEnd)
    {
        return packetEnd - start >= 4 ? s32(start) : 0;
    }

    private int noTransport(final int code)
    {
        clearTransport();
        return code;
    }

    private int u8(final int index)
    {
        final byte[] bytes = array;
        return (bytes != null ? bytes[index] : buffer.get(index)) & 0xFF;
    }

    private int u16(final int index)
    {
        final byte[] bytes = array;
        return (bytes != null ? (short) ARRAY_SHORT.get(bytes, index) : (short) BUFFER_SHORT.get(buffer, index)) & 0xFFFF;
    }

    private int s32(final int index)
    {
        final byte[] bytes = array;
        return bytes != null ? (int) ARRAY_INT.get(bytes, index) : (int) BUFFER_INT.get(buffer, index);
    }

    private long s64(final int index)
    {
        final byte[] bytes = array;
        return bytes != null ? (long) ARRAY_LONG.get(bytes, index) : (long) BUFFER_LONG.get(buffer, index);
    }

    private long u48(final int index)
    {
        return ((long) u16(index) << 32) | (s32(index + 2) & 0xFFFF_FFFFL);
    }

    /** @return the {@link ParseResult} code of the last parse */
    public int result()
    {
        return result;
    }

    /** @return absolute index of the frame's (or raw packet's) first byte in the last parsed buffer */
    public int frameOffset()
    {
        return frameOffset;
    }

    /** @return bytes captured, as given to the last parse */
    public int capturedLength()
    {
        return capturedLength;
    }

    /** @return whether the input was an Ethernet frame whose 14-byte header was present */
    public boolean hasLinkHeader()
    {
        return hasLinkHeader;
    }

    /** @return destination MAC in the low 48 bits, 0 without a link header */
    public long destinationMac()
    {
        return destinationMac;
    }

    /** @return source MAC in the low 48 bits, 0 without a link header */
    public long sourceMac()
    {
        return sourceMac;
    }

    /** @return the EtherType after any VLAN tags (the TPID if tags were cut short or too many), -1 if unknown */
    public int etherType()
    {
        return etherType;
    }

    /** @return number of VLAN tags skipped */
    public int vlanTagCount()
    {
        return vlanTagCount;
    }

    /** @return VLAN id (12 bits) of the outermost tag, -1 without tags */
    public int outerVlanId()
    {
        return outerVlanId;
    }

    /** @return absolute index of the IP header, -1 if none was reached */
    public int ipOffset()
    {
        return ipOffset;
    }

    /** @return 4 or 6 when the fixed IP header is present and valid (addresses known), else 0 */
    public int ipVersion()
    {
        return ipVersion;
    }

    /** @return IPv4 header length including options (IHL * 4), 40 for IPv6, 0 without IP */
    public int ipHeaderLength()
    {
        return ipHeaderLength;
    }

    /**
     * @return the IP packet's own length: IPv4 total length, or 40 + IPv6 payload length (the captured length
     *     from the IP header on when the payload length is 0); 0 without IP
     */
    public int ipDeclaredLength()
    {
        return ipDeclaredLength;
    }

    /** @return IPv4 source address, 0 unless {@code ipVersion() == 4} */
    public int sourceIpv4()
    {
        return sourceIpv4;
    }

    /** @return IPv4 destination address, 0 unless {@code ipVersion() == 4} */
    public int destinationIpv4()
    {
        return destinationIpv4;
    }

    /** @return high 64 bits of the IPv6 source address */
    public long sourceIpv6High()
    {
        return sourceIpv6High;
    }

    /** @return low 64 bits of the IPv6 source address */
    public long sourceIpv6Low()
    {
        return sourceIpv6Low;
    }

    /** @return high 64 bits of the IPv6 destination address */
    public long destinationIpv6High()
    {
        return destinationIpv6High;
    }

    /** @return low 64 bits of the IPv6 destination address */
    public long destinationIpv6Low()
    {
        return destinationIpv6Low;
    }

    /**
     * @return the upper-layer protocol: IPv4's protocol field, or the IPv6 next header after the extension
     *     headers; {@link #PROTOCOL_UNKNOWN} when it could not be determined
     */
    public int protocol()
    {
        return protocol;
    }

    /** @return IPv6 extension headers walked */
    public int extensionHeaderCount()
    {
        return extensionHeaderCount;
    }

    /** @return whether the packet is a fragment (IPv4 MF or offset, or an IPv6 fragment header) */
    public boolean isFragment()
    {
        return fragment;
    }

    /** @return fragment offset in bytes, 0 when not a fragment */
    public int fragmentOffset()
    {
        return fragmentOffset;
    }

    /** @return the more-fragments flag */
    public boolean moreFragments()
    {
        return moreFragments;
    }

    /** @return IPv4 don't-fragment flag */
    public boolean dontFragment()
    {
        return dontFragment;
    }

    /** @return absolute index of the upper-layer header, -1 if there is none (later fragment, cut short) */
    public int transportOffset()
    {
        return transportOffset;
    }

    /** @return whether {@link #sourcePort()} and {@link #destinationPort()} hold a TCP or UDP packet's ports */
    public boolean hasPorts()
    {
        return hasPorts;
    }

    /** @return TCP or UDP source port, 0 unless {@link #hasPorts()} */
    public int sourcePort()
    {
        return sourcePort;
    }

    /** @return TCP or UDP destination port, 0 unless {@link #hasPorts()} */
    public int destinationPort()
    {
        return destinationPort;
    }

    /**
     * The two 16-bit values that, with the addresses and the protocol, tell one flow from another: what
     * {@code FlowHash} hashes. Wider than {@link #hasPorts()}, which a filter's port ranges rely on.
     *
     * @return the source port in the high 16 bits and the destination port in the low 16 bits for TCP, UDP and
     *     SCTP; an echo request's or reply's identifier in both halves for ICMP over IPv4 and ICMPv6 over IPv6;
     *     0 when the packet carries none (other protocols, later fragments, a header outside the IP packet's
     *     own length or the captured bytes)
     */
    public int flowPorts()
    {
        return flowPorts;
    }

    /** @return whether {@link #icmpType()} and {@link #icmpCode()} hold an ICMP (1) or ICMPv6 (58) header */
    public boolean hasIcmp()
    {
        return hasIcmp;
    }

    /** @return ICMP or ICMPv6 type, 0 unless {@link #hasIcmp()} */
    public int icmpType()
    {
        return icmpType;
    }

    /** @return ICMP or ICMPv6 code, 0 unless {@link #hasIcmp()} */
    public int icmpCode()
    {
        return icmpCode;
    }

    @Override
    public String toString()
    {
        return "PacketHeaders{result=" + ParseResult.name(result)
            + ", etherType=0x" + Integer.toHexString(etherType)
            + ", vlanTags=" + vlanTagCount
            + ", ipVersion=" + ipVersion
            + ", protocol=" + protocol
            + ", fragment=" + fragment + "@" + fragmentOffset
            + ", ports=" + (hasPorts ? sourcePort + "->" + destinationPort : "none")
            + '}';
    }
}
