package io.trafficmirror.examples.cli.interop;

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
final class ClassicPcap
{
    private static final int ETHERNET = 1;
    private static final int HEADER = 24;
    private static final int RECORD_HEADER = 16;

    private ClassicPcap()
    {
    }

    /** The captured bytes of every record of an Ethernet pcap file, in file order. */
    static List<byte[]> frames(final Path file) throws IOException
    {
        final ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        if (in.remaining() < HEADER)
        {
            throw new IOException(file + ": " + in.remaining() + " bytes, shorter than a pcap header");
        }
        final int magic = in.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1)
        {
            in.order(ByteOrder.LITTLE_ENDIAN);
        }
        else if (magic != 0xA1B2C3D4 && magic != 0xA1B23C4D)
        {
            throw new IOException(file + ": not a classic pcap file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        final int linkType = in.getInt(20) & 0x0FFF_FFFF;
        if (linkType != ETHERNET)
        {
            throw new IOException(file + ": link type " + linkType + ", not Ethernet");
        }
        final List<byte[]> frames = new ArrayList<>();
        int position = HEADER;
        while (position < in.limit())
        {
            if (position + RECORD_HEADER > in.limit())
            {
                throw new IOException(file + ": record header cut short at offset " + position);
            }
            final int captured = in.getInt(position + 8);
            if (captured < 0 || position + RECORD_HEADER + captured > in.limit())
            {
                throw new IOException(file + ": record at offset " + position + " runs past the end of the file");
            }
            final byte[] frame = new byte[captured];
            in.get(position + RECORD_HEADER, frame);
            frames.add(frame);
            position += RECORD_HEADER + captured;
        }
        return frames;
    }

    /** Writes the frames as a little-endian, microsecond pcap file, one second apart. */
    static void write(final Path file, final List<byte[]> frames) throws IOException
    {
        int size = HEADER;
        for (final byte[] frame : frames)
        {
            size += RECORD_HEADER + frame.length;
        }
        final ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0xA1B2C3D4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(65_535).putInt(ETHERNET);
        int seconds = 1_600_000_000;
        for (final byte[] frame : frames)
        {
            out.putInt(seconds++).putInt(0).putInt(frame.length).putInt(frame.length).put(frame);
        }
        Files.write(file, out.array());
    }
}
