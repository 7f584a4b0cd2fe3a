package io.trafficmirror.filter.match;

import io.trafficmirror.vxlan.packet.PacketHeaders;

/**
 * The traffic AWS treats apart from rules, tested on parsed headers without allocating: the AWS exclusions
 * and Amazon DNS (docs/semantics.md, "Exclusions and Amazon DNS" and "Edge cases decided").
 */
final class SpecialTraffic
{
    /** 169.254.169.0/24, where every IPv4 address below lives. */
    private static final int LINK_LOCAL_AWS_BLOCK = 0xA9FE_A900;
    private static final int METADATA_V4_LAST_BYTE = 254;
    private static final int TIME_SYNC_V4_LAST_BYTE = 123;
    private static final int WINDOWS_ACTIVATION_V4_LAST_BYTE_1 = 250;
    private static final int WINDOWS_ACTIVATION_V4_LAST_BYTE_2 = 251;
    /** 169.254.169.253, the Amazon DNS resolver at a fixed address. */
    static final int DNS_V4 = 0xA9FE_A9FD;

    /** fd00:ec2::/64 upper half; the services differ in the low half. */
    static final long AWS_V6_HIGH = 0xFD00_0EC2_0000_0000L;
    static final long METADATA_V6_LOW = 0x254L;
    static final long TIME_SYNC_V6_LOW = 0x123L;
    static final long DNS_V6_LOW = 0x253L;

    private static final int DNS_PORT = 53;
    private static final int DHCP_SERVER_PORT = 67;
    private static final int DHCP_CLIENT_PORT = 68;

    private SpecialTraffic()
    {
    }

    /**
     * Decision: the exclusions hold whichever side the address is on, and DHCP (UDP port 67 or 68 on either side)
     * whatever the IP version; DHCPv6 (546/547) is ordinary traffic. Frames that are not IPv4 or IPv6 by their
     * EtherType (ARP, LLDP, cut-short link headers) are excluded.
     */
    static boolean isAwsExcluded(final PacketHeaders headers)
    {
        final int etherType = headers.etherType();
        // IPv4 fields are 0 in IPv6 packets and the reverse: one cheap test of both families, rarely true,
        // keeps the common path free of a per-family branch.
        final int source = headers.sourceIpv4();
        final int destination = headers.destinationIpv4();
        final boolean suspect = ((source & 0xFFFF_FF00) == LINK_LOCAL_AWS_BLOCK)
            | ((destination & 0xFFFF_FF00) == LINK_LOCAL_AWS_BLOCK)
            | (headers.sourceIpv6High() == AWS_V6_HIGH) | (headers.destinationIpv6High() == AWS_V6_HIGH);
        // Ports are 0 without a transport header, so this needs no hasPorts test.
        final int sourcePort = headers.sourcePort();
        final int destinationPort = headers.destinationPort();
        final boolean dhcp = (headers.protocol() == PacketHeaders.PROTOCOL_UDP)
            & ((sourcePort == DHCP_SERVER_PORT) | (sourcePort == DHCP_CLIENT_PORT)
            | (destinationPort == DHCP_SERVER_PORT) | (destinationPort == DHCP_CLIENT_PORT));
        final boolean notIp = (etherType != PacketHeaders.ETHERTYPE_IPV4) & (etherType != PacketHeaders.ETHERTYPE_IPV6);
        if (!(notIp | dhcp | suspect))
        {
            return false;
        }
        return notIp || (dhcp && headers.hasPorts()) || isExcludedAddress(headers);
    }

    private static boolean isExcludedAddress(final PacketHeaders headers)
    {
        final int version = headers.ipVersion();
        if (version == 4)
        {
            return isExcludedIpv4(headers.sourceIpv4()) || isExcludedIpv4(headers.destinationIpv4());
        }
        return version == 6 && (isExcludedIpv6(headers.sourceIpv6High(), headers.sourceIpv6Low())
            || isExcludedIpv6(headers.destinationIpv6High(), headers.destinationIpv6Low()));
    }

    private static boolean isExcludedIpv4(final int address)
    {
        if ((address & 0xFFFF_FF00) != LINK_LOCAL_AWS_BLOCK)
        {
            return false;
        }
        final int last = address & 0xFF;
        return last == METADATA_V4_LAST_BYTE || last == TIME_SYNC_V4_LAST_BYTE
            || last == WINDOWS_ACTIVATION_V4_LAST_BYTE_1 || last == WINDOWS_ACTIVATION_V4_LAST_BYTE_2;
    }

    private static boolean isExcludedIpv6(final long high, final long low)
    {
        return high == AWS_V6_HIGH && (low == METADATA_V6_LOW || low == TIME_SYNC_V6_LOW);
    }

    private static boolean isDhcpPort(final int port)
    {
        return port == DHCP_SERVER_PORT || port == DHCP_CLIENT_PORT;
    }

    /**
     * TCP or UDP with ports, port 53 on either side and a resolver address on either side. A fragment without
     * ports is not DNS.
     *
     * @param vpcResolver the VPC resolver's IPv4 address (primary block base + 2), or {@code DNS_V4} when unknown
     */
    static boolean isAmazonDns(final PacketHeaders headers, final int vpcResolver)
    {
        // Ports are 0 without a transport header, so a packet without ports never gets past this test.
        if ((headers.sourcePort() != DNS_PORT) & (headers.destinationPort() != DNS_PORT))
        {
            return false;
        }
        if (!headers.hasPorts())
        {
            return false;
        }
        if (headers.ipVersion() == 4)
        {
            final int source = headers.sourceIpv4();
            final int destination = headers.destinationIpv4();
            return source == DNS_V4 || destination == DNS_V4 || source == vpcResolver || destination == vpcResolver;
        }
        return (headers.sourceIpv6High() == AWS_V6_HIGH && headers.sourceIpv6Low() == DNS_V6_LOW)
            || (headers.destinationIpv6High() == AWS_V6_HIGH && headers.destinationIpv6Low() == DNS_V6_LOW);
    }
}
