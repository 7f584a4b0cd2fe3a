package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trafficmirror.testing.BufferKind;
import io.trafficmirror.testing.MirroredTraffic;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The outer-header encoder over every buffer kind: both ways of encoding agree, the frame is never touched,
 * and the cut follows docs/semantics.md, "Packet length and truncation" and "MTU" (PacketLength counts after the
 * VXLAN header, MTU counts the outer IP packet). Checksums are checked with the RFC 1071 rule (a correct header
 * sums to 0xFFFF); tshark checks them again in {@link TsharkEncoderInteropTest}.
 */
class OuterHeadersEncoderContractTest
{
    private static byte[] innerFrame;

    @BeforeAll
    static void buildAnInnerFrame()
    {
        // A TCP segment of an SSH session, as a host sends it.
        innerFrame = MirroredTraffic.innerFrame(0);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldWriteTheSameBytesInHeadroomAsInASeparateHeaderBufferAndLeaveTheFrameAlone(final BufferKind kind)
        throws IOException
    {
        for (final OuterHeadersEncoder encoder : List.of(ipv4(), ipv6(), ipv4().udpChecksum(true)))
        {
            final BufferKind.Placed placed = kind.place(innerFrame, encoder.headerLength());
            final int length = placed.call(encoder::encodeInHeadroom, encoder::encodeInHeadroom);

            if (kind.readOnly)
            {
                assertThat(length).isEqualTo(ResultCode.READ_ONLY_BUFFER);
                continue;
            }
            assertThat(length).isEqualTo(encoder.headerLength() + innerFrame.length);
            final byte[] packet = placed.bytes(placed.offset() - encoder.headerLength(), length);
            assertThat(Arrays.copyOfRange(packet, encoder.headerLength(), packet.length)).isEqualTo(innerFrame);

            final byte[] headers = new byte[encoder.headerLength()];
            final BufferKind.Placed frame = kind.place(innerFrame, 0);
            final int inner = frame.array() != null
                ? encoder.encodeHeaders(headers, 0, frame.array(), frame.offset(), frame.length())
                : encoder.encodeHeaders(ByteBuffer.wrap(headers), 0, frame.buffer(), frame.offset(), frame.length());
            assertThat(inner).isEqualTo(innerFrame.length);
            assertThat(headers).isEqualTo(Arrays.copyOf(packet, headers.length));
            assertThat(frame.bytes(frame.offset(), frame.length())).isEqualTo(innerFrame);
        }
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldProduceHeadersTheDecoderReadsBack(final BufferKind kind) throws IOException
    {
        final OuterHeadersEncoder encoder = ipv6();
        final BufferKind.Placed placed = kind.place(innerFrame, encoder.headerLength());
        if (kind.readOnly)
        {
            return;
        }
        final int length = placed.call(encoder::encodeInHeadroom, encoder::encodeInHeadroom);
        final BufferKind.Placed packet = kind.place(placed.bytes(placed.offset() - encoder.headerLength(), length), 0);
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        assertThat(packet.call(decoder::decodeFrame, decoder::decodeFrame)).isEqualTo(ResultCode.OK);
        assertThat(decoder.vni()).isEqualTo(7);
        assertThat(decoder.ipVersion()).isEqualTo(6);
        assertThat(decoder.sourcePort()).isEqualTo(FlowHash.sourcePort(ByteBuffer.wrap(innerFrame), 0, innerFrame.length));
        assertThat(packet.bytes(decoder.innerOffset(), decoder.innerLength())).isEqualTo(innerFrame);
    }

    @Test
    void shouldMakeTheIpv4HeaderChecksumSumToAllOnes() throws IOException
    {
        final OuterHeadersEncoder encoder = ipv4().identification(0x1234).dontFragment(true).tos(0xB8).ttl(3);
        final byte[] packet = encode(encoder, innerFrame);

        assertThat(onesComplementSum(packet, 14, 20)).isEqualTo(0xFFFF);
        assertThat(packet[14 + 1] & 0xFF).isEqualTo(0xB8);
        assertThat(packet[14 + 6] & 0xFF).isEqualTo(0x40);
        assertThat(packet[14 + 8] & 0xFF).isEqualTo(3);
    }

    @Test
    void shouldMakeTheIpv6UdpChecksumSumToAllOnesOverPseudoHeaderAndDatagram() throws IOException
    {
        for (int cut = 1; cut <= innerFrame.length; cut++)
        {
            final OuterHeadersEncoder encoder = ipv6().packetLength(cut);
            final byte[] packet = encode(encoder, innerFrame);
            final int udpLength = packet.length - 54;

            final long pseudo = onesComplementSumRaw(packet, 22, 32) + udpLength + 17;
            final long total = pseudo + onesComplementSumRaw(packet, 54, udpLength);
            assertThat(fold(total)).as("cut at %d", cut).isEqualTo(0xFFFF);
            assertThat(packet[60] | packet[61]).isNotZero();
        }
    }

    @Test
    void shouldUseAwsDefaultsTtl255IdZeroDfClearTosZeroUdpChecksumZero() throws IOException
    {
        final byte[] packet = encode(ipv4(), innerFrame);

        assertThat(packet[14] & 0xFF).isEqualTo(0x45);
        assertThat(packet[15]).isZero();
        assertThat(packet[18] | packet[19]).isZero();
        assertThat(packet[20] | packet[21]).isZero();
        assertThat(packet[22] & 0xFF).isEqualTo(255);
        assertThat(packet[23]).isEqualTo((byte)17);
        assertThat(packet[40] | packet[41]).isZero();
        assertThat(((packet[36] & 0xFF) << 8) | (packet[37] & 0xFF)).isEqualTo(4789);
        assertThat(Arrays.copyOfRange(packet, 42, 50)).containsExactly(8, 0, 0, 0, 0, 0, 7, 0);
    }

    @Test
    void shouldCutTheInnerFrameToThePacketLength() throws IOException
    {
        for (final int packetLength : new int[] {1, 14, 60, innerFrame.length - 1})
        {
            final byte[] packet = encode(ipv4().packetLength(packetLength), innerFrame);

            assertThat(packet).hasSize(50 + packetLength);
            assertThat(Arrays.copyOfRange(packet, 50, packet.length)).isEqualTo(Arrays.copyOf(innerFrame, packetLength));
            assertThat(u16(packet, 14 + 2)).isEqualTo(20 + 8 + 8 + packetLength);
            assertThat(u16(packet, 34 + 4)).isEqualTo(8 + 8 + packetLength);
            assertThat(onesComplementSum(packet, 14, 20)).isEqualTo(0xFFFF);
        }
        assertThat(encode(ipv4().packetLength(OuterHeadersEncoder.MAX_PACKET_LENGTH), innerFrame))
            .hasSize(50 + innerFrame.length);
    }

    @Test
    void shouldCutTheInnerFrameSoThatTheOuterIpPacketFitsTheMtu() throws IOException
    {
        final byte[] jumbo = Arrays.copyOf(innerFrame, 9100);
        for (int i = innerFrame.length; i < jumbo.length; i++)
        {
            jumbo[i] = (byte)i;
        }

        final byte[] defaultMtu = encode(ipv4(), jumbo);
        assertThat(u16(defaultMtu, 16)).isEqualTo(9001);
        assertThat(defaultMtu).hasSize(14 + 9001);

        final byte[] v6 = encode(ipv6().mtu(1500), jumbo);
        assertThat(40 + u16(v6, 18)).isEqualTo(1500);
        assertThat(v6).hasSize(14 + 1500);
        assertThat(Arrays.copyOfRange(v6, 70, v6.length)).isEqualTo(Arrays.copyOf(jumbo, 1500 - 40 - 16));

        final byte[] both = encode(ipv4().mtu(1500).packetLength(8500), jumbo);
        assertThat(both).hasSize(14 + 1500);
        final byte[] packetLengthWins = encode(ipv4().mtu(9001).packetLength(100), jumbo);
        assertThat(packetLengthWins).hasSize(50 + 100);
        final OuterHeadersEncoder small = ipv4().mtu(OuterHeadersEncoder.MIN_MTU);
        assertThat(small.innerLength(jumbo.length)).isEqualTo(68 - 36);
    }

    @Test
    void shouldReturnResultCodesNotExceptionsForBadCalls() throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(200);
        final OuterHeadersEncoder encoder = ipv4();

        assertThat(new OuterHeadersEncoder().encodeInHeadroom(buffer, 60, 10)).isEqualTo(ResultCode.NOT_CONFIGURED);
        assertThat(encoder.encodeInHeadroom(buffer, 49, 10)).isEqualTo(ResultCode.NO_HEADROOM);
        assertThat(encoder.encodeInHeadroom(buffer, 60, 141)).isEqualTo(ResultCode.OUT_OF_BOUNDS);
        assertThat(encoder.encodeInHeadroom(buffer, 60, -1)).isEqualTo(ResultCode.OUT_OF_BOUNDS);
        assertThat(encoder.encodeInHeadroom(buffer, Integer.MAX_VALUE, Integer.MAX_VALUE)).isEqualTo(ResultCode.OUT_OF_BOUNDS);
        assertThat(encoder.encodeInHeadroom(buffer.asReadOnlyBuffer(), 60, 10)).isEqualTo(ResultCode.READ_ONLY_BUFFER);
        assertThat(encoder.encodeHeaders(ByteBuffer.allocate(49), 0, buffer, 0, 10)).isEqualTo(ResultCode.BUFFER_TOO_SMALL);
        assertThat(encoder.encodeHeaders(ByteBuffer.allocate(50).asReadOnlyBuffer(), 0, buffer, 0, 10))
            .isEqualTo(ResultCode.READ_ONLY_BUFFER);
        assertThat(buffer.array()).containsOnly(0);
    }

    @Test
    void shouldRejectBadConfigurationNamingFieldValueAndRange()
    {
        final OuterHeadersEncoder encoder = new OuterHeadersEncoder();

        assertThatThrownBy(() -> encoder.vni(1 << 24)).hasMessageContaining("VNI 16777216 is outside 0..16777215");
        assertThatThrownBy(() -> encoder.packetLength(0)).hasMessageContaining("packet length 0 is outside 1..8500");
        assertThatThrownBy(() -> encoder.packetLength(8501)).hasMessageContaining("8501");
        assertThatThrownBy(() -> encoder.mtu(67)).hasMessageContaining("MTU 67 is outside 68..65535");
        assertThatThrownBy(() -> encoder.ttl(0)).hasMessageContaining("TTL 0");
        assertThatThrownBy(() -> encoder.macAddresses(new byte[5], new byte[6])).hasMessageContaining("destination MAC");
        assertThatThrownBy(() -> encoder.addresses(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("2001:db8::1")))
            .hasMessageContaining("both IPv4 or both IPv6");
    }

    private static OuterHeadersEncoder ipv4() throws IOException
    {
        return new OuterHeadersEncoder()
            .macAddresses(new byte[] {2, 0, 0, 0, 0, 2}, new byte[] {2, 0, 0, 0, 0, 1})
            .addresses(InetAddress.getByName("198.18.0.1"), InetAddress.getByName("198.18.0.2"))
            .vni(7);
    }

    private static OuterHeadersEncoder ipv6() throws IOException
    {
        return new OuterHeadersEncoder()
            .macAddresses(new byte[] {2, 0, 0, 0, 0, 2}, new byte[] {2, 0, 0, 0, 0, 1})
            .addresses(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("2001:db8::2"))
            .vni(7);
    }

    static byte[] encode(final OuterHeadersEncoder encoder, final byte[] frame)
    {
        final byte[] buffer = new byte[encoder.headerLength() + frame.length];
        System.arraycopy(frame, 0, buffer, encoder.headerLength(), frame.length);
        final int length = encoder.encodeInHeadroom(buffer, encoder.headerLength(), frame.length);
        assertThat(length).isPositive();
        return Arrays.copyOf(buffer, length);
    }

    private static int u16(final byte[] bytes, final int offset)
    {
        return ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
    }

    /** RFC 1071, written out plainly, 16 bits at a time. */
    private static long onesComplementSumRaw(final byte[] bytes, final int offset, final int length)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            final int high = bytes[offset + i] & 0xFF;
            final int low = i + 1 < length ? bytes[offset + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        return sum;
    }

    private static int onesComplementSum(final byte[] bytes, final int offset, final int length)
    {
        return fold(onesComplementSumRaw(bytes, offset, length));
    }

    private static int fold(final long value)
    {
        long sum = value;
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }
}
