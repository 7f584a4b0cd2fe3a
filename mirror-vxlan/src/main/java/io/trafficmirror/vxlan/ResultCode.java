package io.trafficmirror.vxlan;

/**
 * The codes the encoders and decoders of this package return instead of throwing.
 *
 * <p>A receiver sees every kind of garbage on the wire, and a mirror sender must never slow the packet path
 * it copies from, so bad input is an ordinary outcome: decoders return {@link #OK} or a negative code,
 * encoders return a non-negative length or a negative code. Codes are plain {@code int}s so that
 * returning one allocates nothing; {@link #describe(int)} turns one into text for logs and counters.
 */
public final class ResultCode
{
    /** The packet decoded. */
    public static final int OK = 0;

    /** The bytes end before a header that must be there (Ethernet, VLAN tag, IP, UDP, VXLAN or GENEVE). */
    public static final int TOO_SHORT = -1;
    /** The offset and length given do not lie inside the buffer (or array). */
    public static final int OUT_OF_BOUNDS = -2;
    /** The Ethernet type (after any VLAN tags) is neither IPv4 nor IPv6. */
    public static final int NOT_IP = -3;
    /** The IP header is inconsistent: wrong version, header length or total length. */
    public static final int BAD_IP_HEADER = -4;
    /** The IP packet is a fragment, so the tunnel header cannot be read from it alone. */
    public static final int IP_FRAGMENT = -5;
    /** The IP packet is not UDP. */
    public static final int NOT_UDP = -6;
    /** The UDP length field is below 8 or larger than the IP packet. */
    public static final int BAD_UDP_LENGTH = -7;
    /** UDP, but to neither the VXLAN nor the GENEVE port: not a tunnel packet. */
    public static final int NOT_TUNNEL = -8;
    /** A VXLAN header whose I flag is clear: RFC 7348 says its VNI is not valid. */
    public static final int VNI_FLAG_CLEAR = -9;
    /** A GENEVE header with a version other than 0. */
    public static final int GENEVE_BAD_VERSION = -10;
    /** GENEVE options whose lengths do not add up to the header's option length, or run past the packet. */
    public static final int GENEVE_BAD_OPTIONS = -11;
    /** A GENEVE packet with the C bit set: RFC 8926 says a receiver that does not process options drops it. */
    public static final int GENEVE_CRITICAL_OPTIONS = -12;
    /**
     * More VLAN tags or IPv6 extension headers than the header walker reads
     * ({@code PacketHeaders.MAX_VLAN_TAGS}, {@code PacketHeaders.MAX_IPV6_EXTENSION_HEADERS}).
     */
    public static final int TOO_MANY_HEADERS = -13;

    /** The encoder has no outer addresses yet. */
    public static final int NOT_CONFIGURED = -20;
    /** There is less room in front of the frame than the outer headers need. */
    public static final int NO_HEADROOM = -21;
    /** The buffer cannot hold what must be written into it. */
    public static final int BUFFER_TOO_SMALL = -22;
    /** The buffer to be written is read-only. */
    public static final int READ_ONLY_BUFFER = -23;
    /** A VNI outside 0..16777215. */
    public static final int BAD_VNI = -24;

    private ResultCode()
    {
    }

    /**
     * Names a code, for logs and counter labels.
     *
     * @param code a value returned by an encoder or decoder of this package.
     * @return the constant's name, or {@code "LENGTH(n)"} for a non-negative length, or {@code "UNKNOWN(n)"}.
     */
    public static String describe(final int code)
    {
        switch (code)
        {
            case OK: return "OK";
            case TOO_SHORT: return "TOO_SHORT";
            case OUT_OF_BOUNDS: return "OUT_OF_BOUNDS";
            case NOT_IP: return "NOT_IP";
            case BAD_IP_HEADER: return "BAD_IP_HEADER";
            case IP_FRAGMENT: return "IP_FRAGMENT";
            case NOT_UDP: return "NOT_UDP";
            case BAD_UDP_LENGTH: return "BAD_UDP_LENGTH";
            case NOT_TUNNEL: return "NOT_TUNNEL";
            case VNI_FLAG_CLEAR: return "VNI_FLAG_CLEAR";
            case GENEVE_BAD_VERSION: return "GENEVE_BAD_VERSION";
            case GENEVE_BAD_OPTIONS: return "GENEVE_BAD_OPTIONS";
            case GENEVE_CRITICAL_OPTIONS: return "GENEVE_CRITICAL_OPTIONS";
            case TOO_MANY_HEADERS: return "TOO_MANY_HEADERS";
            case NOT_CONFIGURED: return "NOT_CONFIGURED";
            case NO_HEADROOM: return "NO_HEADROOM";
            case BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
            case READ_ONLY_BUFFER: return "READ_ONLY_BUFFER";
            case BAD_VNI: return "BAD_VNI";
            default: return code > 0 ? "LENGTH(" + code + ")" : "UNKNOWN(" + code + ")";
        }
    }
}
