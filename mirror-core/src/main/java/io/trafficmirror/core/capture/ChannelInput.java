package io.trafficmirror.core.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;

/**
 * A fixed window over a channel that the readers parse in place: {@link #request(int)} makes the next bytes
 * available at {@link #position()}, moving what is unread to the front of the buffer when the window would run
 * past its end. The buffer never grows, so a file of any size is read in the same memory; a block that does not
 * fit is skipped with {@link #skip(long)} without being loaded.
 *
 * <pre>
 *   buffer index:  0             position           end             capacity
 *                  | already used |  available bytes  |  free space    |
 *   file offset:   bufferOffset   bufferOffset + position
 * </pre>
 *
 * Not thread-safe; used by one reader.
 */
final class ChannelInput
{
    private final ReadableByteChannel channel;
    private final ByteBuffer buffer;
    /** A second view of the buffer's bytes, moved by {@link #compact()} only. */
    private final ByteBuffer compactView;
    private final int capacity;
    /** File offset of buffer index 0. */
    private long bufferOffset;
    private int position;
    private int end;
    private boolean endOfStream;

    ChannelInput(final ReadableByteChannel channel, final int capacity)
    {
        this.channel = channel;
        // Direct, so that a file channel reads into it without copying through a temporary direct buffer.
        this.buffer = ByteBuffer.allocateDirect(capacity);
        this.compactView = buffer.duplicate();
        this.capacity = capacity;
    }

    /** The buffer parsed in place; absolute indices from {@link #position()}; the readers set its byte order. */
    ByteBuffer buffer()
    {
        return buffer;
    }

    /** Index in {@link #buffer()} of the next unread byte. */
    int position()
    {
        return position;
    }

    /** File offset of the next unread byte. */
    long offset()
    {
        return bufferOffset + position;
    }

    /** Bytes read from the channel but not consumed yet. */
    int available()
    {
        return end - position;
    }

    int capacity()
    {
        return capacity;
    }

    /**
     * Makes at least {@code length} bytes available from {@link #position()}.
     *
     * @param length at most {@link #capacity()}.
     * @return false if the channel ends first; {@link #available()} then says how many bytes there were.
     */
    boolean request(final int length) throws IOException
    {
        if (end - position >= length)
        {
            return true;
        }
        if (capacity - position < length)
        {
            compact();
        }
        while (end - position < length && !endOfStream)
        {
            buffer.limit(capacity).position(end);
            final int read = channel.read(buffer);
            if (read < 0)
            {
                endOfStream = true;
            }
            else if (read == 0)
            {
                // A blocking channel reads at least one byte into a buffer with room; spinning here could hang.
                throw new IOException("the channel returned no bytes: a blocking channel is required");
            }
            end = buffer.position();
        }
        return end - position >= length;
    }

    /** Consumes {@code length} available bytes. */
    void consume(final int length)
    {
        position += length;
    }

    /**
     * Consumes {@code length} bytes, available or not, seeking where the channel allows it.
     *
     * @return the bytes skipped: {@code length}, or fewer if the channel ended.
     */
    long skip(final long length) throws IOException
    {
        final int buffered = (int)Math.min(length, end - position);
        position += buffered;
        long remaining = length - buffered;
        if (remaining == 0)
        {
            return length;
        }
        // Everything buffered is consumed: restart the window where the channel stands.
        bufferOffset += end;
        position = 0;
        end = 0;
        if (channel instanceof SeekableByteChannel)
        {
            final SeekableByteChannel seekable = (SeekableByteChannel)channel;
            final long here = seekable.position();
            final long step = Math.min(remaining, Math.max(0, seekable.size() - here));
            seekable.position(here + step);
            bufferOffset += step;
            remaining -= step;
            if (remaining > 0)
            {
                endOfStream = true;
            }
            return length - remaining;
        }
        while (remaining > 0 && request(1))
        {
            final int step = (int)Math.min(remaining, end - position);
            position += step;
            remaining -= step;
        }
        return length - remaining;
    }

    void close() throws IOException
    {
        channel.close();
    }

    private void compact()
    {
        final int unread = end - position;
        compactView.limit(end).position(position);
        compactView.compact();
        bufferOffset += position;
        position = 0;
        end = unread;
    }
}
