package io.trafficmirror.vxlan;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Minimal reader and writer of classic pcap files (Ethernet link type), for interop tests. */
final class Pcap
{
    static final int LINKTYPE_ETHERNET = 1;

    record Packet(int number, byte[] data, int originalLength)
    {
    }

    private Pcap()
    {
    }

    static List<Packet> read(final Path file) throws IOException
    {
        final ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        final int magic = in.order(ByteOrder.BIG_ENDIAN).getInt(0);
        switch (magic)
        {
            case 0xA1B2C3D4, 0xA1B23C4D -> in.order(ByteOrder.BIG_ENDIAN);
            case 0xD4C3B2A1, 0x4D3CB2A1 -> in.order(ByteOrder.LITTLE_ENDIAN);
            default -> throw new IOException(file + ": not a classic pcap file, magic " + Integer.toHexString(magic));
        }
        final int linkType = in.getInt(20) & 0x0FFF_FFFF;
        if (linkType != LINKTYPE_ETHERNET)
        {
            throw new IOException(file + ": link type " + linkType + ", expected Ethernet");
        }
        final List<Packet> packets = new ArrayList<>();
        int position = 24;
        while (position + 16 <= in.limit())
        {
            final int captured = in.getInt(position + 8);
            final int original = in.getInt(position + 12);
            final byte[] data = new byte[captured];
            in.get(position + 16, data);
            packets.add(new Packet(packets.size() + 1, data, original));
            position += 16 + captured;
        }
        return packets;
    }

    static void write(final Path file, final List<byte[]> frames) throws IOException
    {
        int size = 24;
        for (final byte[] frame : frames)
        {
            size += 16 + frame.length;
        }
        final ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0xA1B2C3D4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(262144)
            .putInt(LINKTYPE_ETHERNET);
        int second = 1_700_000_000;
        for (final byte[] frame : frames)
        {
            out.putInt(second++).putInt(0).putInt(frame.length).putInt(frame.length).put(frame);
        }
        Files.write(file, out.array());
    }
}
