package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.vxlan.packet.PacketHeaders;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The flow hash computed from the walker's parse: the same port as from the bytes, and where the walker decides
 * what a frame is (its caps, the IP packet's own length, later fragments), the port follows that decision.
 */
class FlowHashFromHeadersTest
{
    private static final byte[] MACS = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    private static final int TCP = PacketHeaders.PROTOCOL_TCP;
    private static final int IPV4 = PacketHeaders.ETHERTYPE_IPV4;
    private static final int IPV6 = PacketHeaders.ETHERTYPE_IPV6;

    private final PacketHeaders headers = new PacketHeaders();

    @Test
    void shouldGiveAParseThePortItsBytesGetInEveryKindOfBuffer()
    {
        final SplittableRandom random = new SplittableRandom(4789);
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] frame = randomFrame(random);
            final int port = FlowHash.sourcePort(frame, 0, frame.length);
            final ByteBuffer direct = ByteBuffer.allocateDirect(frame.length + 7).put(7, frame).asReadOnlyBuffer();

            assertThat(port).isBetween(FlowHash.MIN_PORT, FlowHash.MAX_PORT);
            assertThat(FlowHash.sourcePort(ByteBuffer.wrap(frame), 0, frame.length)).isEqualTo(port);
            assertThat(FlowHash.sourcePort(direct, 7, frame.length)).isEqualTo(port);
            if (frame.length >= PacketHeaders.ETHERNET_HEADER_LENGTH)
            {
                headers.parseEthernet(direct, 7, frame.length);
                assertThat(FlowHash.sourcePort(headers)).as("frame %s", Arrays.toString(frame)).isEqualTo(port);
            }
        }
    }

    @Test
    void shouldHashARawIpPacketAsTheSameFlowInAnEthernetFrame()
    {
        final byte[][] frames = {
            frame(0, IPV4, ipv4(0x0A00_0001, 0x0A00_0002, TCP, 0, -1, ports(40000, 443))),
            frame(0, IPV6,
                ipv6(1, 2, PacketHeaders.PROTOCOL_HOP_BY_HOP, hopByHop(PacketHeaders.PROTOCOL_UDP), ports(53, 5353))),
            frame(0, IPV4, ipv4(0x0A00_0001, 0x0A00_0002, 47, 0, -1, ports(1, 2))),
        };
        for (final byte[] frame : frames)
        {
            final int ip = PacketHeaders.ETHERNET_HEADER_LENGTH;
            headers.parseIp(frame, ip, frame.length - ip);

            assertThat(FlowHash.sourcePort(headers)).isEqualTo(FlowHash.sourcePort(frame, 0, frame.length));
        }
    }

    @Test
    void shouldNotLetBytesAfterTheIpPacketChangeThePort()
    {
        // An IPv4 TCP packet whose total length (20) ends before the ports: whatever pads the frame is no header.
        final byte[] bare = frame(0, IPV4, ipv4(0x0A00_0001, 0x0A00_0002, TCP, 0, 20, new byte[0]));
        final int port = FlowHash.sourcePort(bare, 0, bare.length);
        final SplittableRandom random = new SplittableRandom(60);
        for (int i = 0; i < 50; i++)
        {
            final byte[] padded = Arrays.copyOf(bare, 60);
            for (int j = bare.length; j < padded.length; j++)
            {
                padded[j] = (byte)random.nextInt();
            }
            assertThat(FlowHash.sourcePort(padded, 0, padded.length)).isEqualTo(port);
        }
    }

    @Test
    void shouldHashThroughAsManyVlanTagsAsTheWalkerReadsAndByTheLinkHeaderBeyond()
    {
        final int most = PacketHeaders.MAX_VLAN_TAGS;
        final Set<Integer> readThrough = new HashSet<>();
        final Set<Integer> beyond = new HashSet<>();
        for (int sourcePort = 40000; sourcePort < 40020; sourcePort++)
        {
            final byte[] ip = ipv4(0x0A00_0001, 0x0A00_0002, TCP, 0, -1, ports(sourcePort, 443));
            final byte[] untagged = frame(0, IPV4, ip);
            final byte[] tagged = frame(most, IPV4, ip);
            final int port = FlowHash.sourcePort(tagged, 0, tagged.length);

            assertThat(port).isEqualTo(FlowHash.sourcePort(untagged, 0, untagged.length));
            readThrough.add(port);
            final byte[] tooMany = frame(most + 1, IPV4, ip);
            beyond.add(FlowHash.sourcePort(tooMany, 0, tooMany.length));
        }
        assertThat(readThrough).hasSizeGreaterThan(15);
        assertThat(beyond).hasSize(1);
    }

    @Test
    void shouldHashAnIpv4HeaderWhoseTotalLengthIsShorterThanItselfByTheLinkHeader()
    {
        final byte[] one = frame(0, IPV4, ipv4(0x0A00_0001, 0x0A00_0002, TCP, 0, 12, ports(1, 2)));
        final byte[] other = frame(0, IPV4, ipv4(0x0B00_0001, 0x0B00_0002, TCP, 0, 12, ports(3, 4)));
        final byte[] valid = frame(0, IPV4, ipv4(0x0A00_0001, 0x0A00_0002, TCP, 0, -1, ports(1, 2)));

        assertThat(FlowHash.sourcePort(one, 0, one.length)).isEqualTo(FlowHash.sourcePort(other, 0, other.length))
            .isNotEqualTo(FlowHash.sourcePort(valid, 0, valid.length));
    }

    @Test
    void shouldIgnoreWhatFollowsTheFragmentHeaderOfALaterIpv6FragmentWhateverItsNextHeaderSays()
    {
        final SplittableRandom random = new SplittableRandom(44);
        final Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++)
        {
            // Fragment at offset 1448 whose next header says destination options: the bytes are the middle of a
            // datagram, not a header (RFC 8200 section 4.5).
            final byte[] fragment = {(byte)PacketHeaders.PROTOCOL_DESTINATION_OPTIONS, 0, 0x05, (byte)0xA9, 0, 0, 0, 1};
            final byte[] payload = new byte[32];
            random.nextBytes(payload);
            payload[1] = (byte)random.nextInt(3);
            final byte[] frame = frame(0, IPV6,
                ipv6(1, 2, PacketHeaders.PROTOCOL_FRAGMENT, fragment, payload));
            seen.add(FlowHash.sourcePort(frame, 0, frame.length));
        }
        assertThat(seen).hasSize(1);
    }

    @Test
    void shouldHashSctpByItsPortsAndTheSameBothWays()
    {
        final Set<Integer> ports = new HashSet<>();
        for (int sourcePort = 50000; sourcePort < 50100; sourcePort++)
        {
            final byte[] forward = frame(0, IPV4,
                ipv4(0x0A00_0001, 0x0A00_0002, PacketHeaders.PROTOCOL_SCTP, 0, -1, ports(sourcePort, 38412)));
            final byte[] reverse = frame(0, IPV4,
                ipv4(0x0A00_0002, 0x0A00_0001, PacketHeaders.PROTOCOL_SCTP, 0, -1, ports(38412, sourcePort)));
            final int port = FlowHash.sourcePort(forward, 0, forward.length);

            assertThat(FlowHash.sourcePort(reverse, 0, reverse.length)).isEqualTo(port);
            ports.add(port);
        }
        assertThat(ports).hasSizeGreaterThan(95);
    }

    @Test
    void shouldGiveAnIpv6PingAndItsReplyTheSamePortAndOtherPingsOtherPorts()
    {
        final Set<Integer> ports = new HashSet<>();
        for (int identifier = 1; identifier <= 100; identifier++)
        {
            final byte[] none = new byte[0];
            final byte[] request = frame(0, IPV6,
                ipv6(1, 2, PacketHeaders.PROTOCOL_ICMPV6, none, echo(PacketHeaders.ICMPV6_ECHO_REQUEST, identifier)));
            final byte[] reply = frame(0, IPV6,
                ipv6(2, 1, PacketHeaders.PROTOCOL_ICMPV6, none, echo(PacketHeaders.ICMPV6_ECHO_REPLY, identifier)));
            final int port = FlowHash.sourcePort(request, 0, request.length);

            assertThat(FlowHash.sourcePort(reply, 0, reply.length)).isEqualTo(port);
            ports.add(port);
        }
        assertThat(ports).hasSizeGreaterThan(95);
    }

    private static byte[] randomFrame(final SplittableRandom random)
    {
        final int kind = random.nextInt(10);
        final int tags = random.nextInt(10) < 7 ? 0 : random.nextInt(PacketHeaders.MAX_VLAN_TAGS + 3);
        final int[] protocols = {TCP, PacketHeaders.PROTOCOL_UDP, PacketHeaders.PROTOCOL_SCTP,
            PacketHeaders.PROTOCOL_ICMP, PacketHeaders.PROTOCOL_ICMPV6, 47, PacketHeaders.PROTOCOL_ESP};
        final int protocol = protocols[random.nextInt(protocols.length)];
        final byte[] transport = new byte[random.nextInt(24)];
        random.nextBytes(transport);
        if (transport.length > 0 && random.nextBoolean())
        {
            final int[] echoTypes = {0, 8, 128, 129};
            transport[0] = (byte)echoTypes[random.nextInt(echoTypes.length)];
        }
        final byte[] frame;
        if (kind < 4)
        {
            final int fragment = random.nextInt(4) == 0 ? random.nextInt(0x10000) : 0x4000;
            final int totalLength = random.nextInt(6) == 0 ? random.nextInt(60) : -1;
            frame = frame(tags, PacketHeaders.ETHERTYPE_IPV4,
                ipv4(random.nextInt(), random.nextInt(), protocol, fragment, totalLength, transport));
        }
        else if (kind < 9)
        {
            final int[] types = {PacketHeaders.PROTOCOL_HOP_BY_HOP, PacketHeaders.PROTOCOL_ROUTING,
                PacketHeaders.PROTOCOL_FRAGMENT, PacketHeaders.PROTOCOL_AUTHENTICATION_HEADER,
                PacketHeaders.PROTOCOL_DESTINATION_OPTIONS};
            int first = protocol;
            int nextAt = -1;
            final byte[] chain = new byte[256];
            int length = 0;
            final int count = random.nextInt(3) == 0 ? random.nextInt(PacketHeaders.MAX_IPV6_EXTENSION_HEADERS + 3) : 0;
            for (int n = count; n > 0; n--)
            {
                final int type = types[random.nextInt(types.length)];
                if (nextAt < 0)
                {
                    first = type;
                }
                else
                {
                    chain[nextAt] = (byte)type;
                }
                nextAt = length;
                final int size = type == PacketHeaders.PROTOCOL_FRAGMENT ? 8
                    : type == PacketHeaders.PROTOCOL_AUTHENTICATION_HEADER ? 12 : 8 * (1 + random.nextInt(2));
                if (type == PacketHeaders.PROTOCOL_FRAGMENT)
                {
                    chain[length + 3] = (byte)(random.nextInt(3) == 0 ? random.nextInt(256) : random.nextInt(2));
                }
                chain[length + 1] = (byte)(type == PacketHeaders.PROTOCOL_AUTHENTICATION_HEADER ? 1
                    : type == PacketHeaders.PROTOCOL_FRAGMENT ? 0 : size / 8 - 1);
                length += size;
            }
            if (nextAt >= 0)
            {
                chain[nextAt] = (byte)protocol;
            }
            frame = frame(tags, PacketHeaders.ETHERTYPE_IPV6,
                ipv6(random.nextLong(), random.nextLong(), first, Arrays.copyOf(chain, length), transport));
        }
        else
        {
            final byte[] payload = new byte[random.nextInt(40)];
            random.nextBytes(payload);
            frame = frame(tags, random.nextBoolean() ? PacketHeaders.ETHERTYPE_ARP : random.nextInt(0x10000), payload);
        }
        final int cut = random.nextInt(4) == 0 ? random.nextInt(frame.length + 1) : frame.length;
        return Arrays.copyOf(frame, random.nextInt(4) == 0 ? cut + random.nextInt(20) : cut);
    }

    private static byte[] frame(final int vlanTags, final int etherType, final byte[] payload)
    {
        final ByteBuffer b = ByteBuffer.allocate(14 + 4 * vlanTags + payload.length);
        b.put(MACS);
        for (int i = 0; i < vlanTags; i++)
        {
            final int tpid = i % 2 == 0 ? PacketHeaders.ETHERTYPE_QINQ : PacketHeaders.ETHERTYPE_VLAN;
            b.putShort((short)tpid).putShort((short)(100 + i));
        }
        return b.putShort((short)etherType).put(payload).array();
    }

    /** IPv4 without options; {@code totalLength} -1 means the real one. */
    private static byte[] ipv4(
        final int source, final int destination, final int protocol, final int fragmentField, final int totalLength,
        final byte[] transport)
    {
        final ByteBuffer b = ByteBuffer.allocate(20 + transport.length);
        b.put((byte)0x45).put((byte)0).putShort((short)(totalLength >= 0 ? totalLength : 20 + transport.length))
            .putShort((short)0).putShort((short)fragmentField).put((byte)64).put((byte)protocol).putShort((short)0)
            .putInt(source).putInt(destination);
        return b.put(transport).array();
    }

    /** IPv6 between fd00::{@code source} and fd00::{@code destination}, extension headers given whole. */
    private static byte[] ipv6(
        final long source, final long destination, final int next, final byte[] extensions, final byte[] transport)
    {
        final ByteBuffer b = ByteBuffer.allocate(40 + extensions.length + transport.length);
        b.putInt(6 << 28).putShort((short)(extensions.length + transport.length)).put((byte)next).put((byte)64);
        b.putLong(0xFD00L << 48).putLong(source).putLong(0xFD00L << 48).putLong(destination);
        return b.put(extensions).put(transport).array();
    }

    /** A hop-by-hop header of 8 bytes (one PadN option). */
    private static byte[] hopByHop(final int next)
    {
        return new byte[] {(byte)next, 0, 1, 4, 0, 0, 0, 0};
    }

    private static byte[] ports(final int source, final int destination)
    {
        return ByteBuffer.allocate(20).putShort((short)source).putShort((short)destination).array();
    }

    private static byte[] echo(final int type, final int identifier)
    {
        return ByteBuffer.allocate(8).put((byte)type).put((byte)0).putShort((short)0)
            .putShort((short)identifier).putShort((short)1).array();
    }
}
