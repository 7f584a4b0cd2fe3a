package io.trafficmirror.vxlan;

import io.trafficmirror.vxlan.packet.PacketHeaders;
import io.trafficmirror.vxlan.packet.ParseResult;

import java.nio.ByteBuffer;

/**
 * The receiving side: finds the tunnel header and the mirrored frame in what a target receives, without
 * copying, and reports VNI, outer addresses and ports, and the inner frame as an offset and length in the
 * same buffer.
 *
 * <pre>
 *  decodeFrame (a captured frame):
 *  +----------+-------------+-----------+-----+------------------+-------------------+
 *  | Ethernet | VLAN tags   | IPv4 or   | UDP | VXLAN (4789)     | inner frame       |
 *  | 14       | 4 each, 0..n| IPv6      | 8   | or GENEVE (6081) | innerOffset() ... |
 *  +----------+-------------+-----------+-----+------------------+-------------------+
 *  decodeVxlanPayload / decodeGenevePayload (what a UDP socket delivers):
 *                                             +------------------+-------------------+
 *                                             | VXLAN or GENEVE  | inner frame       |
 *                                             +------------------+-------------------+
 *  GENEVE carrying VXLAN (a Gateway Load Balancer endpoint in front of a mirror target):
 *  ... UDP 6081 | GENEVE | [Ethernet] IPv4/IPv6 | UDP 4789 | VXLAN | inner frame
 * </pre>
 *
 * <p>VLAN tags and IPv6 extension headers are walked by the project's one header walker, {@link PacketHeaders}
 * (its static readers, which fill no flyweight), with its layout constants, its caps ({@link
 * PacketHeaders#MAX_VLAN_TAGS} tags, {@link PacketHeaders#MAX_IPV6_EXTENSION_HEADERS} extension headers) and its
 * reading of a zero IP length (the captured bytes are the packet, as in a capture of a segmentation-offloaded
 * packet). What is checked: every header lies inside the bytes given; IP version and header lengths; that the IP
 * packet is UDP and not a fragment; the UDP length against the IP packet; the VXLAN I flag; the GENEVE version and
 * option lengths. Reserved bits are ignored (RFC 7348 §5). Checksums are not verified: the receiving stack or
 * capture point has done so or chose not to. A capture cut short by its snap length still decodes: the inner frame
 * is what was captured and {@link #isTruncated()} says so. Ethernet padding after the IP packet is not part of the
 * inner frame.
 *
 * <p>Every decode returns {@link ResultCode#OK} or a negative {@link ResultCode}. After {@code OK} the getters
 * describe the packet; each call resets them, and after a failure only the result code is meaningful (the
 * getters may describe the headers read before the failure). No allocation, no exception for any input.
 * Not thread-safe: one instance per receiving thread.
 */
public final class VxlanFrameDecoder
{
    /** No tunnel found (the last decode failed). */
    public static final int ENCAPSULATION_NONE = 0;
    /** A VXLAN packet. */
    public static final int ENCAPSULATION_VXLAN = 1;
    /** A GENEVE packet whose payload is not VXLAN. */
    public static final int ENCAPSULATION_GENEVE = 2;
    /** A GENEVE packet whose payload is an IP packet (or Ethernet frame) carrying VXLAN. */
    public static final int ENCAPSULATION_GENEVE_VXLAN = 3;

    private final ArrayView arrayView = new ArrayView();
    private final GeneveHeaderDecoder geneve = new GeneveHeaderDecoder();
    private int vxlanPort = OuterHeadersEncoder.VXLAN_PORT;
    private int genevePort = GeneveHeaderDecoder.GENEVE_PORT;

    private ByteBuffer buffer;
    private int encapsulation;
    private int vni;
    private int vxlanFlags;
    private int geneveVni;
    private int ipVersion;
    private int sourceAddressOffset;
    private int destinationAddressOffset;
    private int sourcePort;
    private int destinationPort;
    private int innerOffset;
    private int innerLength;
    private int innerProtocol;
    private boolean truncated;

    /**
     * Changes the UDP destination port recognised as VXLAN, for targets that listen on another port
     * (the Linux kernel's historical default was 8472).
     *
     * @param port 1..65535; default 4789.
     * @return this.
     */
    public VxlanFrameDecoder vxlanPort(final int port)
    {
        this.vxlanPort = checkPort(port);
        return this;
    }

    /**
     * Changes the UDP destination port recognised as GENEVE.
     *
     * @param port 1..65535; default 6081.
     * @return this.
     */
    public VxlanFrameDecoder genevePort(final int port)
    {
        this.genevePort = checkPort(port);
        return this;
    }

    /**
     * Decodes a whole captured frame: Ethernet, optional VLAN tags, IPv4 or IPv6, UDP, then VXLAN or GENEVE.
     *
     * @param buffer heap, direct or read-only; position, limit and order are not changed.
     * @param offset absolute index of the frame's first byte.
     * @param length captured bytes; none beyond {@code offset + length} is read.
     * @return {@link ResultCode#OK} or a negative {@link ResultCode}; {@link ResultCode#NOT_TUNNEL} for UDP
     *     that is neither VXLAN nor GENEVE, {@code NOT_UDP} or {@code NOT_IP} for other traffic.
     */
    public int decodeFrame(final ByteBuffer buffer, final int offset, final int length)
    {
        reset(buffer);
        if (!Bytes.inBounds(offset, length, buffer.limit()))
        {
            return ResultCode.OUT_OF_BOUNDS;
        }
        return decodeEthernet(offset, offset + length, false);
    }

    /**
     * Array form of {@link #decodeFrame(ByteBuffer, int, int)}; offsets reported are indices into the array.
     *
     * @param array the captured bytes; decoding the same array again allocates nothing.
     * @param offset index of the frame's first byte.
     * @param length captured bytes.
     * @return {@link ResultCode#OK} or a negative {@link ResultCode}.
     */
    public int decodeFrame(final byte[] array, final int offset, final int length)
    {
        return decodeFrame(arrayView.of(array), offset, length);
    }

    /**
     * Decodes the payload of a UDP datagram received on the VXLAN port: the VXLAN header and the inner frame.
     * Addresses and ports are unknown here (the socket reported them): {@link #ipVersion()} is 0.
     *
     * @param buffer the received payload.
     * @param offset absolute index of the VXLAN header.
     * @param length payload bytes.
     * @return {@link ResultCode#OK}, {@code OUT_OF_BOUNDS}, {@code TOO_SHORT} or {@code VNI_FLAG_CLEAR}.
     */
    public int decodeVxlanPayload(final ByteBuffer buffer, final int offset, final int length)
    {
        reset(buffer);
        if (!Bytes.inBounds(offset, length, buffer.limit()))
        {
            return ResultCode.OUT_OF_BOUNDS;
        }
        return decodeVxlan(offset, offset + length);
    }

    /**
     * Array form of {@link #decodeVxlanPayload(ByteBuffer, int, int)}.
     *
     * @param array the received payload.
     * @param offset index of the VXLAN header.
     * @param length payload bytes.
     * @return {@link ResultCode#OK} or a negative {@link ResultCode}.
     */
    public int decodeVxlanPayload(final byte[] array, final int offset, final int length)
    {
        return decodeVxlanPayload(arrayView.of(array), offset, length);
    }

    /**
     * Decodes the payload of a UDP datagram received on the GENEVE port, unwrapping VXLAN inside it if present.
     *
     * @param buffer the received payload.
     * @param offset absolute index of the GENEVE header.
     * @param length payload bytes.
     * @return {@link ResultCode#OK} or a negative {@link ResultCode}.
     */
    public int decodeGenevePayload(final ByteBuffer buffer, final int offset, final int length)
    {
        reset(buffer);
        if (!Bytes.inBounds(offset, length, buffer.limit()))
        {
            return ResultCode.OUT_OF_BOUNDS;
        }
        return decodeGeneve(offset, offset + length);
    }

    /**
     * Array form of {@link #decodeGenevePayload(ByteBuffer, int, int)}.
     *
     * @param array the received payload.
     * @param offset index of the GENEVE header.
     * @param length payload bytes.
     * @return {@link ResultCode#OK} or a negative {@link ResultCode}.
     */
    public int decodeGenevePayload(final byte[] array, final int offset, final int length)
    {
        return decodeGenevePayload(arrayView.of(array), offset, length);
    }

    /**
     * The buffer of the last decode; for an array, the view over it whose indices equal the array's.
     *
     * @return the buffer the offsets refer to.
     */
    public ByteBuffer buffer()
    {
        return buffer;
    }

    /**
     * Which tunnel the last decode found.
     *
     * @return one of the {@code ENCAPSULATION_*} constants.
     */
    public int encapsulation()
    {
        return encapsulation;
    }

    /**
     * The VNI that identifies the mirror session: VXLAN's, or GENEVE's when no VXLAN was inside.
     *
     * @return 0..16777215, or -1 after a failed decode.
     */
    public int vni()
    {
        return vni;
    }

    /**
     * The VXLAN flags byte, reserved bits included.
     *
     * @return 0..255, or -1 when there was no VXLAN header.
     */
    public int vxlanFlags()
    {
        return vxlanFlags;
    }

    /**
     * The GENEVE VNI, when the packet came through GENEVE.
     *
     * @return 0..16777215, or -1 without GENEVE.
     */
    public int geneveVni()
    {
        return geneveVni;
    }

    /**
     * IP version of the packet that carried the tunnel header: for GENEVE carrying VXLAN, the inner packet
     * (mirror source to target), not the GENEVE one.
     *
     * @return 4, 6, or 0 when unknown (a bare UDP payload, or a failed decode).
     */
    public int ipVersion()
    {
        return ipVersion;
    }

    /**
     * Length of each outer address.
     *
     * @return 4, 16, or 0 when unknown.
     */
    public int addressLength()
    {
        return ipVersion == 4 ? 4 : ipVersion == 6 ? 16 : 0;
    }

    /**
     * Where the outer source address lies in {@link #buffer()}.
     *
     * @return an absolute index, or -1 when unknown.
     */
    public int sourceAddressOffset()
    {
        return sourceAddressOffset;
    }

    /**
     * Where the outer destination address lies in {@link #buffer()}.
     *
     * @return an absolute index, or -1 when unknown.
     */
    public int destinationAddressOffset()
    {
        return destinationAddressOffset;
    }

    /**
     * The outer IPv4 source address as a 32-bit value.
     *
     * @return the address, or 0 when the outer packet is not IPv4.
     */
    public int sourceIpv4()
    {
        return ipVersion == 4 ? Bytes.i32(buffer, sourceAddressOffset) : 0;
    }

    /**
     * The outer IPv4 destination address as a 32-bit value.
     *
     * @return the address, or 0 when the outer packet is not IPv4.
     */
    public int destinationIpv4()
    {
        return ipVersion == 4 ? Bytes.i32(buffer, destinationAddressOffset) : 0;
    }

    /**
     * Copies the outer source address into a caller's array, for IPv6 or for keeping it.
     *
     * @param destination where to copy; needs {@link #addressLength()} bytes from {@code destinationOffset}.
     * @param destinationOffset index in {@code destination}.
     * @return bytes copied: {@link #addressLength()}, or 0 if unknown or if they would not fit.
     */
    public int copySourceAddress(final byte[] destination, final int destinationOffset)
    {
        return copyAddress(sourceAddressOffset, destination, destinationOffset);
    }

    /**
     * Copies the outer destination address into a caller's array.
     *
     * @param destination where to copy.
     * @param destinationOffset index in {@code destination}.
     * @return bytes copied: {@link #addressLength()}, or 0 if unknown or if they would not fit.
     */
    public int copyDestinationAddress(final byte[] destination, final int destinationOffset)
    {
        return copyAddress(destinationAddressOffset, destination, destinationOffset);
    }

    /**
     * The outer UDP source port (the sender's flow hash).
     *
     * @return 0..65535, or -1 when unknown.
     */
    public int sourcePort()
    {
        return sourcePort;
    }

    /**
     * The outer UDP destination port.
     *
     * @return 0..65535, or -1 when unknown.
     */
    public int destinationPort()
    {
        return destinationPort;
    }

    /**
     * Where the mirrored frame starts in {@link #buffer()}.
     *
     * @return an absolute index, or -1 after a failed decode.
     */
    public int innerOffset()
    {
        return innerOffset;
    }

    /**
     * Length of the mirrored frame as received: possibly cut by the sender's packet length or MTU, or by
     * the capture's snap length (see {@link #isTruncated()}).
     *
     * @return bytes from {@link #innerOffset()}, or -1 after a failed decode.
     */
    public int innerLength()
    {
        return innerLength;
    }

    /**
     * What the inner bytes are, as an Ethernet type: {@link GeneveHeaderDecoder#PROTOCOL_ETHERNET} for an
     * Ethernet frame (always so for VXLAN), or GENEVE's protocol type otherwise (0x0800: an IPv4 packet).
     *
     * @return the protocol, or -1 after a failed decode.
     */
    public int innerProtocol()
    {
        return innerProtocol;
    }

    /**
     * Whether the bytes given ended before the IP or UDP length said the packet does, as in a capture with a
     * small snap length.
     *
     * @return true if the inner frame is shorter than the sender sent it.
     */
    public boolean isTruncated()
    {
        return truncated;
    }

    private void reset(final ByteBuffer buffer)
    {
        this.buffer = buffer;
        encapsulation = ENCAPSULATION_NONE;
        vni = -1;
        vxlanFlags = -1;
        geneveVni = -1;
        ipVersion = 0;
        sourceAddressOffset = -1;
        destinationAddressOffset = -1;
        sourcePort = -1;
        destinationPort = -1;
        innerOffset = -1;
        innerLength = -1;
        innerProtocol = -1;
        truncated = false;
    }

    private int decodeEthernet(final int offset, final int end, final boolean nested)
    {
        if ((long)offset + PacketHeaders.ETHERNET_HEADER_LENGTH > end)
        {
            return ResultCode.TOO_SHORT;
        }
        int typeIndex = offset + PacketHeaders.ETHERNET_TYPE_OFFSET;
        int etherType = Bytes.u16(buffer, typeIndex);
        if (etherType == PacketHeaders.ETHERTYPE_VLAN || etherType == PacketHeaders.ETHERTYPE_QINQ)
        {
            typeIndex = PacketHeaders.etherTypeIndex(buffer, offset, end);
            etherType = Bytes.u16(buffer, typeIndex);
            if (etherType == PacketHeaders.ETHERTYPE_VLAN || etherType == PacketHeaders.ETHERTYPE_QINQ)
            {
                return PacketHeaders.vlanTagsSkipped(offset, typeIndex) == PacketHeaders.MAX_VLAN_TAGS
                    ? ResultCode.TOO_MANY_HEADERS
                    : ResultCode.TOO_SHORT;
            }
        }
        return decodeIp(etherType, typeIndex + 2, end, nested);
    }

    private int decodeIp(final int etherType, final int p, final int end, final boolean nested)
    {
        if (etherType == PacketHeaders.ETHERTYPE_IPV4)
        {
            return decodeIpv4(p, end, nested);
        }
        if (etherType == PacketHeaders.ETHERTYPE_IPV6)
        {
            return decodeIpv6(p, end, nested);
        }
        return ResultCode.NOT_IP;
    }

    // IPv4, IPv6 and UDP are three methods, each small enough for the JIT to inline on the hot IPv4 path.
    private int decodeIpv4(final int p, final int end, final boolean nested)
    {
        if ((long)p + PacketHeaders.IPV4_MIN_HEADER_LENGTH > end)
        {
            return ResultCode.TOO_SHORT;
        }
        // One read for version, header length, total length and fragment fields (bytes 0..7), one for
        // TTL and protocol (bytes 8..11): fewer bounds-checked accesses on the hot path.
        final long first = Bytes.i64(buffer, p);
        final int versionAndLength = (int)(first >>> 56);
        final int headerLength = (versionAndLength & 0x0F) * 4;
        final int totalLength = (int)(first >>> 32) & 0xFFFF;
        if ((versionAndLength >>> 4) != 4 || headerLength < PacketHeaders.IPV4_MIN_HEADER_LENGTH
            || (totalLength != 0 && totalLength < headerLength))
        {
            return ResultCode.BAD_IP_HEADER;
        }
        if ((long)p + headerLength > end)
        {
            return ResultCode.TOO_SHORT;
        }
        if ((first & (PacketHeaders.IPV4_MORE_FRAGMENTS | PacketHeaders.IPV4_FRAGMENT_OFFSET_MASK)) != 0)
        {
            return ResultCode.IP_FRAGMENT;
        }
        if (((Bytes.i32(buffer, p + 8) >>> 16) & 0xFF) != PacketHeaders.PROTOCOL_UDP)
        {
            return ResultCode.NOT_UDP;
        }
        ipVersion = 4;
        sourceAddressOffset = p + PacketHeaders.IPV4_SOURCE_OFFSET;
        destinationAddressOffset = p + PacketHeaders.IPV4_DESTINATION_OFFSET;
        // A total length of 0 is read as the walker reads it: the captured bytes are the packet.
        return decodeUdp(p + headerLength, totalLength == 0 ? end : (long)p + totalLength, end, nested);
    }

    private int decodeIpv6(final int p, final int end, final boolean nested)
    {
        if ((long)p + PacketHeaders.IPV6_HEADER_LENGTH > end)
        {
            return ResultCode.TOO_SHORT;
        }
        if ((Bytes.u8(buffer, p) >>> 4) != 6)
        {
            return ResultCode.BAD_IP_HEADER;
        }
        final long walk = PacketHeaders.walkIpv6(buffer, p, end);
        switch (PacketHeaders.walkResult(walk))
        {
            case ParseResult.OK:
                break;
            case ParseResult.MALFORMED_EXTENSION_HEADER:
                return ResultCode.BAD_IP_HEADER;
            case ParseResult.TOO_MANY_EXTENSION_HEADERS:
                return ResultCode.TOO_MANY_HEADERS;
            default: // TRUNCATED_IP_OPTIONS: the capture ends inside an extension header
                return ResultCode.TOO_SHORT;
        }
        // A fragment header with offset 0 and no more fragments (an atomic fragment, RFC 6946) is the whole
        // datagram.
        if (PacketHeaders.walkLaterFragment(walk) || PacketHeaders.walkMoreFragments(walk))
        {
            return ResultCode.IP_FRAGMENT;
        }
        if (PacketHeaders.walkProtocol(walk) != PacketHeaders.PROTOCOL_UDP)
        {
            return ResultCode.NOT_UDP;
        }
        ipVersion = 6;
        sourceAddressOffset = p + PacketHeaders.IPV6_SOURCE_OFFSET;
        destinationAddressOffset = p + PacketHeaders.IPV6_DESTINATION_OFFSET;
        return decodeUdp(PacketHeaders.walkOffset(walk), PacketHeaders.ipDeclaredEnd(buffer, p, end, 6), end, nested);
    }

    private int decodeUdp(final int udp, final long claimedEnd, final int end, final boolean nested)
    {
        final int ipEnd = (int)Math.min(claimedEnd, end);
        if ((long)udp + PacketHeaders.UDP_HEADER_LENGTH > ipEnd)
        {
            return (long)udp + PacketHeaders.UDP_HEADER_LENGTH > claimedEnd
                ? ResultCode.BAD_IP_HEADER
                : ResultCode.TOO_SHORT;
        }
        final long udpHeader = Bytes.i64(buffer, udp);
        final int udpLength = (int)(udpHeader >>> 16) & 0xFFFF;
        final long udpEnd = (long)udp + udpLength;
        if (udpLength < PacketHeaders.UDP_HEADER_LENGTH || udpEnd > claimedEnd)
        {
            return ResultCode.BAD_UDP_LENGTH;
        }
        final int payloadEnd = (int)Math.min(udpEnd, ipEnd);
        truncated = payloadEnd < udpEnd;
        sourcePort = (int)(udpHeader >>> 48);
        destinationPort = (int)(udpHeader >>> 32) & 0xFFFF;

        final int payload = udp + PacketHeaders.UDP_HEADER_LENGTH;
        if (destinationPort == vxlanPort)
        {
            return decodeVxlan(payload, payloadEnd);
        }
        if (destinationPort == genevePort && !nested)
        {
            return decodeGeneve(payload, payloadEnd);
        }
        return ResultCode.NOT_TUNNEL;
    }

    private int decodeVxlan(final int offset, final int end)
    {
        if ((long)offset + VxlanHeaderDecoder.HEADER_LENGTH > end)
        {
            return ResultCode.TOO_SHORT;
        }
        final long header = Bytes.i64(buffer, offset);
        final int flags = (int)(header >>> 56);
        if ((flags & VxlanHeaderDecoder.I_FLAG) == 0)
        {
            return ResultCode.VNI_FLAG_CLEAR;
        }
        vxlanFlags = flags;
        vni = (int)(header >>> 8) & VxlanHeaderDecoder.MAX_VNI;
        innerOffset = offset + VxlanHeaderDecoder.HEADER_LENGTH;
        innerLength = end - innerOffset;
        innerProtocol = GeneveHeaderDecoder.PROTOCOL_ETHERNET;
        encapsulation = ENCAPSULATION_VXLAN;
        return ResultCode.OK;
    }

    private int decodeGeneve(final int offset, final int end)
    {
        final int status = geneve.wrap(buffer, offset, end - offset).status();
        if (status != ResultCode.OK)
        {
            return status;
        }
        if (geneve.hasCriticalOptions())
        {
            return ResultCode.GENEVE_CRITICAL_OPTIONS;
        }
        final int protocol = geneve.protocolType();
        final int payload = offset + geneve.headerLength();
        final int outerVni = geneve.vni();

        // Keep what describes the GENEVE packet, in case what it carries turns out not to be VXLAN.
        final int savedIpVersion = ipVersion;
        final int savedSource = sourceAddressOffset;
        final int savedDestination = destinationAddressOffset;
        final int savedSourcePort = sourcePort;
        final int savedDestinationPort = destinationPort;
        final boolean savedTruncated = truncated;

        final int nested;
        if (protocol == GeneveHeaderDecoder.PROTOCOL_ETHERNET)
        {
            nested = decodeEthernet(payload, end, true);
        }
        else if (protocol == PacketHeaders.ETHERTYPE_IPV4 || protocol == PacketHeaders.ETHERTYPE_IPV6)
        {
            nested = decodeIp(protocol, payload, end, true);
        }
        else
        {
            nested = ResultCode.NOT_IP;
        }

        geneveVni = outerVni;
        if (nested == ResultCode.OK)
        {
            truncated |= savedTruncated;
            encapsulation = ENCAPSULATION_GENEVE_VXLAN;
            return ResultCode.OK;
        }
        ipVersion = savedIpVersion;
        sourceAddressOffset = savedSource;
        destinationAddressOffset = savedDestination;
        sourcePort = savedSourcePort;
        destinationPort = savedDestinationPort;
        truncated = savedTruncated;
        vxlanFlags = -1;
        vni = outerVni;
        innerOffset = payload;
        innerLength = end - payload;
        innerProtocol = protocol;
        encapsulation = ENCAPSULATION_GENEVE;
        return ResultCode.OK;
    }

    private int copyAddress(final int offset, final byte[] destination, final int destinationOffset)
    {
        final int length = addressLength();
        if (length == 0 || !Bytes.inBounds(destinationOffset, length, destination.length))
        {
            return 0;
        }
        buffer.get(offset, destination, destinationOffset, length);
        return length;
    }

    private static int checkPort(final int port)
    {
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("decoder: port " + port + " is outside 1..65535");
        }
        return port;
    }
}
