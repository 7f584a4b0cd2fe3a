package io.trafficmirror.vxlan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Absolute big-endian reads and writes on a {@link ByteBuffer}.
 *
 * <p>Network headers are big-endian whatever order the caller set on the buffer, so every access names
 * the order through a view {@link VarHandle}; the buffer's position, limit and order are never changed.
 * The handles work on heap, direct and (for reads) read-only buffers alike.
 */
final class Bytes
{
    private static final VarHandle SHORT_BE = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Bytes()
    {
    }

    static int u8(final ByteBuffer buffer, final int index)
    {
        return buffer.get(index) & 0xFF;
    }

    static int u16(final ByteBuffer buffer, final int index)
    {
        return ((short)SHORT_BE.get(buffer, index)) & 0xFFFF;
    }

    static int i32(final ByteBuffer buffer, final int index)
    {
        return (int)INT_BE.get(buffer, index);
    }

    static long i64(final ByteBuffer buffer, final int index)
    {
        return (long)LONG_BE.get(buffer, index);
    }

    static void put8(final ByteBuffer buffer, final int index, final int value)
    {
        buffer.put(index, (byte)value);
    }

    static void put16(final ByteBuffer buffer, final int index, final int value)
    {
        SHORT_BE.set(buffer, index, (short)value);
    }

    static void put32(final ByteBuffer buffer, final int index, final int value)
    {
        INT_BE.set(buffer, index, value);
    }

    static void put64(final ByteBuffer buffer, final int index, final long value)
    {
        LONG_BE.set(buffer, index, value);
    }

    /**
     * True when {@code [offset, offset + length)} lies inside {@code [0, limit)}; computed in {@code long}
     * so that no combination of ints can overflow into a false yes.
     */
    static boolean inBounds(final int offset, final int length, final int limit)
    {
        return offset >= 0 && length >= 0 && (long)offset + length <= limit;
    }

    /**
     * Adds the bytes in {@code [offset, offset + length)} to a ones' complement sum as big-endian 16-bit words
     * (RFC 1071), an odd last byte padded with a zero byte. The sum is kept unfolded in a {@code long};
     * {@link #foldChecksum(long)} finishes it. Eight bytes are read at a time: two 32-bit halves added into
     * a 64-bit accumulator give the same folded result as 16-bit words, because 2^16 is 1 modulo 0xFFFF.
     */
    static long addToChecksum(final ByteBuffer buffer, final int offset, final int length, final long sum)
    {
        long acc = sum;
        int i = offset;
        final int end = offset + length;
        while (i + 8 <= end)
        {
            final long word = i64(buffer, i);
            acc += (word >>> 32) + (word & 0xFFFF_FFFFL);
            i += 8;
        }
        if (i + 4 <= end)
        {
            acc += i32(buffer, i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (i + 2 <= end)
        {
            acc += u16(buffer, i);
            i += 2;
        }
        if (i < end)
        {
            acc += u8(buffer, i) << 8;
        }
        return acc;
    }

    /** Folds an unfolded sum to 16 bits and returns its ones' complement: the value to put on the wire. */
    static int foldChecksum(final long sum)
    {
        // Branch-free end-around carry: 64 -> 33 bits, then 16-bit folds until nothing is left to carry.
        long s = (sum >>> 32) + (sum & 0xFFFF_FFFFL);
        s = (s >>> 16) + (s & 0xFFFF);
        s = (s >>> 16) + (s & 0xFFFF);
        s = (s >>> 16) + (s & 0xFFFF);
        return (int)(~s & 0xFFFF);
    }
}
