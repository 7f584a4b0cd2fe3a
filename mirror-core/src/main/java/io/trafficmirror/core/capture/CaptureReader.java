package io.trafficmirror.core.capture;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a pcap or pcapng capture record by record, whichever the first four bytes say it is.
 *
 * <pre>
 * try (CaptureReader reader = CaptureReader.open(path))
 * {
 *     while (reader.next())
 *     {
 *         ByteBuffer frame = reader.frame();   // frame.position() .. frame.limit(), valid until next()
 *         ...
 *     }
 * }
 * </pre>
 *
 * <p>The file is streamed through one buffer of fixed size ({@link #BUFFER_CAPACITY}), so a capture larger
 * than memory reads the same as a small one, and {@link #next()} allocates nothing. Every length in the file is
 * checked before it is used: a record whose captured length exceeds {@link #MAX_CAPTURED_LENGTH}, a block whose
 * lengths do not add up, or a file that ends inside a record is a {@link CaptureFormatException} naming the
 * file, the byte offset and the problem, never a silent stop, an endless loop or an {@link OutOfMemoryError}.
 *
 * <p>Not thread-safe: one reader per thread.
 */
public abstract class CaptureReader implements Closeable
{
    /**
     * The largest captured length accepted in one record: 256 KiB, libpcap's own ceiling for Ethernet.
     * Larger values are corruption, not packets.
     */
    public static final int MAX_CAPTURED_LENGTH = 262_144;

    /**
     * The largest pcapng block that is loaded whole (one packet plus 64 KiB of options); larger blocks of
     * unknown types are skipped without being loaded, larger packet blocks are an error.
     */
    public static final int MAX_BLOCK_LENGTH = MAX_CAPTURED_LENGTH + 65_536;

    /** Size of the read buffer: one largest block plus room so that small records rarely force a compaction. */
    public static final int BUFFER_CAPACITY = MAX_BLOCK_LENGTH + 65_536;

    static final int PCAP_MAGIC_MICROS = 0xA1B2C3D4;
    static final int PCAP_MAGIC_NANOS = 0xA1B23C4D;
    static final int PCAPNG_SECTION_HEADER = 0x0A0D0D0A;

    final ChannelInput input;
    final String source;
    private final ByteBuffer frameView;

    long timestampNanos;
    boolean hasTimestamp;
    int linkType;
    int interfaceId;
    int snapLength;
    int capturedLength;
    int originalLength;
    long recordOffset = -1;
    long recordCount;

    CaptureReader(final ChannelInput input, final String source)
    {
        this.input = input;
        this.source = source;
        this.frameView = input.buffer().asReadOnlyBuffer().order(ByteOrder.BIG_ENDIAN);
    }

    /**
     * Opens a capture file, pcap or pcapng.
     *
     * @param file the capture.
     * @return a reader positioned before the first record; close it.
     * @throws CaptureFormatException if the file is neither, or its header is bad.
     * @throws IOException if the file cannot be read.
     */
    public static CaptureReader open(final Path file) throws IOException
    {
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try
        {
            return open(channel, file.toString());
        }
        catch (final IOException | RuntimeException e)
        {
            channel.close();
            throw e;
        }
    }

    /**
     * Reads a capture from a blocking channel, such as a pipe; the reader closes it.
     *
     * @param channel the capture's bytes from the first.
     * @param source the name used in error messages.
     * @return a reader positioned before the first record.
     * @throws CaptureFormatException if the input is neither pcap nor pcapng, or its header is bad.
     * @throws IOException if the channel cannot be read.
     */
    public static CaptureReader open(final ReadableByteChannel channel, final String source) throws IOException
    {
        final ChannelInput input = new ChannelInput(channel, BUFFER_CAPACITY);
        if (!input.request(4))
        {
            throw new CaptureFormatException(source, 0,
                "the input has " + input.available() + " bytes, too few for a pcap or pcapng magic number");
        }
        final int magic = input.buffer().order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic == PCAPNG_SECTION_HEADER)
        {
            return new PcapngReader(input, source);
        }
        if (magic == PCAP_MAGIC_MICROS || magic == PCAP_MAGIC_NANOS
            || magic == Integer.reverseBytes(PCAP_MAGIC_MICROS) || magic == Integer.reverseBytes(PCAP_MAGIC_NANOS))
        {
            return new PcapReader(input, source);
        }
        throw new CaptureFormatException(source, 0, String.format(
            "magic number 0x%08X is neither pcap (0xA1B2C3D4, 0xA1B23C4D, either byte order) nor pcapng (0x0A0D0D0A)",
            magic));
    }

    /**
     * Moves to the next record.
     *
     * @return true if there is one; false at the end of the file.
     * @throws CaptureFormatException if the record or a block before it is bad, or the file ends inside it.
     * @throws IOException if the input cannot be read.
     */
    public abstract boolean next() throws IOException;

    /**
     * Which format the file is in.
     *
     * @return pcap or pcapng.
     */
    public abstract CaptureFormat format();

    /**
     * When the current record was captured.
     *
     * @return nanoseconds since 1970-01-01T00:00Z; 0 when {@link #hasTimestamp()} is false.
     */
    public long timestampNanos()
    {
        return timestampNanos;
    }

    /**
     * Whether the current record carries a time: all do but a pcapng simple packet block.
     *
     * @return false for a simple packet block.
     */
    public boolean hasTimestamp()
    {
        return hasTimestamp;
    }

    /**
     * The link-layer header type of the current record's interface; for pcap, the file's.
     *
     * @return a LINKTYPE_* value, see {@link LinkType}.
     */
    public int linkType()
    {
        return linkType;
    }

    /**
     * The interface the current record was captured on, counted from 0 within its pcapng section.
     *
     * @return the interface id; always 0 for pcap.
     */
    public int interfaceId()
    {
        return interfaceId;
    }

    /**
     * The snap length of the current record's interface: the most bytes it captured per packet.
     *
     * @return the snap length; 0 when the file says there is no limit.
     */
    public int snapLength()
    {
        return snapLength;
    }

    /**
     * Bytes of the current frame present in the file.
     *
     * @return 0..{@link #MAX_CAPTURED_LENGTH}.
     */
    public int capturedLength()
    {
        return capturedLength;
    }

    /**
     * Length of the frame on the wire, which is more than {@link #capturedLength()} if the capture cut it.
     *
     * @return the original length.
     */
    public int originalLength()
    {
        return originalLength;
    }

    /**
     * The current frame, read-only, from its {@code position()} to its {@code limit()}, in network byte order.
     * The same view object is returned for every record and its content changes with {@link #next()}: copy what
     * must outlive the call.
     *
     * @return the frame view.
     */
    public ByteBuffer frame()
    {
        return frameView;
    }

    /**
     * Where the current record (pcap record header, or pcapng block) starts in the input.
     *
     * @return a byte offset, or -1 before the first record.
     */
    public long recordOffset()
    {
        return recordOffset;
    }

    /**
     * How many records {@link #next()} has returned.
     *
     * @return the count; the current record's number counting from 1.
     */
    public long recordCount()
    {
        return recordCount;
    }

    /**
     * The name given for the input.
     *
     * @return the file path or channel name.
     */
    public String source()
    {
        return source;
    }

    /**
     * Closes the file.
     *
     * @throws IOException if closing fails.
     */
    @Override
    public void close() throws IOException
    {
        input.close();
    }

    /** Points the frame view at {@code length} bytes from buffer index {@code index}. */
    final void setFrame(final int index, final int length)
    {
        frameView.clear();
        frameView.position(index).limit(index + length);
        capturedLength = length;
        recordCount++;
    }

    final CaptureFormatException error(final long offset, final String problem)
    {
        return new CaptureFormatException(source, offset, problem);
    }

    static long u32(final ByteBuffer buffer, final int index)
    {
        return buffer.getInt(index) & 0xFFFF_FFFFL;
    }

    static int u16(final ByteBuffer buffer, final int index)
    {
        return buffer.getShort(index) & 0xFFFF;
    }
}
