package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.vxlan.packet.PacketHeaders;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The decoder reads the outer Ethernet, VLAN and IP headers with the project's header walker: its caps, its
 * reading of a zero IP length and its fragment fields decide, and the UDP and tunnel checks go on from there.
 */
class VxlanFrameDecoderWalkerTest
{
    private static final int VNI = 4242;
    private static final int IP = PacketHeaders.ETHERNET_HEADER_LENGTH;

    private final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

    @Test
    void shouldDecodeThroughAsManyVlanTagsAsTheWalkerReadsAndNoMore()
    {
        final byte[] packet = encode("192.0.2.1", "192.0.2.2");
        final byte[] most = withVlanTags(packet, PacketHeaders.MAX_VLAN_TAGS);
        final byte[] tooMany = withVlanTags(packet, PacketHeaders.MAX_VLAN_TAGS + 1);

        assertThat(decoder.decodeFrame(most, 0, most.length)).isEqualTo(ResultCode.OK);
        assertThat(decoder.vni()).isEqualTo(VNI);
        final int tags = PacketHeaders.VLAN_TAG_LENGTH * PacketHeaders.MAX_VLAN_TAGS;
        assertThat(decoder.innerOffset()).isEqualTo(OuterHeadersEncoder.HEADER_LENGTH_IPV4 + tags);
        assertThat(decoder.decodeFrame(tooMany, 0, tooMany.length)).isEqualTo(ResultCode.TOO_MANY_HEADERS);
    }

    @Test
    void shouldReadAZeroIpv4TotalLengthAsTheCapturedBytesAsTsharkDoes()
    {
        // A capture of a segmentation-offloaded packet: tshark decodes VXLAN in it ("may be caused by TSO").
        final byte[] packet = encode("192.0.2.1", "192.0.2.2");
        ByteBuffer.wrap(packet).putShort(IP + PacketHeaders.IPV4_TOTAL_LENGTH_OFFSET, (short)0);

        assertThat(decoder.decodeFrame(packet, 0, packet.length)).isEqualTo(ResultCode.OK);
        assertThat(decoder.vni()).isEqualTo(VNI);
        assertThat(decoder.innerLength()).isEqualTo(packet.length - OuterHeadersEncoder.HEADER_LENGTH_IPV4);
        assertThat(decoder.isTruncated()).isFalse();
    }

    @Test
    void shouldReadAZeroIpv6PayloadLengthAsTheCapturedBytesAsTheFilterDoes()
    {
        final byte[] packet = encode("2001:db8::1", "2001:db8::2");
        ByteBuffer.wrap(packet).putShort(IP + PacketHeaders.IPV6_PAYLOAD_LENGTH_OFFSET, (short)0);

        assertThat(decoder.decodeFrame(packet, 0, packet.length)).isEqualTo(ResultCode.OK);
        assertThat(decoder.innerLength()).isEqualTo(packet.length - OuterHeadersEncoder.HEADER_LENGTH_IPV6);
    }

    @Test
    void shouldDecodeAnAtomicIpv6FragmentAndRefuseRealFragments()
    {
        final byte[] packet = encode("2001:db8::1", "2001:db8::2");

        final byte[] atomic = withFragmentHeader(packet, 0);
        assertThat(decoder.decodeFrame(atomic, 0, atomic.length)).isEqualTo(ResultCode.OK);
        assertThat(decoder.innerOffset()).isEqualTo(OuterHeadersEncoder.HEADER_LENGTH_IPV6 + 8);
        assertThat(decoder.sourcePort()).isEqualTo(FlowHash.sourcePort(innerFrame(), 0, innerFrame().length));

        final byte[] first = withFragmentHeader(packet, PacketHeaders.FRAGMENT_MORE_FRAGMENTS);
        assertThat(decoder.decodeFrame(first, 0, first.length)).isEqualTo(ResultCode.IP_FRAGMENT);
        final byte[] later = withFragmentHeader(packet, 1448);
        assertThat(decoder.decodeFrame(later, 0, later.length)).isEqualTo(ResultCode.IP_FRAGMENT);
    }

    @Test
    void shouldCallAnExtensionHeaderBeyondThePayloadLengthABadHeaderWhenTheCaptureHoldsItAll()
    {
        final byte[] fragmented = withFragmentHeader(encode("2001:db8::1", "2001:db8::2"), 0);
        final int insideTheFragmentHeader = IP + PacketHeaders.IPV6_HEADER_LENGTH + 4;
        assertThat(decoder.decodeFrame(fragmented, 0, insideTheFragmentHeader)).isEqualTo(ResultCode.TOO_SHORT);

        // The payload length now ends inside the fragment header, though every byte was captured.
        ByteBuffer.wrap(fragmented).putShort(IP + PacketHeaders.IPV6_PAYLOAD_LENGTH_OFFSET, (short)4);
        assertThat(decoder.decodeFrame(fragmented, 0, fragmented.length)).isEqualTo(ResultCode.BAD_IP_HEADER);
    }

    private static byte[] innerFrame()
    {
        final byte[] frame = new byte[60];
        for (int i = 0; i < frame.length; i++)
        {
            frame[i] = (byte)(i * 7);
        }
        return frame;
    }

    private static byte[] encode(final String source, final String target)
    {
        try
        {
            final OuterHeadersEncoder encoder = new OuterHeadersEncoder()
                .addresses(InetAddress.getByName(source), InetAddress.getByName(target)).vni(VNI);
            final byte[] inner = innerFrame();
            final byte[] packet = new byte[encoder.headerLength() + inner.length];
            System.arraycopy(inner, 0, packet, encoder.headerLength(), inner.length);
            assertThat(encoder.encodeInHeadroom(packet, encoder.headerLength(), inner.length)).isEqualTo(packet.length);
            return packet;
        }
        catch (final UnknownHostException e)
        {
            throw new AssertionError(e);
        }
    }

    /** The packet with {@code count} 802.1Q tags between the MAC addresses and the EtherType. */
    private static byte[] withVlanTags(final byte[] packet, final int count)
    {
        final ByteBuffer b = ByteBuffer.allocate(packet.length + 4 * count);
        b.put(packet, 0, PacketHeaders.ETHERNET_TYPE_OFFSET);
        for (int i = 0; i < count; i++)
        {
            b.putShort((short)PacketHeaders.ETHERTYPE_VLAN).putShort((short)(10 + i));
        }
        final int type = PacketHeaders.ETHERNET_TYPE_OFFSET;
        return b.put(packet, type, packet.length - type).array();
    }

    /** The IPv6 packet with a fragment header (offset and flags as given) in front of its UDP header. */
    private static byte[] withFragmentHeader(final byte[] packet, final int offsetAndFlags)
    {
        final int udp = IP + PacketHeaders.IPV6_HEADER_LENGTH;
        final ByteBuffer b = ByteBuffer.allocate(packet.length + PacketHeaders.FRAGMENT_HEADER_LENGTH);
        b.put(packet, 0, udp);
        b.put((byte)PacketHeaders.PROTOCOL_UDP).put((byte)0).putShort((short)offsetAndFlags).putInt(0x1234_5678);
        b.put(Arrays.copyOfRange(packet, udp, packet.length));
        final int payloadLength = packet.length - udp + PacketHeaders.FRAGMENT_HEADER_LENGTH;
        b.putShort(IP + PacketHeaders.IPV6_PAYLOAD_LENGTH_OFFSET, (short)payloadLength);
        b.put(IP + PacketHeaders.IPV6_NEXT_HEADER_OFFSET, (byte)PacketHeaders.PROTOCOL_FRAGMENT);
        return b.array();
    }
}
