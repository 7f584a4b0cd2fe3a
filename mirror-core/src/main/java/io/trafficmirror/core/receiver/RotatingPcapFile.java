package io.trafficmirror.core.receiver;

import io.trafficmirror.core.capture.LinkType;
import io.trafficmirror.core.capture.PcapWriter;
import io.trafficmirror.core.capture.TimestampResolution;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One pcap file, or, with a byte limit, a series of them: {@code <stem>-000000.pcap}, {@code <stem>-000001.pcap},
 * ..., a new one started before a record would take the current one past the limit. A file holds at least one
 * record, so a single frame larger than the limit still gets written. Files are opened at the first frame and
 * existing ones are replaced.
 */
final class RotatingPcapFile
{
    private final Path directory;
    private final String stem;
    private final long rotateBytes;
    private final TimestampResolution resolution;
    private PcapWriter writer;
    private int sequence;

    /**
     * @param directory where the files go.
     * @param stem the file name without {@code .pcap}.
     * @param rotateBytes 0 for one file named {@code <stem>.pcap}; otherwise the size limit of each file.
     */
    RotatingPcapFile(final Path directory, final String stem, final long rotateBytes,
        final TimestampResolution resolution)
    {
        this.directory = directory;
        this.stem = stem;
        this.rotateBytes = rotateBytes;
        this.resolution = resolution;
    }

    void write(final long epochNanos, final ByteBuffer buffer, final int offset, final int length) throws IOException
    {
        if (writer == null)
        {
            writer = PcapWriter.create(currentPath(), LinkType.ETHERNET, resolution);
        }
        else if (rotateBytes > 0 && writer.recordsWritten() > 0
            && writer.bytesWritten() + PcapWriter.RECORD_HEADER_LENGTH + length > rotateBytes)
        {
            writer.close();
            writer = null;
            sequence++;
            writer = PcapWriter.create(currentPath(), LinkType.ETHERNET, resolution);
        }
        writer.write(epochNanos, buffer, offset, length);
    }

    /** The file being written (or to be written next). */
    Path currentPath()
    {
        return directory.resolve(rotateBytes > 0 ? String.format("%s-%06d.pcap", stem, sequence) : stem + ".pcap");
    }

    void flush() throws IOException
    {
        if (writer != null)
        {
            writer.flush();
        }
    }

    void close() throws IOException
    {
        if (writer != null)
        {
            writer.close();
        }
    }
}
