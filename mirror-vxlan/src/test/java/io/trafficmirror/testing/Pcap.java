package io.trafficmirror.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Classic pcap files of Ethernet frames, read and written here without the library under test, so that what the
 * tests compare does not depend on the code they check.
 */
public final class Pcap
{
    public static final int LINKTYPE_ETHERNET = 1;

    private static final int HEADER = 24;
    private static final int RECORD_HEADER = 16;

    /** One record: the file it came from, its 1-based number (as tshark counts), its bytes and original length. */
    public record Packet(String file, int number, byte[] data, int originalLength)
    {
    }

    private Pcap()
    {
    }

    /** Every record of an Ethernet pcap file, in file order; a file cut short or of another kind is an IOException. */
    public static List<Packet> read(final Path file) throws IOException
    {
        return read(file.getFileName().toString(), Files.readAllBytes(file));
    }

    /** As {@link #read(Path)}, from the bytes of a file. */
    public static List<Packet> read(final String name, final byte[] bytes) throws IOException
    {
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.remaining() < HEADER)
        {
            throw new IOException(name + ": " + in.remaining() + " bytes, shorter than a pcap header");
        }
        final int magic = in.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1)
        {
            in.order(ByteOrder.LITTLE_ENDIAN);
        }
        else if (magic != 0xA1B2C3D4 && magic != 0xA1B23C4D)
        {
            throw new IOException(name + ": not a classic pcap file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        final int linkType = in.getInt(20) & 0x0FFF_FFFF;
        if (linkType != LINKTYPE_ETHERNET)
        {
            throw new IOException(name + ": link type " + linkType + ", only Ethernet (1) is read");
        }
        final List<Packet> packets = new ArrayList<>();
        int position = HEADER;
        while (position < in.limit())
        {
            if (position + RECORD_HEADER > in.limit())
            {
                throw new IOException(name + ": record header cut short at offset " + position);
            }
            final int captured = in.getInt(position + 8);
            final int original = in.getInt(position + 12);
            if (captured < 0 || position + RECORD_HEADER + captured > in.limit())
            {
                throw new IOException(name + ": record at offset " + position + " runs past the end of the file");
            }
            final byte[] data = new byte[captured];
            in.get(position + RECORD_HEADER, data);
            packets.add(new Packet(name, packets.size() + 1, data, original));
            position += RECORD_HEADER + captured;
        }
        return packets;
    }

    /** The captured bytes of every record of an Ethernet pcap file, in file order. */
    public static List<byte[]> frames(final Path file) throws IOException
    {
        return read(file).stream().map(Packet::data).toList();
    }

    /** Writes the frames as a little-endian, microsecond pcap file with a 65535-byte snap length. */
    public static void write(final Path file, final List<byte[]> frames) throws IOException
    {
        write(file, frames, 65_535);
    }

    /** Writes the frames whole, one second apart, as a little-endian, microsecond pcap file. */
    public static void write(final Path file, final List<byte[]> frames, final int snapLength) throws IOException
    {
        int size = HEADER;
        for (final byte[] frame : frames)
        {
            size += RECORD_HEADER + frame.length;
        }
        final ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0xA1B2C3D4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(snapLength)
            .putInt(LINKTYPE_ETHERNET);
        int seconds = 1_600_000_000;
        for (final byte[] frame : frames)
        {
            out.putInt(seconds++).putInt(0).putInt(frame.length).putInt(frame.length).put(frame);
        }
        Files.write(file, out.array());
    }
}
