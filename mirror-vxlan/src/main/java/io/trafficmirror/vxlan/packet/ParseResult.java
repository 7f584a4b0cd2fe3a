package io.trafficmirror.vxlan.packet;

/**
 * Result codes of {@link PacketHeaders}: an {@code int} rather than an exception, because malformed
 * and truncated packets are ordinary input on a packet path and must cost nothing extra.
 *
 * <p>Every code other than {@link #INVALID_ARGUMENTS} leaves the fields of the layers parsed so far valid:
 * {@link PacketHeaders#ipVersion()} is non-zero exactly when the addresses are known, and
 * {@link PacketHeaders#hasPorts()} says whether ports are known.
 */
public final class ParseResult
{
    /** Every layer the parser knows was read; an unknown upper-layer protocol is still {@code OK}. */
    public static final int OK = 0;
    /** An Ethernet frame whose EtherType (after VLAN tags) is neither IPv4 nor IPv6, for example ARP. */
    public static final int NOT_IP = 1;
    /** The captured bytes end inside the Ethernet header or a VLAN tag. */
    public static final int TRUNCATED_LINK_HEADER = 2;
    /** The captured bytes end inside the fixed IPv4 (20 bytes) or IPv6 (40 bytes) header: no addresses. */
    public static final int TRUNCATED_IP_HEADER = 3;
    /**
     * The captured bytes end inside IPv4 options or an IPv6 extension header: addresses are known; the IPv4
     * protocol is known, the IPv6 upper-layer protocol is not ({@link PacketHeaders#PROTOCOL_UNKNOWN}).
     */
    public static final int TRUNCATED_IP_OPTIONS = 4;
    /**
     * The first 4 bytes of a TCP or UDP header (or 2 bytes of an ICMP header) lie outside the captured bytes or
     * outside the IP packet's own length: addresses and protocol are known, ports are not.
     */
    public static final int TRUNCATED_TRANSPORT = 5;
    /**
     * The IP version nibble disagrees with the EtherType, IHL is below 5, or a non-zero IPv4 total length is shorter
     * than the header.
     */
    public static final int MALFORMED_IP_HEADER = 6;
    /** An IPv6 extension header runs past the packet's own payload length: protocol unknown. */
    public static final int MALFORMED_EXTENSION_HEADER = 7;
    /** More VLAN tags than {@link PacketHeaders#MAX_VLAN_TAGS}. */
    public static final int TOO_MANY_VLAN_TAGS = 8;
    /** More IPv6 extension headers than {@link PacketHeaders#MAX_IPV6_EXTENSION_HEADERS}: protocol unknown. */
    public static final int TOO_MANY_EXTENSION_HEADERS = 9;
    /** The offset and length given do not lie within the buffer or array; nothing was read. */
    public static final int INVALID_ARGUMENTS = 10;

    private ParseResult()
    {
    }

    /**
     * A readable name for logs and error messages.
     *
     * @param code a result code of this class
     * @return the constant's name, or {@code UNKNOWN(code)}
     */
    public static String name(final int code)
    {
        switch (code)
        {
            case OK: return "OK";
            case NOT_IP: return "NOT_IP";
            case TRUNCATED_LINK_HEADER: return "TRUNCATED_LINK_HEADER";
            case TRUNCATED_IP_HEADER: return "TRUNCATED_IP_HEADER";
            case TRUNCATED_IP_OPTIONS: return "TRUNCATED_IP_OPTIONS";
            case TRUNCATED_TRANSPORT: return "TRUNCATED_TRANSPORT";
            case MALFORMED_IP_HEADER: return "MALFORMED_IP_HEADER";
            case MALFORMED_EXTENSION_HEADER: return "MALFORMED_EXTENSION_HEADER";
            case TOO_MANY_VLAN_TAGS: return "TOO_MANY_VLAN_TAGS";
            case TOO_MANY_EXTENSION_HEADERS: return "TOO_MANY_EXTENSION_HEADERS";
            case INVALID_ARGUMENTS: return "INVALID_ARGUMENTS";
            default: return "UNKNOWN(" + code + ")";
        }
    }
}
