package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import io.trafficmirror.testing.BufferKind;
import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.testing.SeededCases;
import org.junit.jupiter.api.Test;

/**
 * The outer source port: symmetric per flow, 5-tuple or 3-tuple as docs/semantics.md, "The flow-hash source port",
 * says, always in 49152..65535.
 */
class FlowHashTest
{
    private static final int CASES = 1000;

    @Test
    void shouldGiveBothDirectionsOfAnIpv4TcpOrUdpFlowTheSamePort()
    {
        SeededCases.run(CASES, draw ->
        {
            final int source = draw.anyInt();
            final int destination = draw.anyInt();
            final int sourcePort = draw.between(0, 65535);
            final int destinationPort = draw.between(0, 65535);
            final int protocol = draw.oneOfInts(6, 17);
            final int[] tags = vlanTags(draw);
            final int sequence = draw.anyInt();
            final byte[] forward = FrameBuilder.ipv4(tags, source, destination, protocol, 0,
                FrameBuilder.ports(sourcePort, destinationPort, sequence));
            final byte[] reverse = FrameBuilder.ipv4(tags, destination, source, protocol, 0,
                FrameBuilder.ports(destinationPort, sourcePort, ~sequence));

            final int port = port(forward);
            assertThat(port).isBetween(FlowHash.MIN_PORT, FlowHash.MAX_PORT).isEqualTo(port(reverse));
        });
    }

    @Test
    void shouldGiveBothDirectionsOfAnIpv6FlowTheSamePortThroughExtensionHeaders()
    {
        SeededCases.run(CASES, draw ->
        {
            final long[] a = {draw.anyLong(), draw.anyLong()};
            final long[] b = {draw.anyLong(), draw.anyLong()};
            final int sourcePort = draw.between(0, 65535);
            final int destinationPort = draw.between(0, 65535);
            final int protocol = draw.oneOfInts(6, 17);
            final boolean hopByHop = draw.bool();
            final byte[] forward =
                FrameBuilder.ipv6(a, b, protocol, hopByHop, FrameBuilder.ports(sourcePort, destinationPort, 1));
            final byte[] reverse =
                FrameBuilder.ipv6(b, a, protocol, hopByHop, FrameBuilder.ports(destinationPort, sourcePort, 2));

            assertThat(port(forward)).isEqualTo(port(reverse));
        });
    }

    @Test
    void shouldGiveAPingAndItsReplyTheSamePort()
    {
        SeededCases.run(CASES, draw ->
        {
            final int a = draw.anyInt();
            final int b = draw.anyInt();
            final short identifier = draw.anyShort();
            final byte[] request = FrameBuilder.ipv4(new int[0], a, b, 1, 0, FrameBuilder.echo(8, identifier, 1));
            final byte[] reply = FrameBuilder.ipv4(new int[0], b, a, 1, 0, FrameBuilder.echo(0, identifier, 1));

            assertThat(port(request)).isEqualTo(port(reply));
        });
    }

    @Test
    void shouldHashOtherProtocolsByAddressesAndProtocolOnly()
    {
        SeededCases.run(CASES, draw ->
        {
            final int a = draw.anyInt();
            final int b = draw.anyInt();
            final int gre = 47;
            final byte[] one = FrameBuilder.ipv4(new int[0], a, b, gre, 0, draw.anyLong());
            final byte[] other = FrameBuilder.ipv4(new int[0], b, a, gre, 0, draw.anyLong());

            assertThat(port(one)).isEqualTo(port(other));
        });
    }

    @Test
    void shouldIgnorePortBytesInNonFirstFragments()
    {
        SeededCases.run(CASES, draw ->
        {
            final int a = draw.anyInt();
            final int b = draw.anyInt();
            final long payload = draw.anyLong();
            final byte[] fragment = FrameBuilder.ipv4(new int[0], a, b, 6, 0x00B9, payload);
            final byte[] otherFragment = FrameBuilder.ipv4(new int[0], a, b, 6, 0x00B9, ~payload);

            assertThat(port(fragment)).isEqualTo(port(otherFragment));
        });
    }

    @Test
    void shouldGiveAnyBytesADeterministicPortInRangeReadingNothingBeyondTheLength()
    {
        SeededCases.run(CASES, draw ->
        {
            final byte[] bytes = draw.bytes(120);
            final BufferKind.Placed placed = draw.enumConstant(BufferKind.class).place(bytes, 0);
            final ByteBuffer buffer = placed.array() != null ? ByteBuffer.wrap(placed.array()) : placed.buffer();

            final int port = FlowHash.sourcePort(buffer, placed.offset(), placed.length());

            assertThat(port).isBetween(FlowHash.MIN_PORT, FlowHash.MAX_PORT)
                .isEqualTo(FlowHash.sourcePort(bytes, 0, bytes.length));
            for (int cut = 0; cut < bytes.length; cut++)
            {
                assertThat(FlowHash.sourcePort(buffer, placed.offset(), cut))
                    .isBetween(FlowHash.MIN_PORT, FlowHash.MAX_PORT);
            }
        });
    }

    @Test
    void shouldSpreadDistinctFlowsOverThePortRange()
    {
        final Random random = new Random(4789);
        final Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 2000; i++)
        {
            ports.add(port(FrameBuilder.ipv4(new int[0], random.nextInt(), random.nextInt(), 6, 0,
                FrameBuilder.ports(random.nextInt(), 443, 0))));
        }
        // 2000 flows thrown uniformly into 16384 ports land on about 1883 distinct ones.
        assertThat(ports).hasSizeGreaterThan(1800);
    }

    @Test
    void shouldSeparateFlowsThatDifferOnlyInOnePort()
    {
        final Set<Integer> ports = new HashSet<>();
        for (int sourcePort = 50000; sourcePort < 50100; sourcePort++)
        {
            ports.add(port(FrameBuilder.ipv4(new int[0], 0xC0000201, 0xC0000202, 17, 0, FrameBuilder.ports(sourcePort, 53, 0))));
        }
        assertThat(ports).hasSizeGreaterThan(95);
    }

    /** Zero to three VLAN tags, each 802.1Q or 802.1ad. */
    private static int[] vlanTags(final SeededCases.Draw draw)
    {
        final int[] tags = new int[draw.between(0, 3)];
        for (int i = 0; i < tags.length; i++)
        {
            tags[i] = draw.oneOfInts(0x8100, 0x88A8);
        }
        return tags;
    }

    private static int port(final byte[] frame)
    {
        return FlowHash.sourcePort(ByteBuffer.wrap(frame), 0, frame.length);
    }
}
