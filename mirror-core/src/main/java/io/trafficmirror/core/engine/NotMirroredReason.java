package io.trafficmirror.core.engine;

/**
 * Why a packet handed to a source was not mirrored by any of its sessions.
 */
public enum NotMirroredReason
{
    /** The last session tried rejected it by a rule. */
    REJECTED,
    /** No rule of the last session tried matched it. */
    UNMATCHED,
    /** One of the AWS exclusions (ARP and other non-IP frames, DHCP, metadata, time sync, Windows activation). */
    EXCLUDED,
    /** Amazon DNS traffic, and no session's filter has the {@code amazon-dns} network service. */
    AMAZON_DNS_NOT_ENABLED,
    /** Its IP header could not be read (truncated or malformed), so no rule can judge it. */
    MALFORMED,
    /** Its addresses are not the source interface's, so it has no direction there. */
    NOT_THIS_INTERFACE,
    /** It is the engine's own VXLAN output to one of its targets. */
    OWN_OUTPUT,
    /** The source has no session. */
    NO_SESSION,
    /** It arrived after the engine was closed. */
    ENGINE_CLOSED;

    private static final NotMirroredReason[] VALUES = values();

    static int count()
    {
        return VALUES.length;
    }

    static NotMirroredReason of(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
