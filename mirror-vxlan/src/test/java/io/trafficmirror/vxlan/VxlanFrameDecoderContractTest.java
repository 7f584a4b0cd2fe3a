package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.BufferKind;
import io.trafficmirror.testing.MirroredTraffic;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The receive-side decoder behaves alike over every buffer kind, on packets built byte by byte from RFC 7348 and
 * RFC 8926 whose layout is therefore known: VXLAN as a mirroring session sends it (outer Ethernet + IPv4 without
 * options + UDP + VXLAN, so the inner frame starts at byte 50) and GENEVE (VNI 123, no options, inner frame at
 * byte 50). {@code AwsCaptureInteropTest} does the same on the real AWS capture.
 */
class VxlanFrameDecoderContractTest
{

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldDecodeAWholeCapturedFrame(final BufferKind kind)
    {
        final byte[] captured = vxlanPacket();
        final BufferKind.Placed placed = kind.place(captured, 5);
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        assertThat(placed.call(decoder::decodeFrame, decoder::decodeFrame)).isEqualTo(ResultCode.OK);
        assertThat(decoder.vni()).isEqualTo(MirroredTraffic.VXLAN_VNI);
        assertThat(decoder.encapsulation()).isEqualTo(VxlanFrameDecoder.ENCAPSULATION_VXLAN);
        assertThat(decoder.ipVersion()).isEqualTo(4);
        assertThat(decoder.sourceAddressOffset()).isEqualTo(placed.offset() + 26);
        assertThat(decoder.destinationAddressOffset()).isEqualTo(placed.offset() + 30);
        assertThat(decoder.sourceIpv4()).isEqualTo(MirroredTraffic.OUTER_SOURCE);
        assertThat(decoder.destinationPort()).isEqualTo(4789);
        assertThat(decoder.sourcePort()).isEqualTo(((captured[34] & 0xFF) << 8) | (captured[35] & 0xFF));
        assertThat(decoder.innerOffset()).isEqualTo(placed.offset() + 50);
        assertThat(decoder.innerLength()).isEqualTo(captured.length - 50);
        assertThat(placed.bytes(decoder.innerOffset(), decoder.innerLength()))
            .isEqualTo(Arrays.copyOfRange(captured, 50, captured.length));
        assertThat(decoder.isTruncated()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldDecodeTheUdpPayloadASocketDelivers(final BufferKind kind)
    {
        final byte[] captured = vxlanPacket();
        final BufferKind.Placed placed = kind.place(Arrays.copyOfRange(captured, 42, captured.length), 3);
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        assertThat(placed.call(decoder::decodeVxlanPayload, decoder::decodeVxlanPayload)).isEqualTo(ResultCode.OK);
        assertThat(decoder.vni()).isEqualTo(MirroredTraffic.VXLAN_VNI);
        assertThat(decoder.ipVersion()).isZero();
        assertThat(decoder.sourcePort()).isEqualTo(-1);
        assertThat(decoder.innerOffset()).isEqualTo(placed.offset() + 8);
        assertThat(decoder.innerLength()).isEqualTo(captured.length - 50);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldDecodeWhatASmallSnapLengthLeftAndSaySo(final BufferKind kind)
    {
        final byte[] cut = Arrays.copyOf(vxlanPacket(), 64);
        final BufferKind.Placed placed = kind.place(cut, 0);
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        assertThat(placed.call(decoder::decodeFrame, decoder::decodeFrame)).isEqualTo(ResultCode.OK);
        assertThat(decoder.isTruncated()).isTrue();
        assertThat(decoder.innerLength()).isEqualTo(14);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldDecodeGeneveFramesAndTheirBareUdpPayload(final BufferKind kind)
    {
        final byte[] captured = MirroredTraffic.geneve(0);
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        final BufferKind.Placed frame = kind.place(captured, 1);
        assertThat(frame.call(decoder::decodeFrame, decoder::decodeFrame)).isEqualTo(ResultCode.OK);
        assertThat(decoder.vni()).isEqualTo(123);
        assertThat(decoder.encapsulation()).isEqualTo(VxlanFrameDecoder.ENCAPSULATION_GENEVE);
        assertThat(decoder.innerOffset()).isEqualTo(frame.offset() + 50);

        final BufferKind.Placed payload = kind.place(Arrays.copyOfRange(captured, 42, captured.length), 0);
        assertThat(payload.call(decoder::decodeGenevePayload, decoder::decodeGenevePayload)).isEqualTo(ResultCode.OK);
        assertThat(decoder.vni()).isEqualTo(123);
        assertThat(decoder.innerLength()).isEqualTo(captured.length - 50);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldReturnCodesForCutAndOutOfBoundsInput(final BufferKind kind)
    {
        final byte[] captured = vxlanPacket();
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        for (final int length : new int[] {0, 13, 14, 33, 41, 49})
        {
            final BufferKind.Placed placed = kind.place(Arrays.copyOf(captured, length), 0);
            assertThat(placed.call(decoder::decodeFrame, decoder::decodeFrame)).as("cut at %d", length)
                .isEqualTo(ResultCode.TOO_SHORT);
        }
        final BufferKind.Placed placed = kind.place(captured, 0);
        final int beyond = placed.array() != null
            ? decoder.decodeFrame(placed.array(), placed.offset(), placed.length() + 1)
            : decoder.decodeFrame(placed.buffer(), placed.offset(), placed.length() + 1);
        assertThat(beyond).isEqualTo(ResultCode.OUT_OF_BOUNDS);
        final int negative = placed.array() != null
            ? decoder.decodeFrame(placed.array(), -1, 10)
            : decoder.decodeFrame(placed.buffer(), -1, 10);
        assertThat(negative).isEqualTo(ResultCode.OUT_OF_BOUNDS);
    }

    private static byte[] vxlanPacket()
    {
        return MirroredTraffic.vxlan(0);
    }
}
