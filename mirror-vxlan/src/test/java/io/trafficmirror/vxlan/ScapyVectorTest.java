package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.vxlan.packet.PacketHeaders;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The published scapy vector {@code UDP(sport=1024,dport=4789)/VXLAN(flags=0x08,vni=42)}
 * = {@code 04 00 12 b5 00 10 00 00 08 00 00 00 00 00 2a 00} (scapy's VXLAN layer test).
 */
class ScapyVectorTest
{
    private static final byte[] VECTOR = HexFormat.of().parseHex("040012b5001000000800000000002a00");

    @Test
    void shouldWriteTheScapyUdpAndVxlanBytesForAnEmptyInnerFrame()
    {
        final OuterHeadersEncoder encoder = new OuterHeadersEncoder()
            .ipv4Addresses(0xC0000201, 0xC0000202)
            .vni(42)
            .sourcePort(1024);
        final byte[] packet = new byte[encoder.headerLength()];

        final int length = encoder.encodeInHeadroom(packet, packet.length, 0);

        assertThat(length).isEqualTo(OuterHeadersEncoder.HEADER_LENGTH_IPV4);
        final int udp = PacketHeaders.ETHERNET_HEADER_LENGTH + PacketHeaders.IPV4_MIN_HEADER_LENGTH;
        assertThat(Arrays.copyOfRange(packet, udp, udp + VECTOR.length)).isEqualTo(VECTOR);
    }

    @Test
    void shouldDecodeTheScapyVectorAsAnEmptyFrameInVni42()
    {
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        final int result = decoder.decodeVxlanPayload(ByteBuffer.wrap(VECTOR), 8, 8);

        assertThat(result).isEqualTo(ResultCode.OK);
        assertThat(decoder.vni()).isEqualTo(42);
        assertThat(decoder.vxlanFlags()).isEqualTo(0x08);
        assertThat(decoder.innerOffset()).isEqualTo(16);
        assertThat(decoder.innerLength()).isZero();
    }
}
