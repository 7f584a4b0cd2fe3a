package io.trafficmirror.core.receiver;

import io.trafficmirror.core.capture.LinkType;
import io.trafficmirror.core.capture.PcapWriter;
import io.trafficmirror.core.capture.TimestampResolution;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One pcap file, written at exactly the path given, or, with a byte limit, a series of them numbered from that
 * path: the sequence goes before the name's extension ({@code out.pcap} gives {@code out-000000.pcap},
 * {@code out-000001.pcap}, ...; a name without one gets it at its end), a new file started before a record would
 * take the current one past the limit. A file holds at least one record, so a single frame larger than the limit
 * still gets written. A file is replaced when first opened and taken up again for append when it is reopened
 * after {@link #suspend()}, so that it keeps one header.
 *
 * <p>Losses are counted here, on the writer's thread: a frame whose file cannot be opened is a file-open drop
 * ({@link FrameSink#OPEN_FAILED}, and the next frame tries again); when a write fails, the frame and the records
 * the file had buffered are write drops, the file is cut back to whole records and the failure is thrown, naming
 * the file.
 *
 * <p>With a period as well ({@code rotateNanos}), or instead, the name carries the start of the file's period in
 * UTC, before the size sequence if there is one: {@code out-20261202T031500Z.pcap}, or
 * {@code out-20261202T031500Z-000000.pcap}, {@code out-20261202T031500Z-000001.pcap}, ... with both limits, the
 * sequence starting again at each period. Periods are aligned to whole multiples of their length since 1970 UTC (an
 * hour starts on the hour), so names sort by time and no two periods share one. A frame whose timestamp is past the
 * current period closes the file and opens the file of that frame's period; a period without frames has no file,
 * and a file whose period has ended without traffic is closed by the next frame (or at the end), so rotation never
 * needs a timer and never splits a record.
 */
final class RotatingPcapFile
{
    private static final System.Logger LOGGER = System.getLogger("io.trafficmirror.core.receiver");
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** UTC, to the second, sortable: 20261202T031500Z. */
    private static final DateTimeFormatter PERIOD_FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'",
        Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Path path;
    private final long rotateBytes;
    private final long rotateNanos;
    private final TimestampResolution resolution;
    private final LiveCounters counters;
    private PcapWriter writer;
    private int sequence;
    /** With time rotation: the current period, or {@code Long.MIN_VALUE} before the first. */
    private long periodStart = Long.MIN_VALUE;
    /** The current file exists with its header: opening it again appends. */
    private boolean started;
    private IOException openFailure;

    /**
     * @param path the file, or with rotation the name the numbered files are made from.
     * @param rotateBytes 0 for no size limit; otherwise the size limit of each file.
     * @param rotateNanos 0 for no period; otherwise the length of each file's period.
     * @param counters where losses are counted.
     */
    RotatingPcapFile(final Path path, final long rotateBytes, final long rotateNanos,
        final TimestampResolution resolution, final LiveCounters counters)
    {
        this.path = path;
        this.rotateBytes = rotateBytes;
        this.rotateNanos = rotateNanos;
        this.resolution = resolution;
        this.counters = counters;
    }

    /**
     * Creates the current file now, its header on disk, so that a capture without traffic is a valid file and a
     * place that cannot be written is known at once.
     *
     * @param epochNanos now: with time rotation, the file is the one of this instant's period.
     * @throws FileSystemException naming the file and why it cannot be written.
     */
    void create(final long epochNanos) throws FileSystemException
    {
        if (rotateNanos > 0)
        {
            periodStart = periodOf(epochNanos);
        }
        if (!open())
        {
            throw failure(currentPath(), openFailure);
        }
    }

    /**
     * Appends a frame, opening (or rotating) the file first if need be.
     *
     * @return {@link FrameSink#ACCEPTED}, or {@link FrameSink#OPEN_FAILED} when the file could not be opened (counted).
     * @throws FileSystemException when writing failed (counted, with the records lost with it).
     */
    int write(final long epochNanos, final ByteBuffer buffer, final int offset, final int length)
        throws FileSystemException
    {
        if (rotateNanos > 0 && (periodStart == Long.MIN_VALUE || epochNanos - periodStart >= rotateNanos))
        {
            try
            {
                suspend();
            }
            catch (final FileSystemException e)
            {
                counters.writeFailed(1, length);
                throw e;
            }
            periodStart = periodOf(epochNanos);
            sequence = 0;
            started = false;
        }
        if (writer == null && !openFor(length))
        {
            return FrameSink.OPEN_FAILED;
        }
        if (rotateBytes > 0 && writer.bytesWritten() > PcapWriter.FILE_HEADER_LENGTH
            && writer.bytesWritten() + PcapWriter.RECORD_HEADER_LENGTH + length > rotateBytes)
        {
            try
            {
                suspend();
            }
            catch (final FileSystemException e)
            {
                counters.writeFailed(1, length);
                throw e;
            }
            sequence++;
            started = false;
            if (!openFor(length))
            {
                return FrameSink.OPEN_FAILED;
            }
        }
        final long records = writer.recordsWritten();
        final long bytes = writer.bytesWritten();
        try
        {
            writer.write(epochNanos, buffer, offset, length);
            return FrameSink.ACCEPTED;
        }
        catch (final IOException e)
        {
            counters.writeFailed(1, length);
            throw lost(writer, records, bytes, e);
        }
    }

    /** Opens the current file for a frame of {@code length} bytes, or counts the frame when it cannot. */
    private boolean openFor(final int length) throws FileSystemException
    {
        final boolean failing = openFailure != null;
        try
        {
            if (open())
            {
                return true;
            }
        }
        catch (final FileSystemException e)
        {
            counters.writeFailed(1, length);
            throw e;
        }
        if (!failing)
        {
            LOGGER.log(System.Logger.Level.WARNING, "receiver: cannot open " + currentPath() + ": "
                + reason(openFailure) + "; its frames are dropped and counted (file open failed) until it opens");
        }
        counters.fileOpenFailed(length);
        return false;
    }

    /** Whether a file is open now. */
    boolean isOpen()
    {
        return writer != null;
    }

    /** Why the last open failed, or null. */
    IOException openFailure()
    {
        return openFailure;
    }

    /** The file being written (or to be written next). */
    Path currentPath()
    {
        if (rotateBytes == 0 && rotateNanos == 0)
        {
            return path;
        }
        final String name = path.getFileName().toString();
        final int dot = name.lastIndexOf('.');
        final StringBuilder numbered = new StringBuilder(name.length() + 24).append(dot > 0 ? name.substring(0, dot)
            : name);
        if (rotateNanos > 0)
        {
            numbered.append('-').append(PERIOD_FORMAT.format(Instant.ofEpochSecond(
                Math.floorDiv(Math.max(0, periodStart), NANOS_PER_SECOND))));
        }
        if (rotateBytes > 0)
        {
            numbered.append(String.format(Locale.ROOT, "-%06d", sequence));
        }
        if (dot > 0)
        {
            numbered.append(name, dot, name.length());
        }
        return path.resolveSibling(numbered.toString());
    }

    /** The start of the period holding {@code epochNanos}: periods are whole multiples of their length since 1970. */
    private long periodOf(final long epochNanos)
    {
        return Math.floorDiv(epochNanos, rotateNanos) * rotateNanos;
    }

    void flush() throws FileSystemException
    {
        if (writer != null)
        {
            final long records = writer.recordsWritten();
            final long bytes = writer.bytesWritten();
            try
            {
                writer.flush();
            }
            catch (final IOException e)
            {
                throw lost(writer, records, bytes, e);
            }
        }
    }

    /** Flushes and closes the file for now; the next frame reopens it for append. */
    void suspend() throws FileSystemException
    {
        if (writer != null)
        {
            final PcapWriter closing = writer;
            writer = null;
            final long records = closing.recordsWritten();
            final long bytes = closing.bytesWritten();
            try
            {
                closing.close();
            }
            catch (final IOException e)
            {
                throw lost(closing, records, bytes, e);
            }
        }
    }

    void close() throws FileSystemException
    {
        suspend();
    }

    /**
     * Opens the current file: a new one replaces what is there and gets its header on disk at once; one written
     * before is taken up for append.
     *
     * @return false when the file cannot be opened (kept in {@link #openFailure()}).
     * @throws FileSystemException when the new file's header cannot be written.
     */
    private boolean open() throws FileSystemException
    {
        final Path current = currentPath();
        try
        {
            writer = started ? PcapWriter.append(current, LinkType.ETHERNET, resolution)
                : PcapWriter.create(current, LinkType.ETHERNET, resolution);
        }
        catch (final IOException e)
        {
            openFailure = e;
            return false;
        }
        openFailure = null;
        if (!started)
        {
            try
            {
                writer.flush();
            }
            catch (final IOException e)
            {
                final PcapWriter failed = writer;
                writer = null;
                closeQuietly(failed, e);
                throw failure(current, e);
            }
            started = true;
        }
        return true;
    }

    /** Counts the records a failed write took with it, and says which file failed and why. */
    private FileSystemException lost(final PcapWriter failed, final long records, final long bytes,
        final IOException e)
    {
        final long lostRecords = records - failed.recordsWritten();
        final long lostBytes = bytes - failed.bytesWritten() - lostRecords * PcapWriter.RECORD_HEADER_LENGTH;
        counters.writeFailed(lostRecords, lostBytes);
        return failure(currentPath(), e);
    }

    private static void closeQuietly(final PcapWriter writer, final IOException into)
    {
        try
        {
            writer.close();
        }
        catch (final IOException e)
        {
            into.addSuppressed(e);
        }
    }

    /**
     * Checks, at start, that per-VNI files can be made in a directory.
     *
     * @throws FileSystemException naming the directory and why not.
     */
    static void checkWritableDirectory(final Path directory) throws FileSystemException
    {
        if (!Files.exists(directory))
        {
            throw new FileSystemException(directory.toString(), null, "no such directory");
        }
        if (!Files.isDirectory(directory))
        {
            throw new FileSystemException(directory.toString(), null, "not a directory");
        }
        try
        {
            directory.getFileSystem().provider().checkAccess(directory, AccessMode.WRITE, AccessMode.EXECUTE);
        }
        catch (final IOException e)
        {
            throw failure(directory, e);
        }
    }

    /** An I/O failure as one exception that names the file and says why in words: "no space left on device". */
    static FileSystemException failure(final Path file, final IOException e)
    {
        final FileSystemException failure = new FileSystemException(file.toString(), null, reason(e));
        failure.initCause(e);
        return failure;
    }

    private static String reason(final IOException e)
    {
        String reason = e instanceof FileSystemException ? ((FileSystemException)e).getReason() : e.getMessage();
        if (reason == null || reason.isEmpty())
        {
            reason = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "no such directory"
                : e instanceof NotDirectoryException ? "not a directory"
                : e.getClass().getSimpleName();
        }
        return Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }
}
