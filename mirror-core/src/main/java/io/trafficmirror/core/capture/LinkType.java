package io.trafficmirror.core.capture;

/**
 * The tcpdump.org link-layer header types a capture reports for its frames (LINKTYPE_* values).
 * Readers report whatever value the file holds; these are the ones this library writes or recognises.
 */
public final class LinkType
{
    /** Ethernet (LINKTYPE_ETHERNET, "EN10MB"): what VXLAN carries and what the receiver writes. */
    public static final int ETHERNET = 1;
    /** A raw IPv4 or IPv6 packet with no link-layer header (LINKTYPE_RAW). */
    public static final int RAW = 101;
    /** Linux "cooked" capture (LINKTYPE_LINUX_SLL), what {@code tcpdump -i any} writes. */
    public static final int LINUX_SLL = 113;
    /** A raw IPv4 packet (LINKTYPE_IPV4). */
    public static final int IPV4 = 228;
    /** A raw IPv6 packet (LINKTYPE_IPV6). */
    public static final int IPV6 = 229;

    private LinkType()
    {
    }

    /**
     * Names a link type for messages.
     *
     * @param linkType a LINKTYPE_* value.
     * @return the name, or {@code "LINKTYPE(n)"} for one not listed here.
     */
    public static String describe(final int linkType)
    {
        switch (linkType)
        {
            case ETHERNET: return "ETHERNET";
            case RAW: return "RAW";
            case LINUX_SLL: return "LINUX_SLL";
            case IPV4: return "IPV4";
            case IPV6: return "IPV6";
            default: return "LINKTYPE(" + linkType + ")";
        }
    }
}
