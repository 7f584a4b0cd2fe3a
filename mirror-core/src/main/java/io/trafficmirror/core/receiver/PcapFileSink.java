package io.trafficmirror.core.receiver;

import io.trafficmirror.core.capture.TimestampResolution;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Every frame, whatever its VNI, into one pcap file (or one rotating series). */
final class PcapFileSink implements FrameSink
{
    private final RotatingPcapFile file;

    PcapFileSink(final Path file, final long rotateBytes, final TimestampResolution resolution)
    {
        final Path absolute = file.toAbsolutePath();
        final String name = absolute.getFileName().toString();
        final String stem = name.endsWith(".pcap") ? name.substring(0, name.length() - ".pcap".length()) : name;
        this.file = new RotatingPcapFile(absolute.getParent(), stem, rotateBytes, resolution);
    }

    @Override
    public int accept(final int vni, final InetSocketAddress sender, final long epochNanos, final ByteBuffer buffer,
        final int offset, final int length) throws IOException
    {
        file.write(epochNanos, buffer, offset, length);
        return ACCEPTED;
    }

    @Override
    public void flush() throws IOException
    {
        file.flush();
    }

    @Override
    public void close() throws IOException
    {
        file.close();
    }
}
