package io.trafficmirror.filter.packet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Test-only reader and writer of classic libpcap files (24-byte file header, 16-byte record headers). */
public final class PcapFile
{
    public static final int LINKTYPE_ETHERNET = 1;

    /** One record: its captured bytes and the frame's original length on the wire. */
    public record Frame(String source, int index, byte[] bytes, int originalLength)
    {
    }

    private PcapFile()
    {
    }

    /** @return the shared data directory the build passes to tests. */
    public static Path sharedDir()
    {
        final String dir = System.getProperty("trafficmirror.shared.dir");
        return Path.of(dir != null ? dir : "../../shared");
    }

    /** @return every {@code *.pcap} in the shared VXLAN capture directory, sorted by name. */
    public static List<Path> sharedVxlanCaptures() throws IOException
    {
        try (Stream<Path> files = Files.list(sharedDir().resolve("data/vxlan")))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".pcap")).sorted().toList();
        }
    }

    public static List<Frame> read(final Path file) throws IOException
    {
        final ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        final int magic = in.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xA1B2C3D4 && magic != 0xA1B23C4D)
        {
            in.order(ByteOrder.BIG_ENDIAN);
        }
        final int linkType = in.getInt(20);
        if (linkType != LINKTYPE_ETHERNET)
        {
            throw new IOException(file + ": link type " + linkType + ", only Ethernet (1) is read");
        }
        final List<Frame> frames = new ArrayList<>();
        int position = 24;
        while (position + 16 <= in.limit())
        {
            final int captured = in.getInt(position + 8);
            final int original = in.getInt(position + 12);
            final byte[] bytes = new byte[captured];
            in.get(position + 16, bytes);
            frames.add(new Frame(file.getFileName().toString(), frames.size(), bytes, original));
            position += 16 + captured;
        }
        return frames;
    }

    public static void write(final Path file, final List<byte[]> frames, final int snapLength) throws IOException
    {
        int size = 24;
        for (final byte[] frame : frames)
        {
            size += 16 + frame.length;
        }
        final ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0xA1B2C3D4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(snapLength)
            .putInt(LINKTYPE_ETHERNET);
        int second = 0;
        for (final byte[] frame : frames)
        {
            out.putInt(++second).putInt(0).putInt(frame.length).putInt(frame.length).put(frame);
        }
        Files.write(file, out.array());
    }
}
