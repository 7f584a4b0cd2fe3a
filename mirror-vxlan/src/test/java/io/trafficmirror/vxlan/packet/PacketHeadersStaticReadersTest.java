package io.trafficmirror.vxlan.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The static readers walk as the parse methods do: over frames with random VLAN stacks and random IPv6
 * extension header chains (cut, too long, too many, fragments), both find the same headers and say the same.
 */
class PacketHeadersStaticReadersTest
{
    private static final int[] EXTENSIONS = {
        PacketHeaders.PROTOCOL_HOP_BY_HOP, PacketHeaders.PROTOCOL_ROUTING, PacketHeaders.PROTOCOL_FRAGMENT,
        PacketHeaders.PROTOCOL_AUTHENTICATION_HEADER, PacketHeaders.PROTOCOL_DESTINATION_OPTIONS};

    private final PacketHeaders headers = new PacketHeaders();

    @Test
    void shouldSkipTheSameVlanTagsAsTheParse()
    {
        final SplittableRandom random = new SplittableRandom(8021);
        for (int i = 0; i < 5_000; i++)
        {
            final int tags = random.nextInt(PacketHeaders.MAX_VLAN_TAGS + 4);
            final ByteBuffer b = ByteBuffer.allocate(14 + 4 * tags + 20);
            b.put(new byte[12]);
            for (int t = 0; t < tags; t++)
            {
                b.putShort((short)(random.nextBoolean() ? PacketHeaders.ETHERTYPE_VLAN : PacketHeaders.ETHERTYPE_QINQ))
                    .putShort((short)random.nextInt());
            }
            b.putShort((short)PacketHeaders.ETHERTYPE_ARP);
            final int length = 14 + random.nextInt(b.capacity() - 13);
            final ByteBuffer frame = ByteBuffer.wrap(Arrays.copyOf(b.array(), length));

            final int result = headers.parseEthernet(frame, 0, length);
            final int index = PacketHeaders.etherTypeIndex(frame, 0, length);

            assertThat(frame.getShort(index) & 0xFFFF).isEqualTo(headers.etherType());
            assertThat(PacketHeaders.vlanTagsSkipped(0, index)).isEqualTo(headers.vlanTagCount());
            assertThat(result == ParseResult.TOO_MANY_VLAN_TAGS)
                .isEqualTo(PacketHeaders.vlanTagsSkipped(0, index) == PacketHeaders.MAX_VLAN_TAGS
                    && headers.etherType() != PacketHeaders.ETHERTYPE_ARP);
        }
    }

    @Test
    void shouldWalkIpv6ExtensionHeadersAsTheParse()
    {
        final SplittableRandom random = new SplittableRandom(8200);
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] packet = randomIpv6(random);
            final int length = random.nextInt(4) == 0 ? 40 + random.nextInt(packet.length - 39) : packet.length;
            final ByteBuffer buffer = ByteBuffer.allocateDirect(length + 5).put(5, packet, 0, length);

            final int result = headers.parseIp(buffer, 5, length);
            final long walk = PacketHeaders.walkIpv6(buffer, 5, 5 + length);
            final int walked = PacketHeaders.walkResult(walk);

            assertThat(walked).as("packet %s", Arrays.toString(packet))
                .isEqualTo(result == ParseResult.TRUNCATED_TRANSPORT ? ParseResult.OK : result);
            assertThat(PacketHeaders.ipDeclaredEnd(buffer, 5, 5 + length, 6))
                .isEqualTo(5L + headers.ipDeclaredLength());
            if (walked == ParseResult.OK)
            {
                assertThat(PacketHeaders.walkProtocol(walk)).isEqualTo(headers.protocol());
                assertThat(PacketHeaders.walkLaterFragment(walk)).isEqualTo(headers.fragmentOffset() != 0);
                assertThat(PacketHeaders.walkMoreFragments(walk)).isEqualTo(headers.moreFragments());
                if (!PacketHeaders.walkLaterFragment(walk) && headers.transportOffset() >= 0)
                {
                    assertThat(PacketHeaders.walkOffset(walk)).isEqualTo(headers.transportOffset());
                }
            }
        }
    }

    private static byte[] randomIpv6(final SplittableRandom random)
    {
        final byte[] chain = new byte[400];
        int length = 0;
        int first = PacketHeaders.PROTOCOL_UDP;
        int nextAt = -1;
        for (int n = random.nextInt(PacketHeaders.MAX_IPV6_EXTENSION_HEADERS + 3); n > 0; n--)
        {
            final int type = EXTENSIONS[random.nextInt(EXTENSIONS.length)];
            if (nextAt < 0)
            {
                first = type;
            }
            else
            {
                chain[nextAt] = (byte)type;
            }
            nextAt = length;
            final int units = random.nextInt(3);
            if (type == PacketHeaders.PROTOCOL_FRAGMENT)
            {
                chain[length + 2] = (byte)(random.nextInt(3) == 0 ? random.nextInt(256) : 0);
                chain[length + 3] = (byte)random.nextInt(256);
                length += 8;
            }
            else
            {
                chain[length + 1] = (byte)units;
                length += type == PacketHeaders.PROTOCOL_AUTHENTICATION_HEADER ? (units + 2) * 4 : (units + 1) * 8;
            }
        }
        final int[] uppers = {PacketHeaders.PROTOCOL_UDP, PacketHeaders.PROTOCOL_TCP, PacketHeaders.PROTOCOL_ESP};
        if (nextAt >= 0)
        {
            chain[nextAt] = (byte)uppers[random.nextInt(uppers.length)];
        }
        final int transport = random.nextInt(12);
        final int payload = length + transport;
        final int field = random.nextInt(5) == 0 ? random.nextInt(payload + 20) : payload;
        final ByteBuffer b = ByteBuffer.allocate(40 + payload);
        b.putInt(6 << 28).putShort((short)field).put((byte)first).put((byte)64).put(new byte[32]);
        return b.put(chain, 0, length).array();
    }
}
