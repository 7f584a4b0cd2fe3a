package io.trafficmirror.filter.packet;

import io.trafficmirror.vxlan.packet.PacketHeaders;

/** Every field of a {@link PacketHeaders} after a parse, with offsets made relative to the frame's start. */
record HeaderSnapshot(
    int result, int capturedLength, boolean hasLinkHeader, long destinationMac, long sourceMac, int etherType,
    int vlanTagCount, int outerVlanId, int ipOffset, int ipVersion, int ipHeaderLength, int ipDeclaredLength,
    int sourceIpv4, int destinationIpv4, long sourceIpv6High, long sourceIpv6Low, long destinationIpv6High,
    long destinationIpv6Low, int protocol, int extensionHeaderCount, boolean isFragment, int fragmentOffset,
    boolean moreFragments, boolean dontFragment, int transportOffset, boolean hasPorts, int sourcePort,
    int destinationPort, boolean hasIcmp, int icmpType, int icmpCode)
{
    static HeaderSnapshot of(final PacketHeaders h)
    {
        final int base = h.frameOffset();
        return new HeaderSnapshot(
            h.result(), h.capturedLength(), h.hasLinkHeader(), h.destinationMac(), h.sourceMac(), h.etherType(),
            h.vlanTagCount(), h.outerVlanId(), relative(h.ipOffset(), base), h.ipVersion(), h.ipHeaderLength(),
            h.ipDeclaredLength(), h.sourceIpv4(), h.destinationIpv4(), h.sourceIpv6High(), h.sourceIpv6Low(),
            h.destinationIpv6High(), h.destinationIpv6Low(), h.protocol(), h.extensionHeaderCount(), h.isFragment(),
            h.fragmentOffset(), h.moreFragments(), h.dontFragment(), relative(h.transportOffset(), base), h.hasPorts(),
            h.sourcePort(), h.destinationPort(), h.hasIcmp(), h.icmpType(), h.icmpCode());
    }

    private static int relative(final int index, final int base)
    {
        return index < 0 ? index : index - base;
    }
}
