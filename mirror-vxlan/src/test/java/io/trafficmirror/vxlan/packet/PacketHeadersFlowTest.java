package io.trafficmirror.vxlan.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * What the walker reads for the flow hash beyond the filter's fields ({@link PacketHeaders#flowPorts()}). The
 * filter's fields are checked against Pcap4J and tshark in mirror-filter's tests.
 */
class PacketHeadersFlowTest
{
    private static final byte[] MACS = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};

    private final PacketHeaders headers = new PacketHeaders();

    @Test
    void shouldHoldTcpAndUdpPortsInFlowPortsAsInThePortFields()
    {
        for (final int protocol : new int[] {PacketHeaders.PROTOCOL_TCP, PacketHeaders.PROTOCOL_UDP})
        {
            final byte[] frame = ipv4Frame(protocol, 0, transport(0xC000, 443, 0, 0));

            assertThat(headers.parseEthernet(frame, 0, frame.length)).isEqualTo(ParseResult.OK);
            assertThat(headers.hasPorts()).isTrue();
            assertThat(headers.flowPorts()).isEqualTo(0xC000 << 16 | 443);
        }
    }

    @Test
    void shouldHoldSctpPortsInFlowPortsOnlyAsAFilterMatchesPortsOfTcpAndUdpAlone()
    {
        final byte[] frame = ipv4Frame(PacketHeaders.PROTOCOL_SCTP, 0, transport(38412, 38412, 0, 0));

        assertThat(headers.parseEthernet(frame, 0, frame.length)).isEqualTo(ParseResult.OK);
        assertThat(headers.hasPorts()).isFalse();
        assertThat(headers.sourcePort()).isZero();
        assertThat(headers.flowPorts()).isEqualTo(38412 << 16 | 38412);
    }

    @Test
    void shouldHoldAnEchoIdentifierInBothHalvesForIcmpOverIpv4AndIcmpv6OverIpv6()
    {
        final byte[] ping = ipv4Frame(PacketHeaders.PROTOCOL_ICMP, 0, transport(0x0800, 0, 0x1234, 7));
        assertThat(headers.parseEthernet(ping, 0, ping.length)).isEqualTo(ParseResult.OK);
        assertThat(headers.icmpType()).isEqualTo(PacketHeaders.ICMP_ECHO_REQUEST);
        assertThat(headers.flowPorts()).isEqualTo(0x1234_1234);

        final byte[] reply = ipv6Frame(PacketHeaders.PROTOCOL_ICMPV6, transport(129 << 8, 0, 0xBEEF, 7));
        assertThat(headers.parseEthernet(reply, 0, reply.length)).isEqualTo(ParseResult.OK);
        assertThat(headers.icmpType()).isEqualTo(PacketHeaders.ICMPV6_ECHO_REPLY);
        assertThat(headers.flowPorts()).isEqualTo(0xBEEF_BEEF);
    }

    @Test
    void shouldTakeNoIdentifierFromOtherIcmpMessagesOrFromTheOtherVersionsIcmp()
    {
        final byte[] unreachable = ipv4Frame(PacketHeaders.PROTOCOL_ICMP, 0, transport(3 << 8 | 3, 0, 0x1234, 0));
        assertThat(headers.parseEthernet(unreachable, 0, unreachable.length)).isEqualTo(ParseResult.OK);
        assertThat(headers.hasIcmp()).isTrue();
        assertThat(headers.flowPorts()).isZero();

        // ICMPv6 type 128 carried over IPv4 (protocol 58) is not an echo: echo types belong to one version.
        final byte[] mixed = ipv4Frame(PacketHeaders.PROTOCOL_ICMPV6, 0, transport(128 << 8, 0, 0x1234, 0));
        assertThat(headers.parseEthernet(mixed, 0, mixed.length)).isEqualTo(ParseResult.OK);
        assertThat(headers.flowPorts()).isZero();
    }

    @Test
    void shouldTakeNoFlowPortsFromALaterFragmentOrFromBytesAfterTheIpPacket()
    {
        final byte[] fragment = ipv4Frame(PacketHeaders.PROTOCOL_UDP, 0x00B9, transport(1000, 2000, 0, 0));
        assertThat(headers.parseEthernet(fragment, 0, fragment.length)).isEqualTo(ParseResult.OK);
        assertThat(headers.flowPorts()).isZero();

        // An IPv4 packet whose total length ends where the ports would start; the 8 bytes after it are padding.
        final byte[] padded = ipv4Frame(PacketHeaders.PROTOCOL_SCTP, 0, transport(1000, 2000, 0, 0));
        ByteBuffer.wrap(padded).putShort(PacketHeaders.ETHERNET_HEADER_LENGTH + PacketHeaders.IPV4_TOTAL_LENGTH_OFFSET,
            (short)PacketHeaders.IPV4_MIN_HEADER_LENGTH);
        assertThat(headers.parseEthernet(padded, 0, padded.length)).isEqualTo(ParseResult.OK);
        assertThat(headers.transportOffset()).isEqualTo(34);
        assertThat(headers.flowPorts()).isZero();
    }

    @Test
    void shouldKeepTypeAndCodeButNoIdentifierWhenTheEchoIsCutBeforeIt()
    {
        final byte[] ping = ipv4Frame(PacketHeaders.PROTOCOL_ICMP, 0, transport(0x0800, 0, 0x1234, 7));
        final int cut = PacketHeaders.ETHERNET_HEADER_LENGTH + PacketHeaders.IPV4_MIN_HEADER_LENGTH + 5;

        assertThat(headers.parseEthernet(ping, 0, cut)).isEqualTo(ParseResult.OK);
        assertThat(headers.hasIcmp()).isTrue();
        assertThat(headers.icmpType()).isEqualTo(8);
        assertThat(headers.flowPorts()).isZero();
    }

    /** The first 8 bytes of a transport header: two 16-bit words, then two more (ICMP: checksum word skipped). */
    private static long transport(final int first, final int second, final int third, final int fourth)
    {
        return (long)(first & 0xFFFF) << 48 | (long)(second & 0xFFFF) << 32
            | (third & 0xFFFFL) << 16 | (fourth & 0xFFFF);
    }

    /** Ethernet, IPv4 (20 bytes) from 10.0.0.1 to 10.0.0.2, 8 transport bytes. */
    private static byte[] ipv4Frame(final int protocol, final int fragmentField, final long transport)
    {
        final ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8);
        b.put(MACS).putShort((short)PacketHeaders.ETHERTYPE_IPV4);
        b.put((byte)0x45).put((byte)0).putShort((short)28).putShort((short)0).putShort((short)fragmentField)
            .put((byte)64).put((byte)protocol).putShort((short)0).putInt(0x0A00_0001).putInt(0x0A00_0002);
        b.putLong(transport);
        return b.array();
    }

    /** Ethernet, IPv6 from fd00::1 to fd00::2, 8 transport bytes. */
    private static byte[] ipv6Frame(final int protocol, final long transport)
    {
        final ByteBuffer b = ByteBuffer.allocate(14 + 40 + 8);
        b.put(MACS).putShort((short)PacketHeaders.ETHERTYPE_IPV6);
        b.putInt(6 << 28).putShort((short)8).put((byte)protocol).put((byte)64);
        b.putLong(0xFD00L << 48).putLong(1).putLong(0xFD00L << 48).putLong(2);
        b.putLong(transport);
        return b.array();
    }
}
