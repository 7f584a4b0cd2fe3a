package io.trafficmirror.core.receiver;

import io.trafficmirror.core.capture.TimestampResolution;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/** Every frame, whatever its VNI, into one pcap file (or one rotating series), created when the sink is made. */
final class PcapFileSink implements FrameSink
{
    private final RotatingPcapFile file;

    /**
     * @throws FileSystemException naming the file and why, when it cannot be created.
     */
    PcapFileSink(final Path file, final long rotateBytes, final long rotateNanos, final TimestampResolution resolution,
        final LiveCounters counters, final long epochNanos) throws FileSystemException
    {
        this.file = new RotatingPcapFile(file.toAbsolutePath(), rotateBytes, rotateNanos, resolution, counters);
        this.file.create(epochNanos);
    }

    @Override
    public int accept(final int vni, final InetSocketAddress sender, final long epochNanos, final ByteBuffer buffer,
        final int offset, final int length) throws IOException
    {
        return file.write(epochNanos, buffer, offset, length);
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
