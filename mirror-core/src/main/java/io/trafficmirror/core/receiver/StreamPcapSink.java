package io.trafficmirror.core.receiver;

import io.trafficmirror.core.capture.LinkType;
import io.trafficmirror.core.capture.PcapWriter;
import io.trafficmirror.core.capture.TimestampResolution;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;

/**
 * Every frame into one pcap stream, such as standard output piped to an analyzer: the header goes out when the
 * sink is made, so that the reader can start at once, and records as the writer thread flushes them (at most
 * {@value MirrorReceiver#FLUSH_INTERVAL_MILLIS} ms after they were taken). A stream cannot be cut back or reopened:
 * when a write fails (the reader went away: a broken pipe), the frame and what was buffered are counted as write
 * drops and the failure is thrown as a {@link StreamClosedException}, which ends the loop with
 * {@link StopReason#OUTPUT_CLOSED}. Writer thread only.
 */
final class StreamPcapSink implements FrameSink
{
    private final PcapWriter writer;
    private final LiveCounters counters;
    private final String name;

    /**
     * @param channel a blocking channel; closed with the sink.
     * @param name what to call the stream in messages, e.g. "standard output".
     * @throws FileSystemException naming the stream and why, when the header cannot be written.
     */
    StreamPcapSink(final WritableByteChannel channel, final String name, final TimestampResolution resolution,
        final LiveCounters counters) throws IOException
    {
        this.writer = PcapWriter.over(new Stream(channel), LinkType.ETHERNET, resolution,
            PcapWriter.DEFAULT_SNAP_LENGTH);
        this.counters = counters;
        this.name = name;
        try
        {
            writer.flush();
        }
        catch (final IOException e)
        {
            final FileSystemException failure = new FileSystemException(name, null, reason(e));
            failure.initCause(e);
            throw failure;
        }
    }

    /**
     * The channel as a plain stream, even when it is a file channel over a pipe (standard output's is one): a stream
     * has no position to take and cannot be cut back after a failed write.
     */
    private static final class Stream implements WritableByteChannel
    {
        private final WritableByteChannel channel;

        Stream(final WritableByteChannel channel)
        {
            this.channel = channel;
        }

        @Override
        public int write(final ByteBuffer source) throws IOException
        {
            return channel.write(source);
        }

        @Override
        public boolean isOpen()
        {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }

    @Override
    public int accept(final int vni, final InetSocketAddress sender, final long epochNanos, final ByteBuffer buffer,
        final int offset, final int length) throws IOException
    {
        final long records = writer.recordsWritten();
        final long bytes = writer.bytesWritten();
        try
        {
            writer.write(epochNanos, buffer, offset, length);
            return ACCEPTED;
        }
        catch (final IOException e)
        {
            counters.writeFailed(1, length);
            throw lost(records, bytes, e);
        }
    }

    @Override
    public void flush() throws IOException
    {
        final long records = writer.recordsWritten();
        final long bytes = writer.bytesWritten();
        try
        {
            writer.flush();
        }
        catch (final IOException e)
        {
            throw lost(records, bytes, e);
        }
    }

    @Override
    public void close() throws IOException
    {
        final long records = writer.recordsWritten();
        final long bytes = writer.bytesWritten();
        try
        {
            writer.close();
        }
        catch (final IOException e)
        {
            throw lost(records, bytes, e);
        }
    }

    /** Counts the buffered records a failed write took with it (the writer's counts are back to what went out). */
    private StreamClosedException lost(final long records, final long bytes, final IOException e)
    {
        final long lostRecords = records - writer.recordsWritten();
        final long lostBytes = bytes - writer.bytesWritten() - lostRecords * PcapWriter.RECORD_HEADER_LENGTH;
        counters.writeFailed(lostRecords, lostBytes);
        return closed(e);
    }

    private StreamClosedException closed(final IOException e)
    {
        final StreamClosedException closed = new StreamClosedException(name + " closed (" + reason(e) + ")");
        closed.initCause(e);
        return closed;
    }

    /** The system's reason in words, lower case: "broken pipe". */
    private static String reason(final IOException e)
    {
        final String reason = e.getMessage() == null || e.getMessage().isEmpty() ? e.getClass().getSimpleName()
            : e.getMessage();
        return Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }
}
