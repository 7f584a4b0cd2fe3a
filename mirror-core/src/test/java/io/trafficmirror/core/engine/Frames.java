package io.trafficmirror.core.engine;

import java.nio.ByteBuffer;

/**
 * Builds plain Ethernet II frames for tests, field by field from the RFCs, with no library code.
 */
final class Frames
{
    static final byte[] MAC_A = {0x02, 0, 0, 0, 0, 0x0a};
    static final byte[] MAC_B = {0x02, 0, 0, 0, 0, 0x0b};

    private Frames()
    {
    }

    /**
     * An IPv4 frame with a TCP (6) or UDP (17) header whose ports are given, padded with a payload to {@code length}.
     */
    static byte[] ipv4(final int protocol, final int sourceIp, final int destinationIp, final int sourcePort,
        final int destinationPort, final int length)
    {
        final int minimum = 14 + 20 + (protocol == 6 ? 20 : 8);
        final byte[] frame = new byte[Math.max(length, minimum)];
        final ByteBuffer b = ByteBuffer.wrap(frame);
        b.put(MAC_B).put(MAC_A).putShort((short)0x0800);
        b.put((byte)0x45).put((byte)0).putShort((short)(frame.length - 14)).putShort((short)1).putShort((short)0)
            .put((byte)64).put((byte)protocol).putShort((short)0).putInt(sourceIp).putInt(destinationIp);
        b.putShort((short)sourcePort).putShort((short)destinationPort);
        if (protocol == 6)
        {
            b.putInt(1).putInt(0).put((byte)0x50).put((byte)0x18).putShort((short)512).putInt(0);
        }
        else
        {
            b.putShort((short)(frame.length - 34)).putShort((short)0);
        }
        for (int i = b.position(); i < frame.length; i++)
        {
            frame[i] = (byte)i;
        }
        return frame;
    }

    static int ip(final int a, final int b, final int c, final int d)
    {
        return a << 24 | b << 16 | c << 8 | d;
    }
}
