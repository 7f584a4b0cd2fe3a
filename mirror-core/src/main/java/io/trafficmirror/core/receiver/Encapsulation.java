package io.trafficmirror.core.receiver;

/**
 * What the datagrams on the receiver's port carry. A bare UDP payload does not say which of the two it is
 * reliably (a VXLAN flags byte 0x08 is also a valid GENEVE first byte), so the receiver is told.
 */
public enum Encapsulation
{
    /** VXLAN (RFC 7348), what a mirror session sends to a network-interface or load-balancer target; port 4789. */
    VXLAN,
    /**
     * GENEVE (RFC 8926), what a Gateway Load Balancer endpoint delivers, with the VXLAN packet inside; port 6081.
     * The VNI reported is the mirror session's VXLAN one.
     */
    GENEVE
}
