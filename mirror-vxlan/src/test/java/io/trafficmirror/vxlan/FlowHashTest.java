package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.BufferKind;
import io.trafficmirror.testing.FrameBuilder;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The outer source port: symmetric per flow, 5-tuple or 3-tuple as SEMANTICS.md says, always in 49152..65535. */
class FlowHashTest
{
    @Property
    void shouldGiveBothDirectionsOfAnIpv4TcpOrUdpFlowTheSamePort(
        @ForAll int source,
        @ForAll int destination,
        @ForAll @IntRange(max = 65535) int sourcePort,
        @ForAll @IntRange(max = 65535) int destinationPort,
        @ForAll("tcpOrUdp") int protocol,
        @ForAll("vlanTags") int[] tags,
        @ForAll int sequence)
    {
        final byte[] forward = FrameBuilder.ipv4(tags, source, destination, protocol, 0,
            FrameBuilder.ports(sourcePort, destinationPort, sequence));
        final byte[] reverse = FrameBuilder.ipv4(tags, destination, source, protocol, 0,
            FrameBuilder.ports(destinationPort, sourcePort, ~sequence));

        final int port = port(forward);
        assertThat(port).isBetween(FlowHash.MIN_PORT, FlowHash.MAX_PORT).isEqualTo(port(reverse));
    }

    @Property
    void shouldGiveBothDirectionsOfAnIpv6FlowTheSamePortThroughExtensionHeaders(
        @ForAll long a0, @ForAll long a1, @ForAll long b0, @ForAll long b1,
        @ForAll @IntRange(max = 65535) int sourcePort,
        @ForAll @IntRange(max = 65535) int destinationPort,
        @ForAll("tcpOrUdp") int protocol,
        @ForAll boolean hopByHop)
    {
        final byte[] forward = FrameBuilder.ipv6(new long[] {a0, a1}, new long[] {b0, b1}, protocol, hopByHop,
            FrameBuilder.ports(sourcePort, destinationPort, 1));
        final byte[] reverse = FrameBuilder.ipv6(new long[] {b0, b1}, new long[] {a0, a1}, protocol, hopByHop,
            FrameBuilder.ports(destinationPort, sourcePort, 2));

        assertThat(port(forward)).isEqualTo(port(reverse));
    }

    @Property
    void shouldGiveAPingAndItsReplyTheSamePort(@ForAll int a, @ForAll int b, @ForAll short identifier)
    {
        final byte[] request = FrameBuilder.ipv4(new int[0], a, b, 1, 0, FrameBuilder.echo(8, identifier, 1));
        final byte[] reply = FrameBuilder.ipv4(new int[0], b, a, 1, 0, FrameBuilder.echo(0, identifier, 1));

        assertThat(port(request)).isEqualTo(port(reply));
    }

    @Property
    void shouldHashOtherProtocolsByAddressesAndProtocolOnly(
        @ForAll int a, @ForAll int b, @ForAll long payload, @ForAll long otherPayload)
    {
        final int gre = 47;
        final byte[] one = FrameBuilder.ipv4(new int[0], a, b, gre, 0, payload);
        final byte[] other = FrameBuilder.ipv4(new int[0], b, a, gre, 0, otherPayload);

        assertThat(port(one)).isEqualTo(port(other));
    }

    @Property
    void shouldIgnorePortBytesInNonFirstFragments(@ForAll int a, @ForAll int b, @ForAll long payload)
    {
        final byte[] fragment = FrameBuilder.ipv4(new int[0], a, b, 6, 0x00B9, payload);
        final byte[] otherFragment = FrameBuilder.ipv4(new int[0], a, b, 6, 0x00B9, ~payload);

        assertThat(port(fragment)).isEqualTo(port(otherFragment));
    }

    @Property
    void shouldGiveAnyBytesADeterministicPortInRangeReadingNothingBeyondTheLength(
        @ForAll @Size(max = 120) byte[] bytes, @ForAll BufferKind kind)
    {
        final BufferKind.Placed placed = kind.place(bytes, 0);
        final ByteBuffer buffer = placed.array() != null ? ByteBuffer.wrap(placed.array()) : placed.buffer();

        final int port = FlowHash.sourcePort(buffer, placed.offset(), placed.length());

        assertThat(port).isBetween(FlowHash.MIN_PORT, FlowHash.MAX_PORT)
            .isEqualTo(FlowHash.sourcePort(bytes, 0, bytes.length));
        for (int cut = 0; cut < bytes.length; cut++)
        {
            assertThat(FlowHash.sourcePort(buffer, placed.offset(), cut)).isBetween(FlowHash.MIN_PORT, FlowHash.MAX_PORT);
        }
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

    @Provide
    Arbitrary<Integer> tcpOrUdp()
    {
        return Arbitraries.of(6, 17);
    }

    @Provide
    Arbitrary<int[]> vlanTags()
    {
        return Arbitraries.of(0x8100, 0x88A8).array(int[].class).ofMaxSize(3);
    }

    private static int port(final byte[] frame)
    {
        return FlowHash.sourcePort(ByteBuffer.wrap(frame), 0, frame.length);
    }
}
