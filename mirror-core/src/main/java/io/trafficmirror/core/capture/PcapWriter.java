package io.trafficmirror.core.capture;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes a classic pcap file, record after record, through a {@value #BUFFER_CAPACITY}-byte buffer.
 *
 * <pre>
 *  global header (24 bytes, little-endian)      then per frame: record header (16 bytes) and the frame
 *  | magic | 2 | 4 | 0 | 0 | snap length | link type |   | seconds | fraction | captured | original | frame |
 * </pre>
 *
 * (The fields are laid out as in {@link CaptureReader}'s pcap diagram.) The file is little-endian, as libpcap
 * writes it on the machines this runs on; the magic number tells readers so. Records are copied into the
 * buffer and the buffer goes to the channel when full, on {@link #flush()} and on {@link #close()}: nothing is
 * allocated per record. A frame longer than the snap length is cut to it, as a capture would, and keeps its
 * original length.
 *
 * <p>Records go to the channel whole: a record that does not fit in the room left sends the buffer on first (only
 * a record larger than the whole buffer goes in pieces). When the channel fails (a full disk), a file's writer cuts
 * the file back to where the failed write began, so that it holds whole records only, and its counts
 * ({@link #recordsWritten()}, {@link #bytesWritten()}) drop back to what the file holds: the caller learns how many
 * records were lost. A channel that is not a file keeps what it took.
 *
 * <p>Not thread-safe: one writing thread (the engine's sender, or the receiver's loop).
 */
public final class PcapWriter implements Closeable, Flushable
{
    /** The snap length written unless another is given: libpcap's default, and the readers' limit. */
    public static final int DEFAULT_SNAP_LENGTH = CaptureReader.MAX_CAPTURED_LENGTH;
    /** Length of the file header. */
    public static final int FILE_HEADER_LENGTH = 24;
    /** Length of a record header. */
    public static final int RECORD_HEADER_LENGTH = 16;
    /** Bytes held before they go to the channel. */
    public static final int BUFFER_CAPACITY = 65_536;

    private static final long MAX_SECONDS = 0xFFFF_FFFFL;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final WritableByteChannel channel;
    /** The channel as a file, which a failed write can be cut back on; null for other channels. */
    private final FileChannel file;
    /** The file position of the writer's byte 0 (the header's first byte; for an appended file, the file's). */
    private final long origin;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_CAPACITY).order(ByteOrder.LITTLE_ENDIAN);
    private final int linkType;
    private final TimestampResolution resolution;
    private final int snapLength;
    private long bytesWritten;
    private long recordsWritten;
    /** Bytes and records the channel has taken whole: where a failed write cuts the file back to. */
    private long wholeBytes;
    private long wholeRecords;
    /** A record larger than the buffer is going out in pieces. */
    private boolean recordInPieces;
    private boolean closed;

    private PcapWriter(final WritableByteChannel channel, final int linkType, final TimestampResolution resolution,
        final int snapLength) throws IOException
    {
        this.channel = channel;
        this.file = channel instanceof FileChannel ? (FileChannel)channel : null;
        this.origin = file != null ? file.position() : 0;
        this.linkType = linkType;
        this.resolution = resolution;
        this.snapLength = snapLength;
        buffer.putInt(resolution.magic())
            .putShort((short)2)
            .putShort((short)4)
            .putInt(0)
            .putInt(0)
            .putInt(snapLength)
            .putInt(linkType);
        bytesWritten = FILE_HEADER_LENGTH;
    }

    /** A writer that adds to a file of {@code size} bytes whose header it has read. */
    private PcapWriter(final FileChannel channel, final int linkType, final TimestampResolution resolution,
        final int snapLength, final long size)
    {
        this.channel = channel;
        this.file = channel;
        this.origin = 0;
        this.linkType = linkType;
        this.resolution = resolution;
        this.snapLength = snapLength;
        bytesWritten = size;
        wholeBytes = size;
    }

    /**
     * Creates (or empties) a file for Ethernet frames with microsecond timestamps, the most widely read kind.
     *
     * @param file the file to write.
     * @return the writer; close it.
     * @throws IOException if the file cannot be opened.
     */
    public static PcapWriter create(final Path file) throws IOException
    {
        return create(file, LinkType.ETHERNET, TimestampResolution.MICROSECONDS);
    }

    /**
     * Creates (or empties) a file with the given link type and timestamp resolution.
     *
     * @param file the file to write.
     * @param linkType a LINKTYPE_* value, 0..65535, see {@link LinkType}.
     * @param resolution microseconds or nanoseconds.
     * @return the writer; close it.
     * @throws IOException if the file cannot be opened.
     */
    public static PcapWriter create(final Path file, final int linkType, final TimestampResolution resolution)
        throws IOException
    {
        checkArguments(linkType, resolution, DEFAULT_SNAP_LENGTH);
        final FileChannel channel = FileChannel.open(file,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        return new PcapWriter(channel, linkType, resolution, DEFAULT_SNAP_LENGTH);
    }

    /**
     * Opens a pcap file to add records at its end, as when a writer closed earlier takes a file up again: its
     * header is read and kept, not written again. A file that does not exist or is empty is created with a header,
     * as {@link #create(Path, int, TimestampResolution)} would.
     *
     * @param file the file to add to.
     * @param linkType a LINKTYPE_* value, 0..65535, which the file's header must have.
     * @param resolution microseconds or nanoseconds, which the file's magic number must say.
     * @return the writer; close it. {@link #bytesWritten()} starts at the file's size, {@link #recordsWritten()}
     *     at 0.
     * @throws IOException if the file cannot be opened, or its header is not a little-endian pcap header of this
     *     link type and resolution.
     */
    public static PcapWriter append(final Path file, final int linkType, final TimestampResolution resolution)
        throws IOException
    {
        checkArguments(linkType, resolution, DEFAULT_SNAP_LENGTH);
        final FileChannel channel = FileChannel.open(file,
            StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try
        {
            final long size = channel.size();
            if (size == 0)
            {
                return new PcapWriter(channel, linkType, resolution, DEFAULT_SNAP_LENGTH);
            }
            final ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            while (header.hasRemaining() && channel.read(header, header.position()) > 0)
            {
                // read on until the header is whole or the file ends
            }
            if (header.hasRemaining())
            {
                throw new CaptureFormatException(file.toString(), 0, "a file of " + size
                    + " bytes is shorter than a pcap header; cannot append to it");
            }
            final int snap = header.getInt(16);
            if (header.getInt(0) != resolution.magic() || header.getInt(20) != linkType || snap < 1
                || snap > DEFAULT_SNAP_LENGTH)
            {
                throw new CaptureFormatException(file.toString(), 0, "not a little-endian pcap file of link type "
                    + linkType + " in " + resolution.name().toLowerCase(Locale.ROOT)
                    + "; cannot append to it");
            }
            channel.position(size);
            return new PcapWriter(channel, linkType, resolution, snap, size);
        }
        catch (final IOException | RuntimeException e)
        {
            try
            {
                channel.close();
            }
            catch (final IOException suppressed)
            {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Writes to a blocking channel, such as a pipe to another program; {@link #close()} closes it.
     *
     * @param channel where the file's bytes go, the header first.
     * @param linkType a LINKTYPE_* value, 0..65535.
     * @param resolution microseconds or nanoseconds.
     * @param snapLength 1..{@link #DEFAULT_SNAP_LENGTH}: frames longer than this are cut.
     * @return the writer.
     * @throws IOException never in practice: the header is only buffered here.
     */
    public static PcapWriter over(final WritableByteChannel channel, final int linkType,
        final TimestampResolution resolution, final int snapLength) throws IOException
    {
        Objects.requireNonNull(channel, "channel");
        checkArguments(linkType, resolution, snapLength);
        return new PcapWriter(channel, linkType, resolution, snapLength);
    }

    /**
     * Appends a frame whose original length is its length.
     *
     * @param epochNanos capture time, nanoseconds since 1970 (up to 2106, pcap's limit).
     * @param frame the buffer holding the frame; its position, limit and order are not used or changed.
     * @param offset absolute index of the frame's first byte.
     * @param length bytes of the frame.
     * @throws IOException if the channel fails or the writer is closed.
     */
    public void write(final long epochNanos, final ByteBuffer frame, final int offset, final int length)
        throws IOException
    {
        write(epochNanos, frame, offset, length, length);
    }

    /**
     * Appends a frame, cut to the snap length if longer.
     *
     * @param epochNanos capture time, nanoseconds since 1970 (up to 2106, pcap's limit).
     * @param frame the buffer holding the frame; its position, limit and order are not used or changed.
     * @param offset absolute index of the frame's first byte.
     * @param length bytes of the frame present in {@code frame}.
     * @param originalLength length of the frame on the wire; a value below {@code length} is taken as
     *     {@code length}.
     * @throws IOException if the channel fails or the writer is closed.
     * @throws IndexOutOfBoundsException if the frame is not inside {@code frame}'s limit.
     * @throws IllegalArgumentException if the time is before 1970 or after 2106.
     */
    public void write(final long epochNanos, final ByteBuffer frame, final int offset, final int length,
        final int originalLength) throws IOException
    {
        if (closed)
        {
            throw new ClosedChannelException();
        }
        Objects.checkFromIndexSize(offset, length, frame.limit());
        final long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        if (seconds < 0 || seconds > MAX_SECONDS)
        {
            throw new IllegalArgumentException("pcap: time " + epochNanos + " ns is outside 1970..2106");
        }
        final long fraction = Math.floorMod(epochNanos, NANOS_PER_SECOND) / resolution.nanosPerUnit();
        final int captured = Math.min(length, snapLength);
        if (buffer.remaining() < RECORD_HEADER_LENGTH + captured)
        {
            drain();
        }
        final int header = buffer.position();
        buffer.putInt(header, (int)seconds)
            .putInt(header + 4, (int)fraction)
            .putInt(header + 8, captured)
            .putInt(header + 12, Math.max(originalLength, captured))
            .position(header + RECORD_HEADER_LENGTH);
        // Frames larger than the whole buffer go through it in pieces: no allocation, bounded memory.
        int copied = 0;
        while (copied < captured)
        {
            if (!buffer.hasRemaining())
            {
                recordInPieces = true;
                drain();
            }
            final int piece = Math.min(captured - copied, buffer.remaining());
            buffer.put(buffer.position(), frame, offset + copied, piece);
            buffer.position(buffer.position() + piece);
            copied += piece;
        }
        recordInPieces = false;
        bytesWritten += RECORD_HEADER_LENGTH + captured;
        recordsWritten++;
    }

    /**
     * Bytes of the file so far, buffered ones included: header plus records. What the file's size will be
     * after {@link #flush()}, and what size-based rotation compares.
     *
     * @return the byte count.
     */
    public long bytesWritten()
    {
        return bytesWritten;
    }

    /**
     * Records written so far, buffered ones included; after a failed write, those the file kept.
     *
     * @return the count.
     */
    public long recordsWritten()
    {
        return recordsWritten;
    }

    /**
     * The file's link type.
     *
     * @return a LINKTYPE_* value.
     */
    public int linkType()
    {
        return linkType;
    }

    /**
     * The file's timestamp resolution.
     *
     * @return microseconds or nanoseconds.
     */
    public TimestampResolution resolution()
    {
        return resolution;
    }

    /**
     * The longest frame stored whole.
     *
     * @return the snap length in the file header.
     */
    public int snapLength()
    {
        return snapLength;
    }

    /**
     * Hands buffered bytes to the channel, so that a reader of the file sees every record written so far.
     * Does not force them to the disk.
     *
     * @throws IOException if the channel fails.
     */
    @Override
    public void flush() throws IOException
    {
        if (!closed)
        {
            drain();
        }
    }

    /**
     * Flushes and closes the channel; later calls do nothing.
     *
     * @throws IOException if flushing or closing fails; the channel is closed either way.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        try
        {
            drain();
        }
        finally
        {
            closed = true;
            channel.close();
        }
    }

    private void drain() throws IOException
    {
        buffer.flip();
        try
        {
            while (buffer.hasRemaining())
            {
                if (channel.write(buffer) == 0)
                {
                    throw new IOException("pcap: the channel accepted no bytes; a blocking channel is required");
                }
            }
        }
        catch (final IOException e)
        {
            cutBack(e);
            throw e;
        }
        buffer.clear();
        if (!recordInPieces)
        {
            wholeBytes = bytesWritten;
            wholeRecords = recordsWritten;
        }
    }

    /**
     * After a failed write: drops what is buffered and cuts a file back to its last whole record, so that it never
     * ends inside one; the counts then say what the file holds.
     */
    private void cutBack(final IOException failure)
    {
        buffer.clear();
        recordInPieces = false;
        bytesWritten = wholeBytes;
        recordsWritten = wholeRecords;
        if (file != null)
        {
            try
            {
                file.truncate(origin + wholeBytes);
                file.position(origin + wholeBytes);
            }
            catch (final IOException e)
            {
                failure.addSuppressed(e);
            }
        }
    }

    private static void checkArguments(final int linkType, final TimestampResolution resolution,
        final int snapLength)
    {
        Objects.requireNonNull(resolution, "resolution");
        if (linkType < 0 || linkType > 0xFFFF)
        {
            throw new IllegalArgumentException("pcap: link type " + linkType + " is outside 0..65535");
        }
        if (snapLength < 1 || snapLength > DEFAULT_SNAP_LENGTH)
        {
            throw new IllegalArgumentException("pcap: snap length " + snapLength + " is outside 1.."
                + DEFAULT_SNAP_LENGTH);
        }
    }
}
