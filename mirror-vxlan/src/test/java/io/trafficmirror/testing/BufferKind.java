package io.trafficmirror.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Every kind of memory a flyweight accepts: arrays, heap, direct and read-only buffers, at offset 0 or further in,
 * and a slice of a larger buffer. Each placement ends exactly where the data ends (limit or array length), so that
 * a read past the given length throws instead of going unnoticed, and each buffer comes with a position and a
 * byte order of its own that the code under test must neither rely on nor change.
 */
public enum BufferKind
{
    HEAP(false, false, false, false, 0),
    DIRECT(false, true, false, false, 0),
    READ_ONLY_HEAP(false, false, true, false, 0),
    READ_ONLY_DIRECT(false, true, true, false, 0),
    HEAP_AT_OFFSET(false, false, false, false, 13),
    DIRECT_AT_OFFSET(false, true, false, false, 13),
    SLICE_OF_A_LARGER_BUFFER(false, false, false, true, 13),
    BYTE_ARRAY(true, false, false, false, 0),
    BYTE_ARRAY_AT_OFFSET(true, false, false, false, 13);

    /** A flyweight's entry point that reads or writes {@code length} bytes of an array from {@code offset}. */
    @FunctionalInterface
    public interface ArrayCall
    {
        int call(byte[] array, int offset, int length);
    }

    /** The same entry point over a buffer, with absolute indices. */
    @FunctionalInterface
    public interface BufferCall
    {
        int call(ByteBuffer buffer, int offset, int length);
    }

    public final boolean array;
    public final boolean direct;
    public final boolean readOnly;
    public final boolean slice;
    public final int extraOffset;

    BufferKind(final boolean array, final boolean direct, final boolean readOnly, final boolean slice,
        final int extraOffset)
    {
        this.array = array;
        this.direct = direct;
        this.readOnly = readOnly;
        this.slice = slice;
        this.extraOffset = extraOffset;
    }

    /** The bytes at {@code headroom} (plus this kind's own offset), preceded by zeros and followed by nothing. */
    public Placed place(final byte[] bytes, final int headroom)
    {
        final int offset = (slice ? 0 : extraOffset) + headroom;
        final int size = offset + bytes.length;
        if (array)
        {
            final byte[] target = new byte[size];
            System.arraycopy(bytes, 0, target, offset, bytes.length);
            return new Placed(this, null, target, offset, bytes.length, 0);
        }
        ByteBuffer buffer;
        if (slice)
        {
            // Bytes before and after the slice that a read through the slice must never reach.
            final ByteBuffer whole = ByteBuffer.allocate(extraOffset + size + 9);
            whole.put(extraOffset + offset, bytes);
            buffer = whole.slice(extraOffset, size);
        }
        else
        {
            buffer = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
            buffer.put(offset, bytes);
        }
        final int position = size / 2;
        buffer.position(position);
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        if (readOnly)
        {
            buffer = buffer.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        return new Placed(this, buffer, null, offset, bytes.length, position);
    }

    /** Bytes placed by {@link #place}: either {@code buffer} or {@code array} is set; offsets are absolute. */
    public record Placed(BufferKind kind, ByteBuffer buffer, byte[] array, int offset, int length, int position)
    {
        /** Calls the array or the buffer form of an entry point on the placed bytes. */
        public int call(final ArrayCall arrayCall, final BufferCall bufferCall)
        {
            return array != null ? arrayCall.call(array, offset, length) : bufferCall.call(buffer, offset, length);
        }

        /** As {@link #call(ArrayCall, BufferCall)}, with an offset and a length of the caller's. */
        public int call(final ArrayCall arrayCall, final BufferCall bufferCall, final int at, final int count)
        {
            return array != null ? arrayCall.call(array, at, count) : bufferCall.call(buffer, at, count);
        }

        /** The placed memory as a buffer: the buffer itself, or the array wrapped. */
        public ByteBuffer asBuffer()
        {
            return array != null ? ByteBuffer.wrap(array) : buffer;
        }

        /** A copy of {@code count} bytes from absolute index {@code from}. */
        public byte[] bytes(final int from, final int count)
        {
            final byte[] out = new byte[count];
            if (array != null)
            {
                System.arraycopy(array, from, out, 0, count);
            }
            else
            {
                buffer.get(from, out);
            }
            return out;
        }

        /** Whether the buffer's position, limit and byte order are still those it was placed with. */
        public boolean untouched()
        {
            return buffer == null || buffer.position() == position && buffer.limit() == buffer.capacity()
                && buffer.order() == ByteOrder.LITTLE_ENDIAN;
        }
    }
}
