package io.trafficmirror.vxlan;

import java.nio.ByteBuffer;

/** Builds inner Ethernet frames for flow-hash tests, field by field, independently of the code under test. */
final class Frames
{
    private Frames()
    {
    }

    /** Ethernet (with VLAN tags) + IPv4 + a transport header whose first 8 bytes are given. */
    static byte[] ipv4(
        final int[] vlanTypes,
        final int source,
        final int destination,
        final int protocol,
        final int fragmentField,
        final long transportFirst8)
    {
        final ByteBuffer b = ByteBuffer.allocate(14 + 4 * vlanTypes.length + 20 + 8 + 16);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1});
        for (final int type : vlanTypes)
        {
            b.putShort((short)type).putShort((short)100);
        }
        b.putShort((short)0x0800);
        b.put((byte)0x45).put((byte)0).putShort((short)(20 + 8 + 16)).putShort((short)7).putShort((short)fragmentField)
            .put((byte)64).put((byte)protocol).putShort((short)0).putInt(source).putInt(destination);
        b.putLong(transportFirst8);
        return b.array();
    }

    /** Ethernet + IPv6 (optionally behind a hop-by-hop header) + a transport header whose first 8 bytes are given. */
    static byte[] ipv6(
        final long[] source,
        final long[] destination,
        final int protocol,
        final boolean hopByHop,
        final long transportFirst8)
    {
        final int extension = hopByHop ? 8 : 0;
        final ByteBuffer b = ByteBuffer.allocate(14 + 40 + extension + 8 + 16);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short)0x86DD);
        b.putInt(6 << 28).putShort((short)(extension + 8 + 16)).put((byte)(hopByHop ? 0 : protocol)).put((byte)64);
        b.putLong(source[0]).putLong(source[1]).putLong(destination[0]).putLong(destination[1]);
        if (hopByHop)
        {
            b.put((byte)protocol).put((byte)0).put(new byte[] {1, 4, 0, 0, 0, 0});
        }
        b.putLong(transportFirst8);
        return b.array();
    }

    static long ports(final int source, final int destination, final int rest)
    {
        return ((long)(source & 0xFFFF) << 48) | ((long)(destination & 0xFFFF) << 32) | (rest & 0xFFFF_FFFFL);
    }

    /** ICMP echo: type, code 0, checksum 0, identifier, sequence. */
    static long echo(final int type, final int identifier, final int sequence)
    {
        return ((long)type << 56) | ((long)(identifier & 0xFFFF) << 16) | (sequence & 0xFFFF);
    }
}
