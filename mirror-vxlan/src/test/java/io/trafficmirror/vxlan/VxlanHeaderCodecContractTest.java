package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.BufferKind;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The VXLAN header flyweights behave alike over every buffer kind. Expected bytes come from outside:
 * the scapy vector {@code VXLAN(flags=0x08, vni=42)} and the GBP header of {@code vxlan-reserved-bits-set.pcap}.
 */
class VxlanHeaderCodecContractTest
{
    /** Last 8 bytes of scapy's {@code UDP(sport=1024,dport=4789)/VXLAN(flags=0x08,vni=42)}. */
    private static final byte[] SCAPY_VXLAN_VNI_42 = HexFormat.of().parseHex("0800000000002a00");
    /** The VXLAN header of packet 1 of vxlan-reserved-bits-set.pcap: flags 0xff01, group policy 53746, VNI 11. */
    private static final byte[] GBP_VNI_11 = HexFormat.of().parseHex("ff01d1f200000b00");

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldDecodeScapyVectorAsVni42WithIFlag(final BufferKind kind)
    {
        final BufferKind.Placed placed = kind.place(SCAPY_VXLAN_VNI_42, 0);
        final VxlanHeaderDecoder decoder = wrap(new VxlanHeaderDecoder(), placed, placed.length());

        assertThat(decoder.status()).isEqualTo(ResultCode.OK);
        assertThat(decoder.vni()).isEqualTo(42);
        assertThat(decoder.flags()).isEqualTo(0x08);
        assertThat(decoder.isVniValid()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldIgnoreReservedBitsAsRfc7348Asks(final BufferKind kind)
    {
        final BufferKind.Placed placed = kind.place(GBP_VNI_11, 0);
        final VxlanHeaderDecoder decoder = wrap(new VxlanHeaderDecoder(), placed, placed.length());

        assertThat(decoder.status()).isEqualTo(ResultCode.OK);
        assertThat(decoder.vni()).isEqualTo(11);
        assertThat(decoder.isVniValid()).isTrue();
        assertThat(decoder.flags()).isEqualTo(0xFF);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldReportIFlagClearWithoutFailing(final BufferKind kind)
    {
        final byte[] header = SCAPY_VXLAN_VNI_42.clone();
        header[0] = 0;
        final BufferKind.Placed placed = kind.place(header, 0);
        final VxlanHeaderDecoder decoder = wrap(new VxlanHeaderDecoder(), placed, placed.length());

        assertThat(decoder.status()).isEqualTo(ResultCode.OK);
        assertThat(decoder.isVniValid()).isFalse();
        assertThat(decoder.vni()).isEqualTo(42);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldReturnTooShortForSevenBytesAndNeverThrow(final BufferKind kind)
    {
        final BufferKind.Placed placed = kind.place(new byte[] {8, 0, 0, 0, 0, 0, 42}, 0);
        final VxlanHeaderDecoder decoder = wrap(new VxlanHeaderDecoder(), placed, placed.length());

        assertThat(decoder.status()).isEqualTo(ResultCode.TOO_SHORT);
        assertThat(decoder.vni()).isEqualTo(-1);
        assertThat(decoder.flags()).isEqualTo(-1);
        assertThat(decoder.isVniValid()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldReturnOutOfBoundsWhenLengthRunsPastTheBuffer(final BufferKind kind)
    {
        final BufferKind.Placed placed = kind.place(SCAPY_VXLAN_VNI_42, 0);
        final VxlanHeaderDecoder decoder = wrap(new VxlanHeaderDecoder(), placed, placed.length() + 1);

        assertThat(decoder.status()).isEqualTo(ResultCode.OUT_OF_BOUNDS);
        assertThat(decoder.vni()).isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldEncodeTheScapyVectorOrRefuseAReadOnlyBuffer(final BufferKind kind)
    {
        final BufferKind.Placed placed = kind.place(new byte[8], 0);
        final VxlanHeaderEncoder encoder = new VxlanHeaderEncoder();
        if (placed.array() != null)
        {
            encoder.wrap(placed.array(), placed.offset());
        }
        else
        {
            encoder.wrap(placed.buffer(), placed.offset());
        }

        final int result = encoder.encode(42);

        if (kind.readOnly)
        {
            assertThat(result).isEqualTo(ResultCode.READ_ONLY_BUFFER);
        }
        else
        {
            assertThat(result).isEqualTo(VxlanHeaderEncoder.HEADER_LENGTH);
            assertThat(placed.bytes(placed.offset(), 8)).isEqualTo(SCAPY_VXLAN_VNI_42);
        }
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldRefuseVniAbove24BitsAndHeaderPastTheEnd(final BufferKind kind)
    {
        final BufferKind.Placed placed = kind.place(new byte[7], 0);
        final VxlanHeaderEncoder encoder = new VxlanHeaderEncoder();
        if (placed.array() != null)
        {
            encoder.wrap(placed.array(), placed.offset());
        }
        else
        {
            encoder.wrap(placed.buffer(), placed.offset());
        }

        assertThat(encoder.encode(1 << 24)).isEqualTo(ResultCode.BAD_VNI);
        assertThat(encoder.encode(-1)).isEqualTo(ResultCode.BAD_VNI);
        assertThat(encoder.encode(1)).isEqualTo(ResultCode.BUFFER_TOO_SMALL);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldPeekVniWithoutAnInstance(final BufferKind kind)
    {
        final BufferKind.Placed placed = kind.place(GBP_VNI_11, 0);
        final ByteBuffer buffer = placed.asBuffer();

        assertThat(VxlanHeaderDecoder.vni(buffer, placed.offset())).isEqualTo(11);
        assertThat(VxlanHeaderDecoder.vni(buffer, placed.offset() + 1)).isEqualTo(-1);
    }

    private static VxlanHeaderDecoder wrap(final VxlanHeaderDecoder decoder, final BufferKind.Placed placed, final int length)
    {
        return placed.array() != null
            ? decoder.wrap(placed.array(), placed.offset(), length)
            : decoder.wrap(placed.buffer(), placed.offset(), length);
    }
}
