package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SharedCaptures;
import io.trafficmirror.testing.Tshark;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Against a real AWS Traffic Mirroring capture: what AWS sent, our decoder reads as tshark does, and our
 * encoder with AWS's defaults writes the very same bytes.
 */
class AwsCaptureInteropTest
{
    private static final int AWS_VNI = 5569041;

    @Test
    void shouldDecodeAllHundredPacketsAsVxlanWithTheSessionVni() throws IOException
    {
        final List<Pcap.Packet> packets = Pcap.read(SharedCaptures.file(SharedCaptures.AWS_CAPTURE));
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        assertThat(packets).hasSize(100);
        for (final Pcap.Packet packet : packets)
        {
            assertThat(decoder.decodeFrame(ByteBuffer.wrap(packet.data()), 0, packet.data().length))
                .as("packet %d", packet.number()).isEqualTo(ResultCode.OK);
            assertThat(decoder.encapsulation()).isEqualTo(VxlanFrameDecoder.ENCAPSULATION_VXLAN);
            assertThat(decoder.vni()).isEqualTo(AWS_VNI);
            assertThat(decoder.vxlanFlags()).isEqualTo(0x08);
            assertThat(decoder.destinationPort()).isEqualTo(4789);
            assertThat(decoder.isTruncated()).isFalse();
        }
    }

    @Test
    void shouldFindExactlyTheInnerFrameTsharkShowsInsideEachPacket() throws IOException
    {
        Tshark.assumeAvailable();
        final List<Pcap.Packet> packets = Pcap.read(SharedCaptures.file(SharedCaptures.AWS_CAPTURE));
        final List<String[]> rows = Tshark.fields(SharedCaptures.file(SharedCaptures.AWS_CAPTURE), List.of(),
            "frame.number", "vxlan.vni", "ip.src", "ip.dst", "udp.srcport", "udp.dstport", "udp.payload");
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        assertThat(rows).hasSize(packets.size());
        for (final String[] row : rows)
        {
            final Pcap.Packet packet = packets.get(Integer.parseInt(row[0]) - 1);
            final ByteBuffer buffer = ByteBuffer.wrap(packet.data());
            assertThat(decoder.decodeFrame(buffer, 0, packet.data().length)).isEqualTo(ResultCode.OK);

            final byte[] udpPayload = Tshark.hex(Tshark.first(row[6]));
            final byte[] tsharkInner = Arrays.copyOfRange(udpPayload, VxlanHeaderDecoder.HEADER_LENGTH, udpPayload.length);
            final byte[] ourInner = Arrays.copyOfRange(
                packet.data(), decoder.innerOffset(), decoder.innerOffset() + decoder.innerLength());
            assertThat(ourInner).as("inner frame of packet %s", row[0]).isEqualTo(tsharkInner);
            assertThat(decoder.vni()).isEqualTo(Integer.parseInt(row[1]));
            assertThat(InetAddress.getByAddress(address(decoder, true)).getHostAddress()).isEqualTo(Tshark.first(row[2]));
            assertThat(InetAddress.getByAddress(address(decoder, false)).getHostAddress()).isEqualTo(Tshark.first(row[3]));
            assertThat(decoder.sourcePort()).isEqualTo(Integer.parseInt(Tshark.first(row[4])));
            assertThat(decoder.destinationPort()).isEqualTo(Integer.parseInt(Tshark.first(row[5])));
        }
    }

    @Test
    void shouldReproduceEveryCapturedFrameByteForByteFromItsInnerFrameWithAwsDefaults() throws IOException
    {
        final List<Pcap.Packet> packets = Pcap.read(SharedCaptures.file(SharedCaptures.AWS_CAPTURE));
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        for (final Pcap.Packet packet : packets)
        {
            final byte[] captured = packet.data();
            assertThat(decoder.decodeFrame(captured, 0, captured.length)).isEqualTo(ResultCode.OK);
            final OuterHeadersEncoder encoder = new OuterHeadersEncoder()
                .macAddresses(Arrays.copyOfRange(captured, 0, 6), Arrays.copyOfRange(captured, 6, 12))
                .ipv4Addresses(decoder.sourceIpv4(), decoder.destinationIpv4())
                .vni(decoder.vni())
                .sourcePort(decoder.sourcePort());

            // Headroom form: the inner frame alone, with room in front.
            final int innerLength = decoder.innerLength();
            final byte[] rebuilt = new byte[encoder.headerLength() + innerLength];
            System.arraycopy(captured, decoder.innerOffset(), rebuilt, encoder.headerLength(), innerLength);
            final int length = encoder.encodeInHeadroom(rebuilt, encoder.headerLength(), innerLength);

            assertThat(length).isEqualTo(captured.length);
            assertThat(rebuilt).as("packet %d", packet.number()).isEqualTo(captured);

            // Gathering form: headers apart, then the frame unchanged.
            final byte[] headers = new byte[encoder.headerLength()];
            final byte[] inner = Arrays.copyOfRange(captured, decoder.innerOffset(), captured.length);
            assertThat(encoder.encodeHeaders(headers, 0, inner, 0, inner.length)).isEqualTo(inner.length);
            assertThat(headers).isEqualTo(Arrays.copyOf(captured, headers.length));
        }
    }

    private static byte[] address(final VxlanFrameDecoder decoder, final boolean source)
    {
        final byte[] address = new byte[decoder.addressLength()];
        if (source)
        {
            decoder.copySourceAddress(address, 0);
        }
        else
        {
            decoder.copyDestinationAddress(address, 0);
        }
        return address;
    }
}
