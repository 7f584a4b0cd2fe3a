package io.trafficmirror.filter.packet;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.BufferKind;
import io.trafficmirror.testing.MirroredTraffic;

import io.trafficmirror.vxlan.packet.PacketHeaders;
import io.trafficmirror.vxlan.packet.ParseResult;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * One contract over every way a frame can be handed over: every buffer kind gives the same fields as a plain
 * array, reads nothing outside the slice (each slice ends exactly at the buffer's limit or array's end, so an
 * overread throws) and leaves the caller's position, limit and byte order alone.
 */
class PacketHeadersBufferKindsTest
{
    private final PacketHeaders reference = new PacketHeaders();
    private final PacketHeaders headers = new PacketHeaders();

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldParseTheSameFieldsFromEveryBufferKind(final BufferKind kind)
    {
        for (final byte[] frame : frames())
        {
            reference.parseEthernet(frame, 0, frame.length);
            final HeaderSnapshot expected = HeaderSnapshot.of(reference);
            parse(kind, frame, false);
            assertThat(HeaderSnapshot.of(headers)).as(kind + " " + PacketHeadersPcap4jOracleTest.hex(frame)).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldParseRawIpPacketsLikeTheSamePacketBehindAnEthernetHeader(final BufferKind kind)
    {
        int compared = 0;
        for (final byte[] frame : frames())
        {
            reference.parseEthernet(frame, 0, frame.length);
            final int version = reference.etherType() == PacketHeaders.ETHERTYPE_IPV4 ? 4 : 6;
            if (reference.ipOffset() < 0 || reference.vlanTagCount() != 0
                || frame.length <= PacketHeaders.ETHERNET_HEADER_LENGTH
                || (frame[PacketHeaders.ETHERNET_HEADER_LENGTH] & 0xFF) >>> 4 != version)
            {
                // Without a link header only the version nibble says the family: skip frames where it lies.
                continue;
            }
            final byte[] packet = new byte[frame.length - PacketHeaders.ETHERNET_HEADER_LENGTH];
            System.arraycopy(frame, PacketHeaders.ETHERNET_HEADER_LENGTH, packet, 0, packet.length);
            parse(kind, packet, true);
            compared++;
            assertThat(headers.hasLinkHeader()).isFalse();
            assertThat(headers.result()).isEqualTo(reference.result());
            assertThat(headers.ipVersion()).isEqualTo(reference.ipVersion());
            assertThat(headers.etherType()).isEqualTo(reference.etherType());
            assertThat(headers.protocol()).isEqualTo(reference.protocol());
            assertThat(headers.sourceIpv4()).isEqualTo(reference.sourceIpv4());
            assertThat(headers.sourceIpv6Low()).isEqualTo(reference.sourceIpv6Low());
            assertThat(headers.hasPorts()).isEqualTo(reference.hasPorts());
            assertThat(headers.sourcePort()).isEqualTo(reference.sourcePort());
            assertThat(headers.destinationPort()).isEqualTo(reference.destinationPort());
            if (reference.transportOffset() >= 0)
            {
                assertThat(headers.transportOffset() - headers.frameOffset() + PacketHeaders.ETHERNET_HEADER_LENGTH)
                    .isEqualTo(reference.transportOffset());
            }
        }
        assertThat(compared).isGreaterThan(500);
    }

    @Test
    void shouldLeaveNothingOfThePreviousPacketBehind()
    {
        final List<byte[]> frames = frames();
        final SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < frames.size(); i++)
        {
            // A reused flyweight, after any other frame, must read exactly what a fresh one reads.
            final byte[] previous = frames.get(random.nextInt(frames.size()));
            headers.parseEthernet(previous, 0, previous.length);
            final byte[] frame = frames.get(i);
            final boolean raw = (i & 1) == 1;
            final PacketHeaders fresh = new PacketHeaders();
            if (raw)
            {
                headers.parseIp(frame, 0, frame.length);
                fresh.parseIp(frame, 0, frame.length);
            }
            else
            {
                headers.parseEthernet(frame, 0, frame.length);
                fresh.parseEthernet(frame, 0, frame.length);
            }
            assertThat(HeaderSnapshot.of(headers)).isEqualTo(HeaderSnapshot.of(fresh));
        }
    }

    @Test
    void shouldReturnInvalidArgumentsWithoutReadingWhenTheSliceLeavesTheBuffer()
    {
        final byte[] array = new byte[64];
        final ByteBuffer buffer = ByteBuffer.allocate(64).limit(40);
        assertThat(headers.parseEthernet(array, -1, 10)).isEqualTo(ParseResult.INVALID_ARGUMENTS);
        assertThat(headers.parseEthernet(array, 60, 5)).isEqualTo(ParseResult.INVALID_ARGUMENTS);
        assertThat(headers.parseEthernet(array, 1, Integer.MAX_VALUE)).isEqualTo(ParseResult.INVALID_ARGUMENTS);
        assertThat(headers.parseEthernet(array, 0, -1)).isEqualTo(ParseResult.INVALID_ARGUMENTS);
        assertThat(headers.parseEthernet((byte[])null, 0, 0)).isEqualTo(ParseResult.INVALID_ARGUMENTS);
        assertThat(headers.parseEthernet(buffer, 30, 11)).as("past the limit, within capacity")
            .isEqualTo(ParseResult.INVALID_ARGUMENTS);
        assertThat(headers.parseIp(buffer, Integer.MAX_VALUE, 1)).isEqualTo(ParseResult.INVALID_ARGUMENTS);
        assertThat(headers.parseIp((ByteBuffer)null, 0, 0)).isEqualTo(ParseResult.INVALID_ARGUMENTS);
        assertThat(headers.ipVersion()).isZero();
    }

    @Test
    void shouldReportTruncatedLinkHeaderForAnEmptyFrame()
    {
        assertThat(headers.parseEthernet(new byte[0], 0, 0)).isEqualTo(ParseResult.TRUNCATED_LINK_HEADER);
        assertThat(headers.parseIp(ByteBuffer.allocateDirect(0), 0, 0)).isEqualTo(ParseResult.TRUNCATED_IP_HEADER);
    }

    private void parse(final BufferKind kind, final byte[] frame, final boolean rawIp)
    {
        final BufferKind.Placed placed = kind.place(frame, 0);
        if (rawIp)
        {
            placed.call(headers::parseIp, headers::parseIp);
        }
        else
        {
            placed.call(headers::parseEthernet, headers::parseEthernet);
        }
        assertThat(placed.untouched()).as("%s keeps its position, limit and byte order", kind).isTrue();
    }

    /** The project's own VXLAN and GENEVE traffic and its inner frames, random frames of every shape, and stubs. */
    static List<byte[]> frames()
    {
        final List<byte[]> frames = new ArrayList<>();
        final List<byte[]> tunnelled = new ArrayList<>(MirroredTraffic.vxlanPackets(100));
        tunnelled.addAll(MirroredTraffic.genevePackets(10));
        for (final byte[] outer : tunnelled)
        {
            frames.add(outer);
            final byte[] inner = PacketHeadersPcap4jOracleTest.innerFrame(outer);
            if (inner != null)
            {
                frames.add(inner);
            }
        }
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++)
        {
            frames.add(RandomFrames.next(random, RandomFrames.Shape.ANY).build());
        }
        return Stream.concat(frames.stream(), Stream.of(new byte[0], new byte[13], new byte[14])).toList();
    }
}
