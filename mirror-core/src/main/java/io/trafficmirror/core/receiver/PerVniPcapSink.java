package io.trafficmirror.core.receiver;

import io.trafficmirror.core.capture.TimestampResolution;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One pcap file per VNI in a directory, {@code vni-<N>.pcap} (or a rotating {@code vni-<N>-<seq>.pcap} series),
 * so that traffic from different mirror sessions, whose inner addresses may overlap, stays apart. A file is
 * opened at its VNI's first frame; past {@code maxFiles} VNIs, frames of new VNIs are refused rather than opening
 * files without end.
 */
final class PerVniPcapSink implements FrameSink
{
    private final Path directory;
    private final long rotateBytes;
    private final TimestampResolution resolution;
    private final int maxFiles;
    private final VniTable<RotatingPcapFile> files = new VniTable<>();

    PerVniPcapSink(final Path directory, final long rotateBytes, final TimestampResolution resolution,
        final int maxFiles)
    {
        this.directory = directory;
        this.rotateBytes = rotateBytes;
        this.resolution = resolution;
        this.maxFiles = maxFiles;
    }

    @Override
    public int accept(final int vni, final InetSocketAddress sender, final long epochNanos, final ByteBuffer buffer,
        final int offset, final int length) throws IOException
    {
        RotatingPcapFile file = files.get(vni);
        if (file == null)
        {
            if (files.size() >= maxFiles)
            {
                return REFUSED_VNI;
            }
            file = new RotatingPcapFile(directory, "vni-" + vni, rotateBytes, resolution);
            files.put(vni, file);
        }
        file.write(epochNanos, buffer, offset, length);
        return ACCEPTED;
    }

    @Override
    public void flush() throws IOException
    {
        for (int slot = 0; slot < files.capacity(); slot++)
        {
            final RotatingPcapFile file = files.valueAt(slot);
            if (file != null)
            {
                file.flush();
            }
        }
    }

    @Override
    public void close() throws IOException
    {
        IOException first = null;
        for (int slot = 0; slot < files.capacity(); slot++)
        {
            final RotatingPcapFile file = files.valueAt(slot);
            if (file != null)
            {
                try
                {
                    file.close();
                }
                catch (final IOException e)
                {
                    if (first == null)
                    {
                        first = e;
                    }
                    else
                    {
                        first.addSuppressed(e);
                    }
                }
            }
        }
        if (first != null)
        {
            throw first;
        }
    }
}
